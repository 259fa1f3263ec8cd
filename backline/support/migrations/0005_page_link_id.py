"""A page's link carries a random id instead of its signed row number."""

from django.db import migrations, models

import backline.support.models


def fill_link_ids(apps, schema_editor):
    Page = apps.get_model("support", "Page")
    for page in Page.objects.filter(link_id__isnull=True).only("pk"):
        page.link_id = backline.support.models.new_public_id()
        page.save(update_fields=["link_id"])


class Migration(migrations.Migration):
    dependencies = [("support", "0004_followup_until")]

    operations = [
        migrations.AddField(
            model_name="page",
            name="link_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill_link_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="page",
            name="link_id",
            field=models.CharField(
                default=backline.support.models.new_public_id,
                editable=False,
                help_text="What the notification's link carries: random, so it reveals no volume.",
                max_length=16,
                unique=True,
            ),
        ),
    ]
