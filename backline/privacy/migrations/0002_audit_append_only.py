"""The database itself refuses to change or delete audit entries."""

from django.db import migrations

TABLE = "privacy_auditentry"


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            """
            CREATE FUNCTION backline_audit_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'audit entries are append-only'; END;
            $$ LANGUAGE plpgsql;
            """
        )
        schema_editor.execute(
            f"CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION backline_audit_append_only();"
        )
    elif vendor == "sqlite":
        for event in ("UPDATE", "DELETE"):
            schema_editor.execute(
                f"CREATE TRIGGER audit_append_only_{event.lower()} BEFORE {event} ON {TABLE} "
                "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
            )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE};")
        schema_editor.execute("DROP FUNCTION IF EXISTS backline_audit_append_only();")
    elif vendor == "sqlite":
        for event in ("update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS audit_append_only_{event};")


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
