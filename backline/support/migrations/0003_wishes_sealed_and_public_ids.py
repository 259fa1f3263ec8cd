"""Requests get random public ids for their URLs; the routing that could identify a
requester (the agency they avoid, their exclusion list) is sealed; pages say whether
they went to a peer or to a coordinator; teams get a follow-up window setting."""

import json

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

import backline.lib.fields
import backline.support.models


def fill_public_ids(apps, schema_editor):
    SupportRequest = apps.get_model("support", "SupportRequest")
    for request in SupportRequest.objects.filter(public_id__isnull=True).only("pk"):
        request.public_id = backline.support.models.new_public_id()
        request.save(update_fields=["public_id"])


def seal_routing(apps, schema_editor):
    SupportRequest = apps.get_model("support", "SupportRequest")
    for request in SupportRequest.objects.all():
        if request.avoid_agency_id or request.excluded_ids:
            request.sealed_routing = json.dumps(
                {
                    "avoid_agencies": [request.avoid_agency_id] if request.avoid_agency_id else [],
                    "excluded": sorted(request.excluded_ids),
                }
            )
            request.save(update_fields=["sealed_routing"])


def mark_coordinator_pages(apps, schema_editor):
    Page = apps.get_model("support", "Page")
    Membership = apps.get_model("accounts", "Membership")
    for page in Page.objects.select_related("request"):
        is_peer = Membership.objects.filter(
            user_id=page.peer_id, region_id=page.request.region_id, role="peer"
        ).exists()
        if not is_peer:
            page.kind = "coordinator"
            page.save(update_fields=["kind"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_agency_eap_line"),
        ("support", "0002_alter_steptarget_rotation_alter_steptarget_schedule"),
    ]

    operations = [
        migrations.AddField(
            model_name="supportrequest",
            name="public_id",
            field=models.CharField(editable=False, max_length=16, null=True),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="supportrequest",
            name="public_id",
            field=models.CharField(
                default=backline.support.models.new_public_id,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="sealed_routing",
            field=backline.lib.fields.SealedTextField(
                blank=True, help_text="Routing (outside agency, exclusions), sealed; see Routing."
            ),
        ),
        migrations.RunPython(seal_routing, migrations.RunPython.noop),
        migrations.RemoveField(model_name="supportrequest", name="avoid_agency"),
        migrations.RemoveField(model_name="supportrequest", name="excluded_ids"),
        migrations.AddField(
            model_name="supportrequest",
            name="widened_at",
            field=models.DateTimeField(
                blank=True, help_text="When the requester chose to ask their whole team.", null=True
            ),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="narrowed_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the wishes first left a step with nobody to page.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="supportrequest",
            name="kept_waiting_at",
            field=models.DateTimeField(
                blank=True, help_text="When the requester chose to keep waiting.", null=True
            ),
        ),
        migrations.AddField(
            model_name="page",
            name="kind",
            field=models.CharField(
                choices=[
                    ("peer", "Paged to take the request"),
                    ("coordinator", "Alerted to organize help"),
                ],
                default="peer",
                max_length=12,
            ),
        ),
        migrations.RunPython(mark_coordinator_pages, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="event",
            name="kind",
            field=models.CharField(
                choices=[
                    ("paged", "Peers were paged"),
                    ("skipped", "A step had nobody to page and was skipped"),
                    ("alerted", "The coordinator was alerted to organize help"),
                    ("narrowed", "The requester's wishes left nobody to page at a step"),
                    ("widened", "The requester asked their whole team"),
                    ("exhausted", "Every step passed unanswered; the coordinator was alerted"),
                    ("acknowledged", "A peer took the request"),
                    ("started", "Contact started"),
                    ("reopened", "Contact did not start in time; escalation resumed"),
                    ("closed", "Closed"),
                    ("cancelled", "Cancelled by the requester"),
                ],
                max_length=15,
            ),
        ),
        migrations.CreateModel(
            name="TeamSettings",
            fields=[
                (
                    "region",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="support_settings",
                        serialize=False,
                        to="accounts.region",
                    ),
                ),
                (
                    "followup_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[django.core.validators.MaxValueValidator(30)],
                        help_text=(
                            "After a request ends, the peer who took it sees who asked for "
                            'this many days (0 to 30), for follow-up; then only "a colleague".'
                        ),
                        verbose_name="days the peer still sees who asked",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "team settings",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(followup_days__lte=30), name="followup_days_bounded"
                    )
                ],
            },
        ),
    ]
