"""Support requests, escalation policies and the state of each request's escalation."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Agency, Region, User
from backline.lib import clock
from backline.lib.fields import SealedTextField
from backline.oncall.models import Rotation, Schedule


class Urgency(models.TextChoices):
    NOW = "now", _("Now")
    HOURS = "hours", _("Within a few hours")
    WEEK = "week", _("This week")


class Contact(models.TextChoices):
    CALL = "call", _("Call me")
    TEXT = "text", _("Text or chat")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Looking for a peer")
    ACKNOWLEDGED = "acknowledged", _("A peer is coming")
    STARTED = "started", _("In contact")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED)


class EscalationPolicy(models.Model):
    """How a team's requests escalate: ordered steps, repeated, then never silence."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="policies")
    name = models.CharField(_("name"), max_length=80)
    repeat = models.PositiveSmallIntegerField(
        _("repeat"), default=1, help_text=_("How many more times to run all steps.")
    )
    start_timeout_minutes = models.PositiveSmallIntegerField(
        _("minutes to start contact"),
        default=30,
        help_text=_("An acknowledged request not started by then escalates again."),
    )
    is_default = models.BooleanField(_("the team's policy"), default=False)

    class Meta:
        ordering = ["region", "name"]
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(is_default=True),
                name="policy_one_default_per_region",
            ),
            models.CheckConstraint(condition=Q(repeat__lte=10), name="policy_repeat_bounded"),
            models.CheckConstraint(
                condition=Q(start_timeout_minutes__gte=1), name="policy_start_timeout_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class EscalationStep(models.Model):
    """Page the targets, then wait ``delay_minutes`` before the next step."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    delay_minutes = models.PositiveSmallIntegerField(_("wait (minutes)"), default=5)

    class Meta:
        ordering = ["policy", "order"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "order"], name="step_order_unique"),
            models.CheckConstraint(
                condition=Q(delay_minutes__gte=1, delay_minutes__lte=1440),
                name="step_delay_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.policy}: step {self.order + 1}"


class TargetKind(models.TextChoices):
    USER = "user", _("A specific person")
    ROTATION = "rotation", _("Whoever is on call in a rotation")
    SCHEDULE = "schedule", _("Whoever is on call in a schedule")
    ALL_AVAILABLE = "all_available", _("All available peers at once")
    COORDINATOR = "coordinator", _("The coordinator")


class StepTarget(models.Model):
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=20, choices=TargetKind.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # PROTECT: a rotation or schedule a policy pages cannot be deleted; the on-call pages
    # refuse on ProtectedError, so oncall need not know about policies.
    rotation = models.ForeignKey(
        Rotation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="target_is_exactly_one_thing",
                condition=(
                    Q(kind="user", user__isnull=False, rotation__isnull=True, schedule__isnull=True)
                    | Q(
                        kind="rotation",
                        user__isnull=True,
                        rotation__isnull=False,
                        schedule__isnull=True,
                    )
                    | Q(
                        kind="schedule",
                        user__isnull=True,
                        rotation__isnull=True,
                        schedule__isnull=False,
                    )
                    | Q(
                        kind__in=["all_available", "coordinator"],
                        user__isnull=True,
                        rotation__isnull=True,
                        schedule__isnull=True,
                    )
                ),
            )
        ]

    def __str__(self) -> str:
        return str(self.user or self.rotation or self.schedule or self.get_kind_display())


class SupportRequestQuerySet(models.QuerySet["SupportRequest"]):
    def active(self) -> SupportRequestQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)

    def visible_to(self, viewer: User) -> SupportRequestQuerySet:
        """A requester sees their own requests; a peer sees the requests they took.
        Coordinators and administrators see none: they never learn who asked."""
        if not viewer.is_authenticated:
            return self.none()
        return self.filter(Q(requester=viewer) | Q(acknowledged_by=viewer))


class SupportRequest(models.Model):
    """One colleague asking for support, and where the answer stands."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="requests")
    requester = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="support_requests",
        help_text=_("Empty for anonymous requests."),
    )
    anonymous = models.BooleanField(default=False)
    follow_token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    urgency = models.CharField(_("how soon"), max_length=10, choices=Urgency.choices)
    contact = models.CharField(
        _("how"), max_length=10, choices=Contact.choices, default=Contact.CALL
    )
    avoid_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Set when the requester prefers a peer from outside their agency."),
    )
    preferred_peer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    excluded_ids = models.JSONField(default=list, blank=True)
    note = SealedTextField(_("note"), blank=True)
    callback_number = SealedTextField(_("call-back number"), blank=True)
    status = models.CharField(
        max_length=15, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    policy_snapshot = models.JSONField(default=dict)
    requested_at = models.DateTimeField(default=clock.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="requests_taken"
    )
    coming_by = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    exhausted_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the last step passed unanswered.")
    )

    objects = SupportRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester"],
                condition=Q(status__in=["open", "acknowledged", "started"]),
                name="one_active_request_per_person",
            ),
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(requester__isnull=True),
                name="anonymous_request_has_no_requester",
            ),
            models.CheckConstraint(
                condition=Q(status="open")
                | Q(status="cancelled")
                | Q(acknowledged_by__isnull=False)
                | Q(status="closed"),
                name="taken_request_has_a_peer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["open", "acknowledged", "started"])
                | Q(closed_at__isnull=False),
                name="ended_request_has_an_end",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.status})"

    @property
    def group_key(self) -> str:
        """The outbox group of this request's pages."""
        return f"support-request:{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class EscalationState(models.Model):
    """Where a request's escalation stands; the engine re-reads it every tick."""

    request = models.OneToOneField(
        SupportRequest, on_delete=models.CASCADE, related_name="escalation", primary_key=True
    )
    step_index = models.PositiveSmallIntegerField(default=0)
    loop_count = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.request}: step {self.step_index}, loop {self.loop_count}"


class Page(models.Model):
    """One peer paged for one request (the link in their notification points here)."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="pages")
    peer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pages")
    step_index = models.PositiveSmallIntegerField()
    loop_count = models.PositiveSmallIntegerField()
    paged_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["paged_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "peer", "step_index", "loop_count"], name="page_once_per_step"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.peer} paged for {self.request}"


class EventKind(models.TextChoices):
    PAGED = "paged", _("Peers were paged")
    SKIPPED = "skipped", _("A step had nobody to page and was skipped")
    FALLBACK = "fallback", _("A preference left nobody; the team was asked instead")
    EXHAUSTED = "exhausted", _("Every step passed unanswered; the coordinator was alerted")
    ACKNOWLEDGED = "acknowledged", _("A peer took the request")
    STARTED = "started", _("Contact started")
    REOPENED = "reopened", _("Contact did not start in time; escalation resumed")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled by the requester")


class Event(models.Model):
    """The request's timeline, without names: what the engine and people did."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    kind = models.CharField(max_length=15, choices=EventKind.choices)
    step_index = models.PositiveSmallIntegerField(null=True, blank=True)
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.request}: {self.kind}"


class Exclusion(models.Model):
    """Someone a person never wants paged for them (e.g. their chain of command).
    Private: only its owner ever sees it."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exclusions")
    excluded = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "excluded"], name="exclusion_once"),
            models.CheckConstraint(
                condition=~Q(owner=models.F("excluded")), name="exclusion_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"exclusion {self.pk}"
