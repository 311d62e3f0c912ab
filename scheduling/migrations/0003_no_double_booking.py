"""PostgreSQL makes double booking impossible; SQLite relies on serialized writers.

Django's ``ExclusionConstraint`` cannot be created on SQLite, so the constraint is
raw SQL applied only when the database is PostgreSQL. Ranges are half-open
(``[)``), so back-to-back sessions are allowed; expired holds are deleted by the
booking service before it inserts (a constraint cannot look at the clock).
"""

from django.db import migrations

ACTIVE = "status IN ('held', 'confirmed', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""
    ALTER TABLE scheduling_booking ADD CONSTRAINT booking_no_therapist_overlap
    EXCLUDE USING gist (
        therapist_id WITH =,
        tstzrange(COALESCE(blocked_start, starts_at), COALESCE(blocked_end, ends_at), '[)') WITH &&
    ) WHERE ({ACTIVE})
    """,
    f"""
    ALTER TABLE scheduling_booking ADD CONSTRAINT booking_no_couple_overlap
    EXCLUDE USING gist (
        couple_id WITH =,
        tstzrange(starts_at, ends_at, '[)') WITH &&
    ) WHERE ({ACTIVE})
    """,
]
BACKWARD = [
    "ALTER TABLE scheduling_booking DROP CONSTRAINT IF EXISTS booking_no_couple_overlap",
    "ALTER TABLE scheduling_booking DROP CONSTRAINT IF EXISTS booking_no_therapist_overlap",
]


def forward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)


def backward(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in BACKWARD:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_availability_and_booking")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
