"""The service worker in Chromium: a pushed page shows an "I'll take it" action, and the
action's post takes the request with the browser's own session, or says plainly that
another peer took it.

A test cannot tap a system notification, so the service worker's own functions are
called in its scope: ``showPushed`` with the payload the push transport builds, and
``take`` with the notification's data, as ``notificationclick`` does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import BrowserContext, Page, Worker

from backline.notify.models import OutgoingMessage
from backline.notify.push.transport import _payload
from backline.support import escalation, lifecycle, messages
from backline.support.models import Page as SupportPage
from backline.support.models import RequestStatus, SupportRequest
from tests.browser.support import sign_in
from tests.personas import World, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTIFICATIONS = """async () => (await self.registration.getNotifications()).map(
  (n) => ({title: n.title, body: n.body, actions: n.actions.map((a) => a.title), data: n.data})
)"""


def service_worker(page: Page, context: BrowserContext, site: str) -> Worker:
    with context.expect_event("serviceworker") as registered:
        page.evaluate(
            "async () => { await navigator.serviceWorker.register("
            "'/notify/service-worker.js', {scope: '/'}); }"
        )
    worker = registered.value
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    return worker


def paged(world: World) -> tuple[SupportRequest, SupportPage]:
    request, _ = escalation.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact="call")
    )
    page = SupportPage.objects.create(request=request, peer=world.peer, step_index=0, loop_count=0)
    return request, page


def push_payload(page: SupportPage) -> dict:
    """What the push transport would encrypt for this browser."""
    said = messages.page(page.link_id)
    return _payload(
        OutgoingMessage(
            recipient=page.peer,
            channel="push",
            subject=said.subject,
            body=said.body,
            link=said.link,
            action=said.action,
        )
    )


def test_the_action_takes_the_request_or_says_another_peer_took_it(
    page: Page, context: BrowserContext, site: str, world: World, settings
):
    settings.BACKLINE_PUBLIC_URL = site
    context.grant_permissions(["notifications"], origin=site)
    sign_in(page, site, world.peer, world.totp_secrets[world.peer.pk])
    worker = service_worker(page, context, site)
    request, support_page = paged(world)

    worker.evaluate("(payload) => showPushed(payload)", push_payload(support_page))
    [shown] = worker.evaluate(NOTIFICATIONS)
    assert shown["title"] == "Backline: a colleague is asking for support"
    assert shown["actions"] == ["I'll take it"]
    assert "Tess" not in str(shown) and "Caller" not in str(shown)

    # the tap: no user gesture reaches a test, so the page cannot open and a
    # notification says what happened instead
    worker.evaluate("(data) => take(data)", shown["data"])
    request.refresh_from_db()
    assert (request.status, request.acknowledged_by_id) == (
        RequestStatus.ACKNOWLEDGED,
        world.peer.pk,
    )
    assert {"title": "You took the request", "body": "Please reach out within 15 minutes."} in [
        {"title": n["title"], "body": n["body"]} for n in worker.evaluate(NOTIFICATIONS)
    ]

    # another request, which another peer takes first
    lifecycle.close(request, world.peer)
    other = make_person("other@harbor.test", "Oli Other", world.agency, "peer")
    second, second_page = paged(world)
    SupportPage.objects.create(request=second, peer=other, step_index=1, loop_count=0)
    assert lifecycle.acknowledge(second, other, timedelta(minutes=5))
    worker.evaluate("(payload) => showPushed(payload)", push_payload(second_page))
    link = messages.page_link(second_page.link_id)
    data = next(n["data"] for n in worker.evaluate(NOTIFICATIONS) if n["data"]["url"] == link)
    worker.evaluate("(data) => take(data)", data)
    assert {
        "title": "Backline: request taken",
        "body": "Another peer already took this request. Thank you.",
    } in [{"title": n["title"], "body": n["body"]} for n in worker.evaluate(NOTIFICATIONS)]
    second.refresh_from_db()
    assert second.acknowledged_by_id == other.pk
