"""The fault drill's counting (bench/faults/tally.py), on accounts made by hand: a page
is delivered by what the mail server received, whatever the outbox says, and a resend
is known by its row's address and link, so that one under a new Message-ID shows."""

from __future__ import annotations

import httpx

from bench.faults.people import ACCEPTED, BARE_ERROR, OWN_ERROR_PAGE, Person, Post, outcome_of
from bench.faults.tally import tally

LINK = "http://127.0.0.1:8000/support/p/{}/"


def request(ref: str, requester: str, status: str = "open") -> dict[str, object]:
    return {"id": ref, "requester": requester, "status": status, "paged": True}


def row(ref: str, status: str = "sent") -> dict[str, object]:
    return {"request": ref, "address": "peer@drill.test", "link": LINK.format(ref),
            "status": status, "attempts": 1}  # fmt: skip


def received(ref: str, message_id: str, at: float = 1.0) -> dict[str, object]:
    return {"at": at, "message_id": message_id, "to": ["peer@drill.test"],
            "links": [LINK.format(ref)]}  # fmt: skip


def accepted(email: str, ref: str) -> Post:
    return Post(Person(email, 0), sent=0.0, outcome=ACCEPTED, request=ref)


def test_each_page_is_counted_by_what_the_mail_server_received() -> None:
    collected = {
        "requests": [request(r, f"{r}@drill.test") for r in "abcde"],
        # the outbox says "failed" for c, whose mail the server had before a crash
        "emails": [row("a"), row("b"), row("c", "failed"), row("d", "failed"), row("e", "pending")],
    }
    sink = [
        received("a", "<1@backline>", at=4.0),
        received("b", "<2@backline>"),
        received("b", "<2@backline>", at=2.0),
        {"unanswered": "<2@backline>", "at": 1.5},
        received("c", "<3@backline>"),
        received("c", "<a new one@backline>", at=3.0),
    ]
    posts = [accepted(f"{r}@drill.test", r) for r in "abcde"]
    counted = tally(posts, collected, sink)
    assert (counted.pages, counted.delivered, counted.given_up, counted.still_waiting) == (
        5, 3, 1, 1,
    )  # fmt: skip
    assert (counted.resent_rows, counted.extra_copies, counted.unanswered) == (2, 2, 1)
    assert (counted.resent_same_id, counted.resent_other_id) == (1, 1)
    assert counted.last_delivery_after(1.5) == 2.5  # a came at 4.0; b and c first at 1.0


def test_a_post_is_lost_when_it_said_sent_and_nothing_was_made() -> None:
    collected = {"requests": [request("a", "made@drill.test")], "emails": [row("a")]}
    posts = [
        accepted("lost@drill.test", "gone"),
        Post(Person("made@drill.test", 0), sent=0.0, outcome=OWN_ERROR_PAGE, detail="HTTP 500"),
    ]
    counted = tally(posts, collected, [received("a", "<1@backline>")])
    assert (counted.accepted_lost, counted.refused_but_made) == (1, 1)
    assert counted.posts == {ACCEPTED: 1, OWN_ERROR_PAGE: 1}


def test_a_bare_error_page_is_told_from_backlines_own() -> None:
    redirect = httpx.Response(302, headers={"location": "/support/requests/abc/"})
    own = httpx.Response(500, text='<main class="error-page"><a href="tel:988">988</a></main>')
    bare = httpx.Response(500, text="<h1>Server Error (500)</h1>")
    assert outcome_of(redirect) == (ACCEPTED, "abc")
    assert outcome_of(own) == (OWN_ERROR_PAGE, None)
    assert outcome_of(bare) == (BARE_ERROR, None)
