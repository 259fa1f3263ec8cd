"""The demo team's check-ins: the demo peer checks in with the demo telecommunicator
every week, at 10:00 their time, for two months; this week's check-in has just gone out
and waits for an answer in the telecommunicator's inbox."""

from __future__ import annotations

from datetime import time, timedelta
from functools import partial

from backline.accounts.models import Region, User
from backline.checkins import texts
from backline.checkins.models import Nudge, Plan, schedule
from backline.checkins.recurrence import Frequency
from backline.lib import clock
from backline.notify import outbox

PEER_EMAIL = "peer@example.org"
COLLEAGUE_EMAIL = "telecom@example.org"
AT = time(10, 0)
WEEKS = 8


def load(region: Region) -> None:
    now = clock.now()
    peer = User.objects.get(email=PEER_EMAIL)
    colleague = User.objects.get(email=COLLEAGUE_EMAIL)
    zone = colleague.time_zone
    today = now.astimezone(zone).date()
    plan = Plan(
        region=region,
        peer=peer,
        colleague=colleague,
        frequency=Frequency.WEEKLY,
        starts_on=today,
        at=AT,
        time_zone=zone.key,
        ends_on=today + timedelta(weeks=WEEKS),
    )
    schedule(plan, now)
    plan.save()
    nudge = Nudge.objects.create(plan=plan, colleague=colleague, due_at=now, sent_at=now)
    key = f"checkin:{plan.pk}"
    outbox.enqueue(
        colleague.pk, key, f"{key}:demo", partial(texts.nudge, nudge.link_id), now, inapp_only=True
    )
