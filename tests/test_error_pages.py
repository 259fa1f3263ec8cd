"""Error pages in Backline's own layout, with a way home and 988, never a traceback; the
500 page needs neither the database nor the context processors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, NoReturn

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import DatabaseError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client, RequestFactory
from django.urls import path, reverse
from django.views import defaults
from pytest_django import DjangoAssertNumQueries
from pytest_django.fixtures import Settings

import backline.urls
from backline.lib import clock
from backline.notify.models import NotificationRule
from backline.privacy.access import PUBLIC, access
from backline.support import escalation
from backline.support.models import Page, SupportRequest
from tests import asking
from tests.asking import reach_out_form
from tests.harness import ClientOf
from tests.personas import World

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse

SECRET = "db-password-in-the-error"


@access(PUBLIC)
def fails(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "bad":
        raise SuspiciousOperation(SECRET)
    if kind == "denied":
        raise PermissionDenied(SECRET)
    if kind == "missing":
        raise Http404(SECRET)
    if kind == "gone":
        return render(request, "410.html", status=410)
    if kind == "database":
        raise DatabaseError(SECRET)
    raise RuntimeError(SECRET)


urlpatterns = [*backline.urls.urlpatterns, path("fails/<str:kind>/", fails)]
handler500 = backline.urls.handler500


def broken_processor(request: HttpRequest) -> dict[str, object]:
    raise DatabaseError("the database is down")


def assert_error_page(
    response: HttpResponse | _MonkeyPatchedWSGIResponse, status: int, heading: str
) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'class="error-page"' in html  # the error layout
    assert f"<h1>{heading}</h1>" in html
    assert f'href="{reverse("landing")}"' in html  # a way home
    assert 'href="tel:988"' in html and 'href="sms:988"' in html
    assert SECRET not in html and "Traceback" not in html
    assert 'rel="manifest"' in html  # the same head as every page
    return html


@pytest.fixture
def visitor(settings: Settings, db: None) -> Client:
    settings.DEBUG = False
    return Client(raise_request_exception=False)


ERRORS = [
    ("bad", 400, "Something in the request was not right"),
    ("denied", 403, "This page is not open to you"),
    ("missing", 404, "We could not find that page"),
    ("gone", 410, "This page is gone"),
    ("broken", 500, "Something went wrong on our side"),
    ("database", 500, "Something went wrong on our side"),
]


@pytest.mark.urls("tests.test_error_pages")
@pytest.mark.parametrize(("kind", "status", "heading"), ERRORS, ids=[e[0] for e in ERRORS])
def test_each_error_has_its_page(visitor: Client, kind: str, status: int, heading: str) -> None:
    assert_error_page(visitor.get(f"/fails/{kind}/"), status, heading)


def test_an_unknown_address_gets_the_404_page_signed_in_or_not(
    visitor: Client, world: World
) -> None:
    assert_error_page(visitor.get("/no-such-page/"), 404, "We could not find that page")
    visitor.force_login(world.peer)
    html = assert_error_page(visitor.get("/no-such-page/"), 404, "We could not find that page")
    assert world.peer.full_name not in html  # the layout names nobody


@pytest.mark.urls("tests.test_error_pages")
def test_the_500_page_renders_when_context_processors_and_the_database_fail(
    visitor: Client, settings: Settings, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {"context_processors": ["tests.test_error_pages.broken_processor"]},
        }
    ]
    # a page that uses the context processors fails, and the 500 page still shows
    response = visitor.get("/no-such-page/")  # 404.html is rendered with the processors
    assert_error_page(response, 500, "Something went wrong on our side")
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        served = defaults.server_error(request)
    assert_error_page(served, 500, "Something went wrong on our side")


def test_an_expired_link_uses_the_same_layout(world: World, client_of: ClientOf) -> None:
    created, _ = asking.reach_out(
        world.telecommunicator, world.region, escalation.Ask(urgency="now", contact="call")
    )
    page = Page.objects.create(request=created, peer=world.peer, step_index=0, loop_count=0)
    with time_machine.travel(clock.now() + timedelta(hours=25)):
        response = client_of(world.peer).get(reverse("support:page", args=[page.link_id]))
    html = assert_error_page(response, 410, "This link has expired")
    assert f'href="{reverse("support:open")}"' in html


def test_a_refused_form_says_it_was_not_sent(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.peer)
    before = NotificationRule.objects.count()
    response = client.post(reverse("notify:rule_add"), {"delay_minutes": "5"})
    html = assert_error_page(response, 403, "The form was not sent")
    assert "send it again" in html
    assert NotificationRule.objects.count() == before


def unreachable(
    execute: Callable[..., object], sql: str, params: object, many: bool, context: object
) -> NoReturn:
    """Every query meets a database that is restarting."""
    raise OperationalError("server closed the connection unexpectedly")


def test_a_form_sent_while_the_database_is_unreachable_says_it_was_not_saved(
    world: World, settings: Settings
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(world.telecommunicator)
    before = SupportRequest.objects.count()
    with connection.execute_wrapper(unreachable):
        response = client.post(reverse("support:reach_out"), reach_out_form())
    html = assert_error_page(response, 503, "What you sent was not saved")
    assert "nothing was sent" in html and "send it again" in html
    assert response["Retry-After"] == "5"
    assert "Content-Security-Policy" in response  # even then, Backline's own headers
    assert "server closed" not in html
    assert SupportRequest.objects.count() == before
    # and once it is back, the same form goes through
    assert client.post(reverse("support:reach_out"), reach_out_form()).status_code == 302
    assert SupportRequest.objects.count() == before + 1


def test_a_page_asked_for_while_the_database_is_unreachable_says_to_try_again(
    world: World, settings: Settings
) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(world.peer)
    with connection.execute_wrapper(unreachable):
        response = client.get(reverse("home"))
    html = assert_error_page(response, 503, "Backline is reconnecting")
    assert "try again in a few seconds" in html and world.peer.full_name not in html


@pytest.mark.urls("tests.test_error_pages")
def test_a_defect_that_is_a_database_error_keeps_the_500_page(visitor: Client) -> None:
    """Only a lost connection is "reconnecting": a broken query is a defect."""
    assert_error_page(visitor.get("/fails/database/"), 500, "Something went wrong on our side")
