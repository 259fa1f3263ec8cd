"""Every request's policy snapshot is rewritten in the current version (2: versioned,
every field present; docs/adr/0020-versioned-policy-snapshot.md). A snapshot that cannot
be read is left as it was. Going back needs nothing: version 2 holds every field that
version 1 did, so the code before it reads it as it is."""

from django.db import migrations

from backline.support import snapshot


def to_current_version(apps, schema_editor):
    snapshot.rewrite_to_current(apps.get_model("support", "SupportRequest").objects.all())


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0008_urgency_clock_and_waking"),
    ]

    operations = [
        migrations.RunPython(to_current_version, migrations.RunPython.noop),
    ]
