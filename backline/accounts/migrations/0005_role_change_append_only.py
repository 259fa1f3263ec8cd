"""The database itself refuses to change or delete the roster's history."""

from django.db import migrations

from backline.lib import append_only

TABLE = "accounts_rolechange"
NAME = "role_change"


def create_triggers(apps, schema_editor):
    append_only.create_triggers(schema_editor, TABLE, NAME)


def drop_triggers(apps, schema_editor):
    append_only.drop_triggers(schema_editor, TABLE, NAME)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_role_change")]
    operations = [migrations.RunPython(create_triggers, drop_triggers)]
