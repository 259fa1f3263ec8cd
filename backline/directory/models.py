"""A team's resource directory: the organizations and the services they offer (an EAP, a
clinician, a crisis line, ...), with their phones, languages, hours and specialties.

The tables follow Open Referral HSDS 3.0 closely (organization, service, phone, language,
schedule), so that import and export (``directory.hsds``) map one to one; each row keeps
its HSDS identifier, unique within its team. Entries are public services, not data about
people, but a team's directory is still read only through ``visible_to`` and edited only
through ``managed_by``.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, validate_time_zone
from backline.accounts.roles import Role

if TYPE_CHECKING:
    from backline.accounts.models import User

STALE_AFTER = timedelta(days=365)  # an entry not verified for a year is flagged


def new_id() -> str:
    return str(uuid.uuid4())


class Kind(models.TextChoices):
    EAP = "eap", _("Employee assistance (EAP)")
    CLINICIAN = "clinician", _("Clinician")
    CHAPLAIN = "chaplain", _("Chaplain")
    CRISIS_LINE = "crisis_line", _("Crisis line")
    SUPPORT_GROUP = "support_group", _("Support group")
    APP = "app", _("App")
    READING = "reading", _("Reading")
    OTHER = "other", _("Other")


class Cost(models.TextChoices):
    FREE = "free", _("Free")
    SLIDING = "sliding_scale", _("Sliding scale")
    INSURANCE = "insurance", _("Takes insurance")
    SELF_PAY = "self_pay", _("Self-pay")
    UNKNOWN = "unknown", _("Ask about cost")


class Specialty(models.TextChoices):
    TRAUMA = "trauma", _("Trauma")
    EMDR = "emdr", _("EMDR")
    CRITICAL_INCIDENT = "critical_incident", _("Critical incidents")
    COUPLES = "couples", _("Couples")
    FAMILY = "family", _("Family")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    GRIEF = "grief", _("Grief")
    ANXIETY_DEPRESSION = "anxiety_depression", _("Anxiety and depression")
    SLEEP = "sleep", _("Sleep and shift work")


class Status(models.TextChoices):
    """HSDS's service statuses; only active services are found by a search."""

    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Defunct")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")


class PhoneType(models.TextChoices):
    """HSDS's phone types (from RFC 6350)."""

    VOICE = "voice", _("Call")
    TEXT = "text", _("Text")
    CELL = "cell", _("Cell")
    VIDEO = "video", _("Video")
    TEXTPHONE = "textphone", _("TTY")
    FAX = "fax", _("Fax")
    PAGER = "pager", _("Pager")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, viewer: User) -> OrganizationQuerySet:
        return self.filter(region__in=[m.region_id for m in viewer.all_memberships])

    def managed_by(self, viewer: User) -> OrganizationQuerySet:
        return self.filter(region__in=viewer.regions_with(Role.COORDINATOR))


class Organization(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="organizations")
    hsds_id = models.CharField(max_length=64, default=new_id)
    name = models.CharField(_("organization"), max_length=200)
    description = models.TextField(_("about the organization"))
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "hsds_id"], name="organization_id_unique_in_region"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ResourceQuerySet(models.QuerySet["Resource"]):
    def visible_to(self, viewer: User) -> ResourceQuerySet:
        """Every entry of the viewer's teams: a member of any role may search them."""
        return self.filter(region__in=[m.region_id for m in viewer.all_memberships])

    def managed_by(self, viewer: User) -> ResourceQuerySet:
        """The entries a coordinator may add to, edit, verify and delete."""
        return self.filter(region__in=viewer.regions_with(Role.COORDINATOR))


class Resource(models.Model):
    """A service of the directory (HSDS's ``service``)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="resources")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="resources"
    )
    hsds_id = models.CharField(max_length=64, default=new_id)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    description = models.TextField(_("what it offers"), blank=True)
    url = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_name = models.CharField(_("whom to ask for"), max_length=200, blank=True)
    contact_title = models.CharField(_("their role"), max_length=200, blank=True)
    cost = models.CharField(_("cost"), max_length=20, choices=Cost.choices, default=Cost.UNKNOWN)
    fees_description = models.TextField(_("about the cost"), blank=True)
    insurance = models.CharField(_("insurance taken"), max_length=300, blank=True)
    telehealth = models.BooleanField(_("offers telehealth"), default=False)
    address = models.CharField(_("where to go in person"), max_length=300, blank=True)
    first_responder = models.BooleanField(_("knows first responders' work"), default=False)
    always_open = models.BooleanField(_("open 24 hours, 7 days"), default=False)
    time_zone = models.CharField(
        _("time zone of its hours"),
        max_length=64,
        default="America/New_York",
        validators=[validate_time_zone],
    )
    verified_on = models.DateField(_("verified on"), null=True, blank=True)
    verified_by = models.CharField(_("verified by"), max_length=254, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "hsds_id"], name="resource_id_unique_in_region"
            ),
            models.CheckConstraint(
                condition=Q(verified_on__isnull=True) | ~Q(verified_by=""),
                name="resource_verified_by_someone",
            ),
        ]
        indexes = [
            models.Index(fields=["region", "status", "name"], name="resource_listing"),
            models.Index(fields=["region", "cost"], name="resource_cost"),
            models.Index(fields=["region", "telehealth"], name="resource_telehealth"),
            models.Index(fields=["region", "kind"], name="resource_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def is_stale(self, today: date) -> bool:
        return self.verified_on is None or today - self.verified_on > STALE_AFTER


class Phone(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="phones")
    hsds_id = models.CharField(max_length=64, default=new_id)
    number = models.CharField(_("number"), max_length=40)
    extension = models.PositiveIntegerField(_("extension"), null=True, blank=True)
    type = models.CharField(
        _("type"), max_length=12, choices=PhoneType.choices, default=PhoneType.VOICE
    )
    description = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.number

    @property
    def dial(self) -> str:
        """The number as a ``tel:``/``sms:`` link takes it: digits and a leading +."""
        return "".join(c for c in self.number if c.isdigit() or c == "+")


class Language(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="languages")
    hsds_id = models.CharField(max_length=64, default=new_id)
    code = models.CharField(_("ISO 639 code"), max_length=3)
    name = models.CharField(_("language"), max_length=80)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "code"], name="language_once_a_resource")
        ]
        indexes = [models.Index(fields=["code", "resource"], name="language_code")]

    def __str__(self) -> str:
        return self.name


class ResourceSpecialty(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="specialties")
    specialty = models.CharField(max_length=24, choices=Specialty.choices)

    class Meta:
        ordering = ["specialty"]
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "specialty"], name="specialty_once_a_resource"
            )
        ]
        indexes = [models.Index(fields=["specialty", "resource"], name="specialty_lookup")]

    def __str__(self) -> str:
        return self.get_specialty_display()


# Monday is bit 0, as ``date.weekday()`` counts; HSDS and RFC 5545 name the days so.
DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
EVERY_DAY = (1 << 7) - 1
WORKING_WEEK = (1 << 5) - 1


def day_names(days: int) -> str:
    """The weekdays of ``days`` (a bit a weekday), abbreviated: "Mon, Tue"; "Every day"
    for all seven, and "Mon to Fri" for the working week."""
    if days == EVERY_DAY:
        return str(_("Every day"))
    if days == WORKING_WEEK:
        return str(_("Mon to Fri"))
    return ", ".join(str(WEEKDAYS_ABBR[day]) for day in range(7) if days & (1 << day))


class Schedule(models.Model):
    """Weekly opening hours in the resource's time zone: on ``days`` (a bit a weekday),
    from ``opens_at`` to ``closes_at``; a closing time at or before the opening time
    runs past midnight into the next day."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="schedules")
    hsds_id = models.CharField(max_length=64, default=new_id)
    days = models.PositiveSmallIntegerField()
    opens_at = models.TimeField()
    closes_at = models.TimeField()
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=EVERY_DAY), name="schedule_days_in_a_week"
            )
        ]

    def __str__(self) -> str:
        return f"{self.byday} {self.opens_at:%H:%M}-{self.closes_at:%H:%M}"

    @property
    def day_names(self) -> str:
        return day_names(self.days)

    @property
    def byday(self) -> str:
        return ",".join(code for bit, code in enumerate(DAY_CODES) if self.days & (1 << bit))
