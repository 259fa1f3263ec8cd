"""The demo team's load: a few weeks of contacts that peers took and closed, with the
pages that reached them (some at night), and one peer on a break for the coming days.

The past contacts are anonymous requests, long closed: their requesters are nobody,
so no demo colleague is shown as having asked.
"""

from __future__ import annotations

from datetime import timedelta

from backline.accounts.models import Region, User
from backline.lib import clock
from backline.oncall import breaks
from backline.support.models import Page, PageKind, RequestStatus, SupportRequest, Urgency

WEEKS = 6
BREAK_DAYS = 5
# (peer's place in the rotation, contacts a week): the demo peer carries the most
LOAD = [(0, 3), (3, 1), (4, 2), (5, 1)]
ON_A_BREAK = 6  # the peer in that place needs a break


def load(region: Region, peers: list[User]) -> None:
    now = clock.now()
    contacts = []
    paged: list[tuple[int, User]] = []
    for place, a_week in LOAD:
        peer = peers[place]
        for week in range(WEEKS):
            for number in range(a_week):
                # evenings and nights, spread over the week
                asked = now - timedelta(weeks=week + 1, days=number * 2, hours=(number * 5) % 12)
                contacts.append(
                    SupportRequest(
                        region=region,
                        anonymous=True,
                        urgency=Urgency.NOW,
                        status=RequestStatus.CLOSED,
                        requested_at=asked,
                        acknowledged_by=peer,
                        acknowledged_at=asked + timedelta(minutes=4),
                        coming_by=asked + timedelta(minutes=20),
                        started_at=asked + timedelta(minutes=15),
                        closed_at=asked + timedelta(minutes=70),
                    )
                )
                paged.append((len(contacts) - 1, peer))
    made = SupportRequest.objects.bulk_create(contacts)
    Page.objects.bulk_create(
        Page(
            request=made[index],
            peer=peer,
            kind=PageKind.PEER,
            step_index=0,
            loop_count=0,
            paged_at=made[index].requested_at,
        )
        for index, peer in paged
    )
    breaks.take(peers[ON_A_BREAK], now + timedelta(days=BREAK_DAYS), now)
