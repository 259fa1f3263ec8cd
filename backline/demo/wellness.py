"""The demo telecommunicator's own self-checks over the last six weeks, and a monthly
reminder; the demo peer's ProQOL 5 from last quarter, so that this quarter's is offered.
Only each of them can see their own."""

from __future__ import annotations

from datetime import timedelta

from backline.accounts.models import User
from backline.lib import clock, tokens
from backline.wellness import reminders
from backline.wellness.instruments import INSTRUMENTS
from backline.wellness.models import Answers, Every, SelfCheck

TELECOMMUNICATOR_EMAIL = "telecom@example.org"
PEER_EMAIL = "peer@example.org"
# (days ago, instrument, answers): a hard stretch after a bad call, and coming back
HISTORY = [
    (41, "stress", [1]),
    (40, "phq9", [1, 1, 1, 1, 0, 1, 1, 0, 0]),
    (40, "gad7", [1, 2, 1, 1, 0, 2, 1]),
    (34, "stress", [2]),
    (27, "stress", [1]),
    (26, "phq9", [1, 2, 2, 2, 1, 1, 1, 0, 0]),
    (20, "stress", [1]),
    (13, "stress", [0]),
    (12, "phq9", [1, 1, 1, 1, 0, 1, 0, 0, 0]),
    (12, "gad7", [1, 1, 1, 1, 0, 1, 0]),
    (6, "stress", [0]),
]
PEER_PROQOL = [4, 2, 4, 4, 2, 4, 3, 1, 2, 2, 2, 5, 1, 1, 4, 4, 3, 4, 3, 4,
               3, 5, 1, 5, 1, 3, 4, 1, 5, 5]  # fmt: skip


def _save(owner: User, days_ago: int, key: str, items: list[int]) -> None:
    SelfCheck.objects.create(
        owner=owner,
        taken_at=clock.now() - timedelta(days=days_ago, hours=3),
        answers_sealed=Answers(INSTRUMENTS[key], tuple(items)).dumps(),
        once_digest=tokens.digest(tokens.new_token()),
    )


def load() -> None:
    telecommunicator = User.objects.get(email=TELECOMMUNICATOR_EMAIL)
    for days_ago, key, items in HISTORY:
        _save(telecommunicator, days_ago, key, items)
    reminders.set_reminder(telecommunicator, Every.MONTH, clock.now())
    _save(
        User.objects.get(email=PEER_EMAIL), reminders.PEER_CHECK_DAYS + 10, "proqol5", PEER_PROQOL
    )
