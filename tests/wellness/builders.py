"""A self-check result as a test needs it: saved for ``owner``, as the form saves it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from backline.accounts.models import User
from backline.lib import clock, tokens
from backline.wellness.instruments import INSTRUMENTS
from backline.wellness.models import Answers, SelfCheck


def self_check(
    owner: User, key: str, items: Sequence[int], when: datetime | None = None
) -> SelfCheck:
    return SelfCheck.objects.create(
        owner=owner,
        taken_at=when or clock.now(),
        answers_sealed=Answers(INSTRUMENTS[key], tuple(items)).dumps(),
        once_digest=tokens.digest(tokens.new_token()),
    )


def answering(key: str, total: int) -> list[int]:
    """Answers to ``key``'s items that sum to ``total``, filled from the first item."""
    instrument = INSTRUMENTS[key]
    top = max(instrument.values)
    answers = []
    for _item in instrument.items:
        answers.append(min(top, total))
        total -= answers[-1]
    assert total == 0, "more than the instrument's maximum"
    return answers
