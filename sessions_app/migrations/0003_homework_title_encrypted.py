"""Issue 13: homework titles a therapist types are health text; encrypt them in place."""

from django.db import migrations

import core.fields


def seal_titles(apps, schema_editor):
    from core import crypto

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, title FROM sessions_app_homeworkassignment")
        for pk, title in cursor.fetchall():
            if not title or title.startswith(f"{crypto.PREFIX}:"):
                continue
            key = pk if isinstance(pk, str) else str(pk)
            if len(key) == 32:  # SQLite stores UUIDs as hex without dashes
                key = f"{key[:8]}-{key[8:12]}-{key[12:16]}-{key[16:20]}-{key[20:]}"
            sealed = crypto.encrypt(title, identity=f"sessions_app.homeworkassignment:{key}:title")
            cursor.execute(
                "UPDATE sessions_app_homeworkassignment SET title = %s WHERE id = %s", [sealed, pk]
            )


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0002_remove_calendar_sequence")]

    operations = [
        migrations.AlterField(
            model_name="homeworkassignment",
            name="title",
            field=core.fields.EncryptedTextField(),
        ),
        migrations.RunPython(seal_titles, migrations.RunPython.noop),
    ]
