"""Issue 13: the clinic admin's note on an assignment is health text; encrypt it.

The note is sealed to a new client-generated ``record_key`` (the assignment's id is given
by the database). Existing rows get a key each, then their plaintext note is encrypted in
place.
"""

import uuid

from django.db import migrations, models

import core.fields


def fill_keys_and_seal(apps, schema_editor):
    from core import crypto

    conn = schema_editor.connection
    with conn.cursor() as cursor:
        cursor.execute("SELECT id, note FROM therapists_coupleassignment")
        rows = cursor.fetchall()
        for pk, note in rows:
            key = uuid.uuid4()
            sealed = (
                crypto.encrypt(note, identity=f"therapists.coupleassignment:{key}:note")
                if note
                else ""
            )
            stored_key = key.hex if conn.vendor == "sqlite" else key
            cursor.execute(
                "UPDATE therapists_coupleassignment SET record_key = %s, note = %s WHERE id = %s",
                [stored_key, sealed, pk],
            )


class Migration(migrations.Migration):
    dependencies = [("therapists", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="coupleassignment",
            name="record_key",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AlterField(
            model_name="coupleassignment",
            name="note",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(fill_keys_and_seal, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="coupleassignment",
            name="record_key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="coupleassignment",
            name="note",
            field=core.fields.EncryptedTextField(
                blank=True,
                default="",
                help_text="Note for the record.",
                identity_field="record_key",
            ),
        ),
    ]
