"""Sessions signed in through Backline's password backend name its one backend now
(``backline.accounts.backends``): nobody is signed out.

Backwards there is nothing to do: the backend they now name was listed before as well."""

import importlib

from django.db import migrations

renaming = importlib.import_module(
    "backline.accounts.migrations.0006_sessions_name_backline_backends"
)
REPLACES = {
    "backline.accounts.backends.ModelBackend": "backline.accounts.backends.AuthenticationBackend"
}


def forwards(apps, schema_editor):
    renaming.rename(apps, REPLACES)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_sessions_name_backline_backends")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
