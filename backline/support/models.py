"""Support requests, escalation policies and the state of each request's escalation."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.lib.fields import SealedTextField
from backline.oncall.models import Rotation, Schedule

if TYPE_CHECKING:
    from backline.support.snapshot import Plan


class Urgency(models.TextChoices):
    NOW = "now", _("Now")
    HOURS = "hours", _("Within a few hours")
    WEEK = "week", _("This week")


class Contact(models.TextChoices):
    CALL = "call", _("Call me")
    TEXT = "text", _("Text me")
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Looking for a peer")
    ACKNOWLEDGED = "acknowledged", _("A peer is coming")
    STARTED = "started", _("In contact")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_STATUSES = (RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED)
# a peer who took a request in one of these is with a colleague: busy
BUSY_STATUSES = (RequestStatus.ACKNOWLEDGED, RequestStatus.STARTED)

# the slower clock of requests that can wait (docs/adr/0011-urgency.md)
HOURS_DELAY_FACTOR = 3
WEEK_DELAY_FACTOR = 12
MAX_DELAY_FACTOR = 24


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
    # how much slower a request that can wait escalates: each step waits its own wait
    # times this ("now" always uses the steps' own waits)
    hours_delay_factor = models.PositiveSmallIntegerField(
        _("slower clock for “within a few hours”"), default=HOURS_DELAY_FACTOR
    )
    week_delay_factor = models.PositiveSmallIntegerField(
        _("slower clock for “this week”"), default=WEEK_DELAY_FACTOR
    )

    class Meta:
        ordering = ["region", "name"]
        verbose_name_plural = _("escalation policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours_delay_factor__gte=1, hours_delay_factor__lte=MAX_DELAY_FACTOR),
                name="policy_hours_factor_bounded",
            ),
            models.CheckConstraint(
                condition=Q(
                    week_delay_factor__gte=F("hours_delay_factor"),
                    week_delay_factor__lte=MAX_DELAY_FACTOR,
                ),
                name="policy_week_no_faster_than_hours",
            ),
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

    def delay_factors(self) -> dict[str, int]:
        """How many times its own wait each step waits, by urgency."""
        return {
            Urgency.NOW: 1,
            Urgency.HOURS: self.hours_delay_factor,
            Urgency.WEEK: self.week_delay_factor,
        }


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
        """A requester sees their own requests; a peer sees the requests they took (who
        asked only while ``targets.taker_sees_requester`` allows). Coordinators and
        administrators see none: they never learn who asked."""
        if not viewer.is_authenticated:
            return self.none()
        return self.filter(Q(requester=viewer) | Q(acknowledged_by=viewer))

    def coordinated_by(self, viewer: User) -> SupportRequestQuerySet:
        """The requests of the teams ``viewer`` coordinates, for the coordinator's list
        and page, which show what the team did and never who asked."""
        if not viewer.is_authenticated:
            return self.none()
        return self.filter(region__in=viewer.regions_with(Role.COORDINATOR))

    def paged_to(self, viewer: User) -> SupportRequestQuerySet:
        """Requests Backline paged ``viewer`` for, as a peer. Only these can ever be
        offered to them; ``targets.may_take`` adds the requester's wishes, which are
        sealed and so cannot be filtered on here."""
        if not viewer.is_authenticated:
            return self.none()
        return self.filter(
            models.Exists(
                Page.objects.filter(request=models.OuterRef("pk"), peer=viewer, kind=PageKind.PEER)
            )
        )


def group_key_of(request_id: int) -> str:
    """The outbox group of a request's pages; ``:requester`` after it, of what the
    requester is told."""
    return f"support-request:{request_id}"


def new_public_id() -> str:
    """What a request's URLs carry: random, so that they reveal neither order nor volume."""
    return secrets.token_urlsafe(12)


ROUTING_BLOCK = 256


@dataclass(frozen=True)
class Routing:
    """The requester's wishes that would identify them at rest, sealed in one column:
    the agencies they asked a peer from outside of (every agency they work at), and
    who is never paged for them (their exclusion list; for an anonymous request, also
    the requester themselves)."""

    avoid_agency_ids: frozenset[int] = frozenset()
    excluded_ids: frozenset[int] = frozenset()

    def dumps(self) -> str:
        """JSON padded to a multiple of ``ROUTING_BLOCK`` characters, so that the sealed
        value's length does not tell how many people a requester excluded."""
        text = json.dumps(
            {"avoid_agencies": sorted(self.avoid_agency_ids), "excluded": sorted(self.excluded_ids)}
        )
        return text.ljust(-(-len(text) // ROUTING_BLOCK) * ROUTING_BLOCK)

    @classmethod
    def loads(cls, text: str) -> Routing:
        if not text:
            return cls()
        data = json.loads(text)
        return cls(frozenset(data["avoid_agencies"]), frozenset(data["excluded"]))


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
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    anonymous = models.BooleanField(default=False)
    follow_token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True)
    urgency = models.CharField(_("how soon"), max_length=10, choices=Urgency.choices)
    contact = models.CharField(
        _("how"), max_length=10, choices=Contact.choices, default=Contact.CALL
    )
    sealed_routing = SealedTextField(
        blank=True, help_text=_("Routing (outside agency, exclusions), sealed; see Routing.")
    )
    preferred_peer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    widened_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the requester chose to ask their whole team.")
    )
    narrowed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the wishes first left a step with nobody to page.")
    )
    kept_waiting_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the requester chose to keep waiting.")
    )
    note = SealedTextField(_("note"), blank=True)
    callback_number = SealedTextField(
        _("number to call or text"), blank=True, help_text=_("Erased when the request ends.")
    )
    place = SealedTextField(
        _("where, or which video app"),
        blank=True,
        help_text=_("In person: where to meet. Video: the app or link. Erased when it ends."),
    )
    form_token_digest = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The Reach out form it was sent from: sending that form again finds it."),
    )
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
    followup_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Until when the taker still sees who asked: the window when it ended."),
    )
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
            models.CheckConstraint(
                condition=~Q(status="open")
                | Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True, coming_by=None),
                name="open_request_is_not_taken",
            ),
            models.CheckConstraint(
                condition=~Q(status="acknowledged")
                | Q(acknowledged_at__isnull=False, coming_by__isnull=False),
                name="taken_request_has_its_times",
            ),
            models.CheckConstraint(
                condition=~Q(status="started") | Q(started_at__isnull=False),
                name="started_request_has_its_start",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RequestStatus.values),
                name="request_status_known",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=Urgency.values), name="request_urgency_known"
            ),
            models.CheckConstraint(
                condition=Q(contact__in=Contact.values), name="request_contact_known"
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.status})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            # refused now (``snapshot.Unreadable``), not later when one of its steps fires
            self.plan  # noqa: B018
        super().save(*args, **kwargs)

    @cached_property
    def plan(self) -> Plan:
        """The policy this request escalates by, as it stood when the request started:
        its snapshot, read once. Raises ``snapshot.Unreadable``."""
        from backline.support import snapshot  # which is built on this module's kinds

        return snapshot.parse(self.policy_snapshot)

    @property
    def group_key(self) -> str:
        """The outbox group of this request's pages."""
        return group_key_of(self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def awaits_peer(self) -> bool:
        """Open, or taken and contact not started yet: the requester is still waiting."""
        return self.status in (RequestStatus.OPEN, RequestStatus.ACKNOWLEDGED)

    @property
    def routing(self) -> Routing:
        return Routing.loads(self.sealed_routing)

    @routing.setter
    def routing(self, value: Routing) -> None:
        self.sealed_routing = value.dumps()

    @property
    def wishes_hold(self) -> bool:
        """Whether "outside my agency" or "a specific peer" still narrow who is paged
        (until the requester widens; exclusions always hold)."""
        return self.widened_at is None and bool(
            self.preferred_peer_id or self.routing.avoid_agency_ids
        )

    @property
    def asks_consent(self) -> bool:
        """Open, narrowed by its wishes, and nobody they allow has answered: the
        requester is asked to keep waiting, widen or cancel."""
        return (
            self.status == RequestStatus.OPEN
            and self.wishes_hold
            and bool(self.narrowed_at or self.exhausted_at)
        )


class EscalationState(models.Model):
    """Where a request's escalation stands; the engine re-reads it every tick."""

    request = models.OneToOneField(
        SupportRequest, on_delete=models.CASCADE, related_name="escalation", primary_key=True
    )
    step_index = models.PositiveSmallIntegerField(default=0)
    loop_count = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(db_index=True)
    waiting_for_waking = models.BooleanField(
        default=False,
        help_text=_(
            "The step due pages at next_escalation_at: its peers were all asleep, and the "
            "request can wait for the first of them to wake."
        ),
    )

    def __str__(self) -> str:
        return f"{self.request}: step {self.step_index}, loop {self.loop_count}"


class PageKind(models.TextChoices):
    PEER = "peer", _("Paged to take the request")
    COORDINATOR = "coordinator", _("Alerted to organize help")


class Page(models.Model):
    """One person paged for one request: a peer, whose notification links to the offer,
    or a coordinator, alerted to organize help (whose link leads to the coordinator's
    page of the request; they never take it from there). A page without a step was
    sent when a coordinator paged the available peers again."""

    request = models.ForeignKey(SupportRequest, on_delete=models.CASCADE, related_name="pages")
    peer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="pages")
    kind = models.CharField(max_length=12, choices=PageKind.choices, default=PageKind.PEER)
    link_id = models.CharField(
        max_length=16,
        unique=True,
        default=new_public_id,
        editable=False,
        help_text=_("What the notification's link carries: random, so it reveals no volume."),
    )
    step_index = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Empty when a coordinator paged again.")
    )
    loop_count = models.PositiveSmallIntegerField()
    paged_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["paged_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "peer", "step_index", "loop_count"], name="page_once_per_step"
            ),
            models.CheckConstraint(condition=Q(kind__in=PageKind.values), name="page_kind_known"),
        ]

    def __str__(self) -> str:
        return f"{self.peer} paged for {self.request}"


class EventKind(models.TextChoices):
    PAGED = "paged", _("Peers were paged")
    SKIPPED = "skipped", _("A step had nobody to page and was skipped")
    ALERTED = "alerted", _("The coordinator was alerted to organize help")
    NARROWED = "narrowed", _("The requester's wishes left nobody to page at a step")
    WIDENED = "widened", _("The requester asked their whole team")
    EXHAUSTED = "exhausted", _("Every step passed unanswered; the coordinator was alerted")
    REPAGED = "repaged", _("A coordinator paged the available peers again")
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
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_known"),
        ]

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


FOLLOWUP_DAYS_DEFAULT = 7
FOLLOWUP_DAYS_MAX = 30


class TeamSettings(models.Model):
    """A team's own choices about requests. A team without a row uses the defaults."""

    region = models.OneToOneField(
        Region, on_delete=models.CASCADE, related_name="support_settings", primary_key=True
    )
    followup_days = models.PositiveSmallIntegerField(
        _("days the peer still sees who asked"),
        default=FOLLOWUP_DAYS_DEFAULT,
        validators=[MaxValueValidator(FOLLOWUP_DAYS_MAX)],
        help_text=_(
            "After a request ends, the peer who took it sees who asked for this many days "
            '(0 to 30), for follow-up; then only "a colleague".'
        ),
    )

    class Meta:
        verbose_name_plural = _("team settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(followup_days__lte=FOLLOWUP_DAYS_MAX), name="followup_days_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"settings of {self.region}"
