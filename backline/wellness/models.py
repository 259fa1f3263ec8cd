"""A person's own self-check results, and the reminders they asked for.

A result row holds, in the clear, only whose it is and when it was taken; which check it
was and every answer are sealed (``lib.crypto``): a database dump, a backup or an
administrator reads nothing of it. Scores are not stored at all: they are worked out
from the answers, by the instrument's published rules, when the owner looks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import User
from backline.lib.fields import SealedTextField
from backline.wellness.instruments import INSTRUMENTS, Instrument, Result, score


@dataclass(frozen=True)
class Answers:
    """What the person answered: the instrument, one answer per item, and the answer to
    its unscored extra question, if it has one and they gave it."""

    instrument: Instrument
    items: tuple[int, ...]
    extra: int | None = None

    def dumps(self) -> str:
        return json.dumps(
            {"instrument": self.instrument.key, "items": self.items, "extra": self.extra}
        )

    @classmethod
    def loads(cls, text: str) -> Answers:
        data = json.loads(text)
        return cls(INSTRUMENTS[data["instrument"]], tuple(data["items"]), data.get("extra"))

    @property
    def result(self) -> Result:
        return score(self.instrument, self.items)


class SelfCheckQuerySet(models.QuerySet["SelfCheck"]):
    def visible_to(self, user: User) -> SelfCheckQuerySet:
        """A person's results are theirs alone: nobody else, whatever their role."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class SelfCheck(models.Model):
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="self_checks")
    taken_at = models.DateTimeField()
    answers_sealed = SealedTextField()
    # a form's own token, digested: a double tap or a reload saves one result
    once_digest = models.CharField(max_length=64, unique=True)

    objects = SelfCheckQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["owner", "taken_at"], name="selfcheck_owner_taken")]
        constraints = [
            models.CheckConstraint(condition=~Q(answers_sealed=""), name="selfcheck_sealed")
        ]

    def __str__(self) -> str:
        return f"self-check {self.pk}"  # never what it says

    @property
    def answers(self) -> Answers:
        return Answers.loads(self.answers_sealed)


def of(user: User) -> list[SelfCheck]:
    """The person's results, oldest first."""
    return list(SelfCheck.objects.visible_to(user).order_by("taken_at", "pk"))


def by_instrument(checks: list[SelfCheck]) -> dict[str, list[tuple[datetime, Result]]]:
    found: dict[str, list[tuple[datetime, Result]]] = {}
    for check in checks:
        answers = check.answers
        found.setdefault(answers.instrument.key, []).append((check.taken_at, answers.result))
    return found


class Every(models.TextChoices):
    TWO_WEEKS = "2w", _("Every two weeks")
    MONTH = "month", _("Every month")
    QUARTER = "quarter", _("Every three months")


class Reminder(models.Model):
    """A person's wish to be reminded to take a self-check (which one, they choose when
    it comes): the engine sends it at ``next_at``, then moves it on."""

    owner = models.OneToOneField(User, on_delete=models.CASCADE, related_name="self_check_reminder")
    every = models.CharField(max_length=8, choices=Every.choices)
    next_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(every__in=Every.values), name="selfcheck_reminder_every_known"
            )
        ]

    def __str__(self) -> str:
        return f"self-check reminder {self.pk}"


def remove_all(user: User) -> int:
    """Deletes every result of the person; returns how many there were."""
    deleted, _counts = SelfCheck.objects.filter(owner=user).delete()
    return deleted
