from django.db import migrations


def install(apps, schema_editor):
    from sessions_app.exercise_library import library_install

    library_install(apps.get_model("sessions_app", "ExerciseTemplate"))


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0002_between_sessions")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
