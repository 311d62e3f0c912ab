"""On PostgreSQL the audit table rejects UPDATE and DELETE, whoever connects.

(TRUNCATE stays possible for the database owner: test flushes and retention jobs run
as the owner, not through the application.)
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditevent is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS accounts_auditevent_no_update_delete ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_security_audit_2fa")]

    operations = [migrations.RunPython(forward, backward)]
