"""Issue 13: deleting an account removes its email from the audit log.

The append-only trigger now lets exactly one UPDATE through: replacing ``actor_label``
with ``deleted account #<actor_id>`` while every other column stays as it was. Anything
else (another column, another label, a DELETE) is still refused.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.actor_label = 'deleted account #' || OLD.actor_id::text
       AND (to_jsonb(NEW) - 'actor_label') = (to_jsonb(OLD) - 'actor_label') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'core_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = """
CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_outbound_email")]

    operations = [migrations.RunPython(forward, backward)]
