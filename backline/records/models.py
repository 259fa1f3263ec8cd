"""De-identified contact records, and each team's choice of what they keep.

A record says what kind of contact a peer had, never with whom: it holds no name, no
narrative, no free text, and no link to the colleague or to the request (no foreign key,
no id, no time of day). Its only person is the peer who filed it.
"""

from __future__ import annotations

import datetime
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User
from backline.accounts.roles import Role

EDIT_DAYS = 7  # a peer corrects their own record for this many days; then it is final


class RecordMode(models.TextChoices):
    CATEGORIES = "categories", _("Categories")
    COUNTS = "counts", _("Counts only")
    NONE = "none", _("No records")


class ContactType(models.TextChoices):
    # in the order the form shows them: the everyday ones first
    REQUEST = "request", _("Request")
    CHECK_IN = "check_in", _("Check-in")
    INFORMAL = "informal", _("Informal")
    INCIDENT_FOLLOW_UP = "incident_follow_up", _("Incident follow-up")
    GROUP_SESSION = "group_session", _("Group session")


class RecordChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")


class Duration(models.TextChoices):
    UNDER_15 = "under_15", _("< 15")
    FROM_15 = "15_45", _("15–45")  # an en dash, written as itself: gettext finds it so
    FROM_45 = "45_90", _("45–90")
    OVER_90 = "over_90", _("> 90")


class Topic(models.TextChoices):
    CRITICAL_CALL = "critical_call", _("Critical call")
    CUMULATIVE_STRESS = "cumulative_stress", _("Cumulative stress")
    WORKPLACE = "workplace", _("Workplace")
    FAMILY = "family", _("Family")
    HEALTH = "health", _("Health")
    GRIEF = "grief", _("Grief")
    OTHER = "other", _("Other")


class Referral(models.TextChoices):
    NONE = "none", _("None")
    EAP = "eap", _("EAP")
    CLINICIAN = "clinician", _("Clinician")
    CHAPLAIN = "chaplain", _("Chaplain")
    CRISIS_LINE = "crisis_line", _("Crisis line")
    SUPPORT_GROUP = "support_group", _("Support group")
    MEDICAL = "medical", _("Medical")
    OTHER = "other", _("Other")


def _all_topics() -> list[str]:
    return list(Topic.values)


class RecordSettings(models.Model):
    """A team's choices about contact records. A team without a row uses the defaults:
    categories, every topic, coordinators do not see who filed a record."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="record_settings", primary_key=True
    )
    mode = models.CharField(
        _("what peers record after a contact"),
        max_length=12,
        choices=RecordMode.choices,
        default=RecordMode.CATEGORIES,
    )
    topics = models.JSONField(_("topics peers can choose"), default=_all_topics)
    coordinators_see_peer = models.BooleanField(
        _("coordinators see which peer filed each record"), default=False
    )

    class Meta:
        verbose_name_plural = _("record settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=RecordMode.values), name="record_settings_mode_known"
            ),
        ]

    def __str__(self) -> str:
        return f"record settings of {self.region}"

    def topic_choices(self) -> list[tuple[str, str]]:
        """The topics this team offers, in the order of the list."""
        chosen = set(self.topics or [])
        return [(value, str(label)) for value, label in Topic.choices if value in chosen]


def settings_of(region: Region) -> RecordSettings:
    """The team's settings, or the defaults when it has chosen none."""
    return RecordSettings.objects.filter(region=region).first() or RecordSettings(region=region)


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s ISO week: what a counts-only record keeps of its date."""
    return day - timedelta(days=day.isoweekday() - 1)


class ContactRecordQuerySet(models.QuerySet["ContactRecord"]):
    def visible_to(self, viewer: User) -> ContactRecordQuerySet:
        """A peer sees the records they filed; a coordinator those of their teams."""
        if not viewer.is_authenticated or not viewer.is_active:
            return self.none()
        return self.filter(
            Q(peer_id=viewer.pk) | Q(region__in=viewer.regions_with(Role.COORDINATOR))
        )

    def filed_by(self, peer: User) -> ContactRecordQuerySet:
        """The records ``peer`` filed (for counting a peer's load)."""
        return self.filter(peer_id=peer.pk)


class ContactRecord(models.Model):
    """One contact, de-identified. ``date`` is a day (the Monday of its week in a
    counts-only record); ``filed_on`` is the day it was filed, for the correction
    window. The category fields are empty exactly when the record is counts-only."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="contact_records")
    peer = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_records",
        help_text=_("The peer who filed it; the colleague is never recorded."),
    )
    mode = models.CharField(max_length=12, choices=RecordMode.choices)
    date = models.DateField(_("date of the contact"))
    contact_type = models.CharField(_("contact type"), max_length=20, choices=ContactType.choices)
    channel = models.CharField(_("how"), max_length=12, choices=RecordChannel.choices, blank=True)
    duration = models.CharField(_("how long"), max_length=12, choices=Duration.choices, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    referral = models.CharField(
        _("referral made"), max_length=16, choices=Referral.choices, blank=True
    )
    follow_up_planned = models.BooleanField(_("follow-up planned"), null=True, blank=True)
    filed_on = models.DateField()
    once_digest = models.CharField(max_length=64, blank=True, editable=False)

    objects = ContactRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["region", "-date"], name="record_by_region"),
            models.Index(fields=["peer", "-date"], name="record_by_peer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode__in=[RecordMode.CATEGORIES, RecordMode.COUNTS]),
                name="record_mode_keeps_something",
            ),
            models.CheckConstraint(
                condition=Q(contact_type__in=ContactType.values), name="record_contact_type_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    mode=RecordMode.CATEGORIES,
                    channel__in=RecordChannel.values,
                    duration__in=Duration.values,
                    referral__in=Referral.values,
                    follow_up_planned__isnull=False,
                )
                | Q(
                    mode=RecordMode.COUNTS,
                    channel="",
                    duration="",
                    referral="",
                    topics=[],
                    follow_up_planned__isnull=True,
                ),
                name="record_fields_match_mode",
            ),
            models.CheckConstraint(
                condition=Q(filed_on__gte=models.F("date")), name="record_not_before_contact"
            ),
            # the form that filed it: sending it twice files one record
            models.UniqueConstraint(
                fields=["once_digest"], condition=~Q(once_digest=""), name="record_filed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.contact_type}"

    @property
    def counts_only(self) -> bool:
        return self.mode == RecordMode.COUNTS

    @property
    def final_on(self) -> datetime.date:
        """The first day on which the record can no longer be corrected."""
        return self.filed_on + timedelta(days=EDIT_DAYS)

    @property
    def last_correction_day(self) -> datetime.date:
        return self.final_on - timedelta(days=1)

    def is_final(self, today: datetime.date) -> bool:
        return today >= self.final_on

    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(t, t)) for t in self.topics]
