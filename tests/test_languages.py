"""The language each person reads Backline in: their own setting, else their first
agency's, else the site's; a code Backline does not offer falls back the same way."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from pytest_django.fixtures import Settings

from backline.accounts.languages import language_of, languages_of, offered
from backline.accounts.models import Agency, Membership, User
from backline.accounts.roles import Role
from tests.personas import World


def fresh(user: User) -> User:
    """The person as the next request reads them (memberships not yet cached)."""
    return User.objects.get(pk=user.pk)


def test_backline_offers_the_languages_of_its_settings(settings: Settings) -> None:
    assert offered() == ["en", "es"]
    settings.LANGUAGES = [("en", "English"), ("es", "Spanish"), ("fr", "French")]
    assert offered() == ["en", "es", "fr"]


def test_a_persons_own_setting_comes_first(world: World) -> None:
    Agency.objects.filter(pk=world.agency.pk).update(language="en")
    User.objects.filter(pk=world.peer.pk).update(language="es")
    assert language_of(fresh(world.peer)) == "es"


def test_without_a_setting_the_agencys_language(world: World) -> None:
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    assert fresh(world.peer).language == ""
    assert language_of(fresh(world.peer)) == "es"


def test_the_first_agency_by_membership_order(world: World) -> None:
    """The outsider also joins Harbor, whose team comes first by name."""
    Agency.objects.filter(pk=world.outside_agency.pk).update(language="en")
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    Membership.objects.create(
        user=world.outsider, region=world.region, agency=world.agency, role=Role.PEER
    )
    assert fresh(world.outsider).all_memberships[0].agency == world.agency
    assert language_of(fresh(world.outsider)) == "es"


def test_without_a_setting_or_an_agency_the_sites_language(db: None, settings: Settings) -> None:
    loner = User.objects.create_user(email="loner@harbor.test", password="x", full_name="Lo")
    assert language_of(loner) == "en"
    settings.LANGUAGE_CODE = "es"
    assert language_of(loner) == "es"
    assert language_of(AnonymousUser()) == "es"


def test_a_language_no_longer_offered_falls_back_the_same_way(
    world: World, settings: Settings
) -> None:
    User.objects.filter(pk=world.peer.pk).update(language="es")
    settings.LANGUAGES = [("en", "English"), ("fr", "French")]
    settings.LANGUAGE_CODE = "fr"
    assert language_of(fresh(world.peer)) == "en"  # the agency's
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    assert language_of(fresh(world.peer)) == "fr"  # the site's


@pytest.mark.parametrize("code", ["fr", "EN", "es-mx"])
def test_the_database_refuses_a_language_not_offered(world: World, code: str) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=world.peer.pk).update(language=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=world.agency.pk).update(language=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Agency.objects.filter(pk=world.agency.pk).update(language="")


def test_many_people_at_once_as_each_alone_in_two_queries(
    world: World, django_assert_num_queries: Callable[..., AbstractContextManager[object]]
) -> None:
    """The engine asks for a whole team's languages at once: the same answers as
    ``language_of`` gives each person, in two queries however many people."""
    Agency.objects.filter(pk=world.agency.pk).update(language="es")
    Agency.objects.filter(pk=world.outside_agency.pk).update(language="en")
    User.objects.filter(pk=world.coordinator.pk).update(language="en")
    Membership.objects.create(
        user=world.outsider, region=world.region, agency=world.agency, role=Role.PEER
    )
    loner = User.objects.create_user(email="loner@harbor.test", password="x", full_name="Lo")
    people = [*User.objects.all()]
    nobody = max(p.pk for p in people) + 1
    with django_assert_num_queries(2):
        found = languages_of([p.pk for p in people] + [nobody])
    assert found == {p.pk: language_of(fresh(p)) for p in people} | {nobody: "en"}
    assert found[world.coordinator.pk] == "en" and found[world.peer.pk] == "es"
    assert found[world.outsider.pk] == "es" and found[loner.pk] == "en"
    with django_assert_num_queries(2):
        languages_of([world.peer.pk])
