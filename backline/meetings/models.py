"""Structured sessions and the people invited to them.

A ``Meeting`` is one session of a team (a defusing, a debriefing, a support group, a
training): when, where (a place, a video link or both), how many seats, who facilitates.
Its ``uid`` never changes and its ``sequence`` grows at every change that invitations
carry, so calendars replace the event rather than add one. ``remind_day_at`` and
``remind_hour_at`` are the moments the engine reminds those coming; each is emptied
when it is claimed, so each reminder goes out once.

An ``Invitee`` is one person's invitation and answer. Who answered what is for the
facilitators alone (``Meeting.attendees_visible_to``); an invitee sees how many are
coming, never who. The seats taken are the "yes" answers: never more than the capacity,
kept so under a lock of the session's row (``seats``).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User
from backline.lib import clock

REMIND_DAY_BEFORE = timedelta(days=1)
REMIND_HOUR_BEFORE = timedelta(hours=1)
MAX_CAPACITY = 500


class Kind(models.TextChoices):
    DEFUSING = "defusing", _("Defusing")
    DEBRIEFING = "debriefing", _("Debriefing")
    SUPPORT_GROUP = "support_group", _("Support group")
    TRAINING = "training", _("Training")


def new_uid() -> str:
    """The event's identity in every calendar: random, so it tells nothing."""
    return f"{uuid.uuid4()}@backline"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def visible_to(self, viewer: User) -> MeetingQuerySet:
        """Sessions the viewer is invited to, facilitates or organised, in their teams."""
        if not viewer.is_authenticated or not viewer.is_active:
            return self.none()
        mine = Q(invitees__person=viewer) | Q(facilitators=viewer) | Q(organiser=viewer)
        regions = {m.region_id for m in viewer.all_memberships}
        ids = self.filter(mine, region_id__in=regions).values("pk")
        return self.filter(pk__in=ids)

    def upcoming(self, now: datetime) -> MeetingQuerySet:
        return self.filter(ends_at__gt=now)


class Meeting(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind of session"), max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveSmallIntegerField(_("seats"))
    organiser = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    facilitators = models.ManyToManyField(User, related_name="facilitating")
    uid = models.CharField(max_length=80, unique=True, default=new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    remind_day_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remind_hour_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="meeting_kind_known"),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=MAX_CAPACITY),
                name="meeting_capacity_in_range",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="meeting_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=~Q(place="", video_link=""), name="meeting_has_a_place_or_a_link"
            ),
        ]

    def __str__(self) -> str:
        return f"session {self.pk}"

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    def coming(self) -> int:
        return self.invitees.filter(answer=Answer.YES).count()

    def facilitated_by(self, user: User) -> bool:
        return self.facilitators.filter(pk=user.pk).exists()

    def managed_by(self, user: User) -> bool:
        """The organiser and the facilitators may change or cancel it."""
        return self.organiser_id == user.pk or self.facilitated_by(user)


def reminders(meeting: Meeting, now: datetime) -> None:
    """Set the session's reminders for its start, leaving out those already past."""
    day, hour = meeting.starts_at - REMIND_DAY_BEFORE, meeting.starts_at - REMIND_HOUR_BEFORE
    meeting.remind_day_at = day if day > now else None
    meeting.remind_hour_at = hour if hour > now else None


class Answer(models.TextChoices):
    WAITING_FOR_ANSWER = "", _("Not answered yet")
    YES = "yes", _("Coming")
    MAYBE = "maybe", _("Maybe")
    NO = "no", _("Not coming")
    WAITING_LIST = "waiting", _("On the waiting list")


class InviteeQuerySet(models.QuerySet["Invitee"]):
    def waiting_list(self) -> InviteeQuerySet:
        return self.filter(answer=Answer.WAITING_LIST).order_by("waiting_since", "pk")


class Invitee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    # the waiting list's order: who asked first moves up first
    waiting_since = models.DateTimeField(null=True, blank=True)
    invited_at = models.DateTimeField(default=clock.now, editable=False)

    objects = InviteeQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_invitee_once"),
            models.CheckConstraint(
                condition=Q(answer__in=Answer.values), name="meeting_invitee_answer_known"
            ),
            models.CheckConstraint(
                condition=Q(answer=Answer.WAITING_LIST, waiting_since__isnull=False)
                | (~Q(answer=Answer.WAITING_LIST) & Q(waiting_since__isnull=True)),
                name="meeting_invitee_waiting_since_when_waiting",
            ),
            models.CheckConstraint(
                condition=Q(answer="") | Q(answered_at__isnull=False),
                name="meeting_invitee_answered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk}"
