"""django-allauth's own-account pages that Backline offers: each one opens."""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from tests.harness import ClientOf
from tests.personas import World

PERSONAS = ["telecommunicator", "peer", "coordinator", "clinician", "administrator", "outsider"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_passkey_list_opens_for_everyone_signed_in(
    world: World, client_of: ClientOf, persona: str
) -> None:
    client = client_of(getattr(world, persona))
    response = client.get(reverse("mfa_list_webauthn"))
    assert response.status_code == 200


def test_every_way_offered_on_the_confirm_access_page_opens(
    world: World, client_of: ClientOf
) -> None:
    """A peer with a password and an authenticator app: the page offers the other ways
    it knows, and each of them opens (no button leads to a closed page)."""
    peer = world.peer
    assert Authenticator.objects.filter(user=peer, type=Authenticator.Type.TOTP).exists()
    client = client_of(peer)
    page = client.get(reverse("account_reauthenticate"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "sign-in code" not in html
    offered = re.findall(r'href="(/accounts/[^"]*reauthenticate[^"]*)"', html)
    assert offered, html
    for url in offered:
        assert client.get(url.replace("&amp;", "&")).status_code == 200, url
