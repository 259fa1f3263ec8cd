"""Check-in plans, the nudges they send, and colleagues' opt-outs.

A ``Plan`` belongs to the peer who made it and is visible to them alone
(``Plan.objects.visible_to``). It keeps its rule (``recurrence.Rule``) and the next
moments the engine acts on: ``next_at`` (the next nudge) and ``remind_at`` (the peer's
reminder before it). A peer who leaves the team hands the plan over: ``peer`` is
emptied, ``handed_over_at`` set, and nothing is sent until the colleague chooses another
peer (or ends it).

A ``Nudge`` is one occurrence sent to the colleague, answered in one tap. It outlives its
plan (``plan`` is emptied when the plan is deleted), so that a late answer is met with a
clear message instead of a missing page.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User, validate_time_zone
from backline.checkins.recurrence import Frequency, Rule
from backline.lib import clock

# the peer is reminded this long before each check-in
REMIND_BEFORE = timedelta(hours=1)


def new_link_id() -> str:
    """What a nudge's link carries: random, so that it reveals neither order nor volume."""
    return secrets.token_urlsafe(12)


class PlanQuerySet(models.QuerySet["Plan"]):
    def visible_to(self, viewer: User) -> PlanQuerySet:
        """A plan is the planning peer's alone: not the colleague's list, never a
        coordinator's (they see counts, ``handover.counts``)."""
        if not viewer.is_authenticated or not viewer.is_active:
            return self.none()
        return self.filter(peer=viewer)


class Plan(models.Model):
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    peer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="checkin_plans"
    )
    colleague = models.ForeignKey(User, on_delete=models.CASCADE, related_name="checkins_for_me")
    frequency = models.CharField(_("how often"), max_length=12, choices=Frequency.choices)
    starts_on = models.DateField(_("first day"))
    at = models.TimeField(_("time"))
    time_zone = models.CharField(max_length=64, validators=[validate_time_zone])
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    next_index = models.PositiveIntegerField(default=0)
    next_at = models.DateTimeField(null=True, blank=True, db_index=True)
    remind_at = models.DateTimeField(null=True, blank=True, db_index=True)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["next_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="checkin_plan_frequency_known"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="checkin_plan_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(frequency=Frequency.ONCE, ends_on__isnull=True)
                | (~Q(frequency=Frequency.ONCE) & Q(ends_on__isnull=False)),
                name="checkin_plan_recurring_has_an_end",
            ),
            models.CheckConstraint(
                condition=~Q(peer=models.F("colleague")), name="checkin_plan_not_with_oneself"
            ),
            models.CheckConstraint(
                condition=Q(peer__isnull=False) | Q(handed_over_at__isnull=False),
                name="checkin_plan_peer_unless_handed_over",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in plan {self.pk}"

    @property
    def rule(self) -> Rule:
        return Rule(self.frequency, self.starts_on, self.at, self.time_zone, self.ends_on)

    @property
    def place(self) -> str:
        """Where the colleague's clock is: "Los Angeles" for America/Los_Angeles."""
        return self.time_zone.rsplit("/", 1)[-1].replace("_", " ")


class Answer(models.TextChoices):
    WAITING = "", _("Not answered yet")
    GOOD = "good", _("I'm good")
    TALK = "talk", _("Let's talk")
    LATER = "later", _("Not now")


class Nudge(models.Model):
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="nudges"
    )
    colleague = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    link_id = models.CharField(max_length=16, unique=True, default=new_link_id, editable=False)
    # the occurrence it stands for, in UTC; with ``plan``, it is sent once
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(default=clock.now)
    answer = models.CharField(
        max_length=8, choices=Answer.choices, default=Answer.WAITING, blank=True
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True, db_index=True)
    times_sent = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "due_at"], name="checkin_nudge_once"),
            models.CheckConstraint(
                condition=Q(answer__in=Answer.values), name="checkin_nudge_answer_known"
            ),
            models.CheckConstraint(
                condition=Q(answer=Answer.LATER, snoozed_until__isnull=False)
                | (~Q(answer=Answer.LATER) & Q(snoozed_until__isnull=True)),
                name="checkin_nudge_snoozed_until_when_later",
            ),
            models.CheckConstraint(
                condition=Q(answer=Answer.WAITING) | Q(answered_at__isnull=False),
                name="checkin_nudge_answered_at",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in {self.pk}"

    @property
    def closed(self) -> bool:
        return self.answer in (Answer.GOOD, Answer.TALK)


class OptOut(models.Model):
    """A colleague's "no check-ins": from everyone (``peer`` empty) or from one peer."""

    colleague = models.ForeignKey(User, on_delete=models.CASCADE, related_name="checkin_opt_outs")
    peer = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["colleague", "peer"], name="checkin_opt_out_once"),
            models.UniqueConstraint(
                fields=["colleague"],
                condition=Q(peer__isnull=True),
                name="checkin_opt_out_of_all_once",
            ),
        ]

    def __str__(self) -> str:
        return f"check-in opt-out {self.pk}"


def opted_out(colleague_id: int, peer_id: int | None) -> bool:
    """Whether the colleague wants no check-ins from this peer (or from anyone)."""
    return OptOut.objects.filter(
        Q(peer__isnull=True) | Q(peer_id=peer_id), colleague_id=colleague_id
    ).exists()


def schedule(plan: Plan, after: datetime) -> None:
    """Set the plan's next nudge to its first occurrence after ``after`` (none: the plan
    is done), and the peer's reminder before it, unless that moment has passed."""
    found = plan.rule.first_after(after)
    if found is None:
        plan.next_at = plan.remind_at = None
        return
    plan.next_index, plan.next_at = found
    remind_at = plan.next_at - REMIND_BEFORE
    plan.remind_at = remind_at if remind_at > after else None
