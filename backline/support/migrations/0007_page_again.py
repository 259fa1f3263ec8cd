"""A coordinator can page the available peers again: such a page has no step, and an
event records it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('support', '0006_request_number_place_form_token'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='kind',
            field=models.CharField(choices=[('paged', 'Peers were paged'), ('skipped', 'A step had nobody to page and was skipped'), ('alerted', 'The coordinator was alerted to organize help'), ('narrowed', "The requester's wishes left nobody to page at a step"), ('widened', 'The requester asked their whole team'), ('exhausted', 'Every step passed unanswered; the coordinator was alerted'), ('repaged', 'A coordinator paged the available peers again'), ('acknowledged', 'A peer took the request'), ('started', 'Contact started'), ('reopened', 'Contact did not start in time; escalation resumed'), ('closed', 'Closed'), ('cancelled', 'Cancelled by the requester')], max_length=15),
        ),
        migrations.AlterField(
            model_name='page',
            name='step_index',
            field=models.PositiveSmallIntegerField(blank=True, help_text='Empty when a coordinator paged again.', null=True),
        ),
    ]
