"""The development mailbox shows each person only the mail sent to them, and exists
only in development."""

from pathlib import Path

import pytest
from django.core.mail import EmailMessage, send_mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from backline.lib import clock
from backline.notify.models import Channel, ContactMethod
from tests.harness import ClientOf
from tests.personas import World


@pytest.fixture
def mail_in_files(settings: Settings, tmp_path: Path) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)


def test_the_mailbox_shows_a_person_their_own_mail_newest_first(
    world: World, client_of: ClientOf, mail_in_files: None
) -> None:
    send_mail("First", "Open http://127.0.0.1:8000/home/", None, [world.peer.email])
    send_mail("Second", "Another", None, [world.peer.email.upper()])
    page = client_of(world.peer).get(reverse("dev_mail"))
    assert page.status_code == 200
    assert page.content.index(b"Second") < page.content.index(b"First")
    assert b'<a href="http://127.0.0.1:8000/home/"' in page.content


def test_nobody_reads_mail_sent_to_someone_else(
    world: World, client_of: ClientOf, mail_in_files: None
) -> None:
    """A password reset asked for someone else's account stays out of sight."""
    send_mail("Reset your password", "the link", None, [world.telecommunicator.email])
    EmailMessage("Copy", "cc", to=["someone@else.test"], cc=[world.peer.email]).send()
    for persona in (world.peer, world.coordinator, world.administrator):
        page = client_of(persona).get(reverse("dev_mail"))
        assert page.status_code == 200
        assert b"Reset your password" not in page.content
    assert b"Copy" in client_of(world.peer).get(reverse("dev_mail")).content  # as Cc
    assert b"Copy" not in client_of(world.coordinator).get(reverse("dev_mail")).content


def test_verified_e_mail_contact_methods_count_as_the_persons_own(
    world: World, client_of: ClientOf, mail_in_files: None
) -> None:
    ContactMethod.objects.create(
        user=world.peer, channel=Channel.EMAIL, value="Pat@Mail.test", verified_at=clock.now()
    )
    ContactMethod.objects.create(user=world.peer, channel=Channel.EMAIL, value="claimed@mail.test")
    send_mail("Paged", "A colleague is asking", None, ["pat@mail.test"])
    send_mail("Not yet theirs", "unverified", None, ["claimed@mail.test"])
    page = client_of(world.peer).get(reverse("dev_mail"))
    assert b"Paged" in page.content
    assert b"Not yet theirs" not in page.content


def test_a_visitor_reads_nothing_and_is_asked_to_sign_in(
    client: Client, world: World, mail_in_files: None
) -> None:
    send_mail("Reset your password", "the link", None, [world.telecommunicator.email])
    page = client.get(reverse("dev_mail"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("account_login"))
    assert b"Reset your password" not in client.get(reverse("dev_mail"), follow=True).content


def test_the_mailbox_link_is_shown_only_to_whoever_may_read_it(
    client: Client, world: World, client_of: ClientOf, mail_in_files: None, settings: Settings
) -> None:
    link = f'href="{reverse("dev_mail")}"'.encode()
    assert link in client_of(world.peer).get(reverse("home")).content
    assert link not in client.get(reverse("account_login")).content
    settings.PRODUCTION = True
    assert link not in client_of(world.peer).get(reverse("home")).content


def test_the_mailbox_does_not_exist_in_production(
    client: Client, world: World, client_of: ClientOf, mail_in_files: None, settings: Settings
) -> None:
    settings.PRODUCTION = True
    assert client.get(reverse("dev_mail")).status_code == 404
    assert client_of(world.peer).get(reverse("dev_mail")).status_code == 404


def test_the_mailbox_works_with_debug_off_as_in_make_run(
    world: World, client_of: ClientOf, mail_in_files: None, settings: Settings
) -> None:
    settings.DEBUG = False
    send_mail("Demo", "Open http://127.0.0.1:8000/home/", None, [world.peer.email])
    page = client_of(world.peer).get(reverse("dev_mail"))
    assert page.status_code == 200
    assert b"Demo" in page.content
