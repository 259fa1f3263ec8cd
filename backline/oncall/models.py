"""Who is on call when: rotations, schedules, overrides, offers, availability."""

from __future__ import annotations

from datetime import time
from typing import Self, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User, validate_time_zone
from backline.accounts.roles import Role
from backline.lib import clock

_M = TypeVar("_M", bound=models.Model)


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class RotationKind(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    CUSTOM = "custom", _("Custom shift length")


def _regions(user: User | AnonymousUser, *roles: str) -> list[int]:
    if not user.is_authenticated or not user.is_active:
        return []
    return [m.region_id for m in user.all_memberships if m.role in roles]


class RegionScopedQuerySet(models.QuerySet[_M]):
    """Scope by the region a row belongs to (``region_path`` names it)."""

    region_path = "region"

    def managed_by(self, user: User | AnonymousUser) -> Self:
        """What a coordinator runs: their regions' rows."""
        return self.filter(**{f"{self.region_path}__in": _regions(user, Role.COORDINATOR)})

    def visible_to(self, user: User | AnonymousUser) -> Self:
        """What a region's peers and coordinators may see (the roster is not secret)."""
        regions = _regions(user, Role.PEER, Role.COORDINATOR)
        return self.filter(**{f"{self.region_path}__in": regions})


class RotationQuerySet(RegionScopedQuerySet["Rotation"]):
    pass


class ScheduleQuerySet(RegionScopedQuerySet["Schedule"]):
    pass


class OverrideQuerySet(RegionScopedQuerySet["Override"]):
    region_path = "rotation__region"


class ShiftOfferQuerySet(RegionScopedQuerySet["ShiftOffer"]):
    region_path = "rotation__region"

    def open(self) -> ShiftOfferQuerySet:
        return self.filter(override__isnull=True, withdrawn_at__isnull=True)


class Rotation(models.Model):
    """Peers take turns, in order, one shift each; shifts change at the hand-off time."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="rotations")
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=10, choices=RotationKind.choices, default=RotationKind.WEEKLY
    )
    shift_hours = models.PositiveSmallIntegerField(
        _("shift length (hours)"), default=24, help_text=_("Used by custom rotations.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])
    starts_on = models.DateField(_("first shift starts on"))
    handoff_time = models.TimeField(_("hand-off time"), default=time(8, 0))
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = RotationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="rotation_name_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=RotationKind.values), name="rotation_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(shift_hours__gte=1, shift_hours__lte=24 * 28),
                name="rotation_shift_hours_bounded",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RotationMember(models.Model):
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rotation_memberships"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "position"], name="rotation_member_position_unique"
            ),
            models.UniqueConstraint(fields=["rotation", "user"], name="rotation_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.rotation}: {self.position}. {self.user}"


class Schedule(models.Model):
    """Rotations combined by time windows, e.g. weekday evenings and weekends."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="schedules")
    name = models.CharField(_("name"), max_length=80)
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="schedule_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ScheduleWindow(models.Model):
    """On these weekdays, between these times (local), this rotation is on call.

    A window whose end is not after its start runs past midnight.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="windows")
    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="windows")
    weekdays = models.JSONField(
        _("weekdays"), default=list, help_text=_("0 is Monday, 6 is Sunday.")
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["schedule", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.rotation} {self.starts_at}-{self.ends_at}"

    def weekday_names(self) -> list[str]:
        names = dict(WEEKDAYS)
        return [str(names[day]) for day in sorted(self.weekdays) if day in names]


class Override(models.Model):
    """For a while, someone else covers a rotation (a swap taken, or a coordinator's
    assignment). With ``replaces`` empty it covers whoever is on call."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="overrides")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    replaces = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    covered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="overrides_covering"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = OverrideQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["rotation", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="override_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.covered_by} covers {self.rotation} {self.starts_at:%Y-%m-%d %H:%M}"


class ShiftOffer(models.Model):
    """A peer offers part of their shift; another peer takes it (becoming an override)."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="offers")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shift_offers"
    )
    override = models.OneToOneField(
        Override, null=True, blank=True, on_delete=models.SET_NULL, related_name="offer"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = ShiftOfferQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_offer_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(override__isnull=True) | Q(withdrawn_at__isnull=True),
                name="shift_offer_not_taken_and_withdrawn",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.offered_by} offers {self.rotation} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.override_id is None and self.withdrawn_at is None


class Availability(models.Model):
    """ "Available now": a peer says they can take requests until a time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    until = models.DateTimeField()
    set_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name_plural = _("availabilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gt=F("set_at")), name="availability_until_after_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} available until {self.until:%H:%M}"


class QuietHours(models.Model):
    """A peer's daily hours of rest (local): "all available" pages skip them then,
    unless they are on call; a request that can wait never pages them then
    (``oncall.waking``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours"
    )
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    time_zone = models.CharField(_("time zone"), max_length=64, validators=[validate_time_zone])

    class Meta:
        verbose_name_plural = _("quiet hours")
        constraints = [
            models.CheckConstraint(
                condition=~Q(starts_at=F("ends_at")), name="quiet_hours_not_all_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} quiet {self.starts_at}-{self.ends_at}"


class CalendarFeed(models.Model):
    """The private token of a peer's on-call calendar (ICS) subscription."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    def __str__(self) -> str:
        return f"calendar of {self.user}"


class Break(models.Model):
    """ "I need a break": a peer is out of paging from ``starts_at`` until ``until``, by
    every step (``oncall.breaks``). Others see only that they are unavailable, never
    why; ending it early deletes the row, so nothing is kept of it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="break_from_paging"
    )
    starts_at = models.DateTimeField(default=clock.now)
    until = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(until__gt=F("starts_at")), name="break_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} unavailable until {self.until:%Y-%m-%d}"
