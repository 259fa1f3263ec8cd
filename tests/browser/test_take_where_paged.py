"""Where a page arrives, in Chromium. The service worker: a pushed page shows an "I'll
take it" action, whose post takes the request with the browser's own session, or says
plainly that another peer took it. And a page's e-mail, as a phone shows it.

A test cannot tap a system notification, so the service worker's own functions are
called in its scope: ``showPushed`` with the payload the push transport builds, and
``take`` with the notification's data, as ``notificationclick`` does.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from playwright.sync_api import BrowserContext, Page, Worker
from pytest_django.fixtures import Settings

from backline.accounts.roles import Role
from backline.notify import outbox
from backline.notify.email.transport import EmailTransport
from backline.notify.models import Channel, OutgoingMessage
from backline.notify.push.transport import _payload
from backline.notify.transport import Envelope
from backline.support import escalation, lifecycle, messages
from backline.support.models import Page as SupportPage
from backline.support.models import RequestStatus, SupportRequest
from tests import asking
from tests.browser.support import check_page, sign_in
from tests.personas import World, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTIFICATIONS = """async () => (await self.registration.getNotifications()).map(
  (n) => ({title: n.title, body: n.body, actions: n.actions.map((a) => a.title), data: n.data})
)"""


def service_worker(page: Page, context: BrowserContext, site: str) -> Worker:
    """Backline's service worker, which every page registers."""
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    if not context.service_workers:
        context.wait_for_event("serviceworker")
    return context.service_workers[0]


def paged(world: World) -> tuple[SupportRequest, SupportPage]:
    request, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact="call")
    )
    page = SupportPage.objects.create(request=request, peer=world.peer, step_index=0, loop_count=0)
    return request, page


def envelope_of(page: SupportPage, channel: str, address: str) -> Envelope:
    """The envelope the outbox makes of the page's message to its peer by ``channel``
    (from a row it is not worth saving here: only its id is needed, for the key)."""
    said = messages.page(page.link_id, "now")
    message = OutgoingMessage(
        pk=page.pk,
        recipient=page.peer,
        channel=channel,
        subject=said.subject,
        body=said.body,
        link=said.link,
        action=said.action,
    )
    envelope = outbox._envelope(message, address, "en")
    assert envelope is not None
    return envelope


def push_payload(page: SupportPage) -> dict[str, Any]:
    """What the push transport would encrypt for this browser."""
    return _payload(envelope_of(page, Channel.PUSH, "this browser's subscription"))


def test_the_action_takes_the_request_or_says_another_peer_took_it(
    page: Page, context: BrowserContext, site: str, world: World, settings: Settings
) -> None:
    settings.BACKLINE_PUBLIC_URL = site
    context.grant_permissions(["notifications"], origin=site)
    sign_in(page, site, world.peer, world.totp_secrets[world.peer.pk])
    worker = service_worker(page, context, site)
    request, support_page = paged(world)

    worker.evaluate("(payload) => showPushed(payload)", push_payload(support_page))
    [shown] = worker.evaluate(NOTIFICATIONS)
    assert shown["title"] == "Backline: support request — now"
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
    other = make_person("other@harbor.test", "Oli Other", world.agency, Role.PEER)
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_page_e_mail_reads_well_on_a_phone(
    page: Page, settings: Settings, world: World, scheme: Literal["light", "dark"]
) -> None:
    """The HTML part the e-mail transport sends, in Chromium at 375 px: axe, and one
    large button that fits the screen."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _, support_page = paged(world)
    EmailTransport().send(envelope_of(support_page, Channel.EMAIL, "pat@mail.test"))
    sent = mail.outbox[-1]
    assert isinstance(sent, EmailMultiAlternatives)
    [(html, kind)] = sent.alternatives
    assert isinstance(html, str)
    assert kind == "text/html"
    page.set_viewport_size({"width": 375, "height": 667})
    page.emulate_media(color_scheme=scheme)
    page.set_content(html)
    check_page(page, f"page-email-{scheme}")
    button = page.get_by_role("link", name="I'll take it")
    box = button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 300
