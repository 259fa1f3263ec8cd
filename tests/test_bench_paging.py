"""The paging benchmark reads each e-mail's step from the ``Page`` row its link names,
and measures the first page from the click: these hold as Backline's links change."""

from __future__ import annotations

from datetime import UTC, datetime

from backline.support import messages
from bench.paging.db import linked_page
from bench.paging.outcome import delivery
from bench.paging.people import Person, Post


def test_a_page_and_an_alert_name_their_page_by_their_link() -> None:
    assert linked_page(messages.page("PaGe1d", "now").link) == "PaGe1d"
    assert linked_page(messages.organize("AlErT1d", "now").link) == "AlErT1d"


def test_a_link_to_anything_else_names_no_page() -> None:
    assert linked_page(messages.peer_coming("/support/requests/abc/").link) is None
    assert linked_page("http://127.0.0.1/not/a/page/") is None


def email(request: str, step: int | None, provider_id: str) -> dict[str, object]:
    return {
        "request": request,
        "step": step,
        "loop": 0,
        "status": "sent",
        "attempts": 1,
        "created_at": None,
        "sent_at": None,
        "provider_id": provider_id,
        "error": "",
    }


def test_the_first_page_counts_from_the_click_and_only_the_first_steps_e_mails() -> None:
    collected = {
        "requests": [{"pk": "r1", "requested_at": "2026-12-01T12:00:01+00:00"}],
        "pages": [{"request": "r1"}],
        "emails": [email("r1", 1, "<later@x>"), email("r1", 0, "<first@x>")],
    }
    t0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC).timestamp()  # the click
    received = [
        {"message_id": "<later@x>", "at": t0 + 2},
        {"message_id": "<first@x>", "at": t0 + 3},
    ]
    post = Post(Person("tc@bench.test", 0, 0), sent=t0, answered=t0 + 1.5, pk="r1")

    found = delivery(collected, received, [post])

    assert found.from_click == [3.0]  # the click, not requested_at (1 s later)
    assert found.smtp == [2.0]
    assert found.from_response == [1.5]
    assert (found.emails, found.without_page, found.without_email) == (1, 0, 0)
