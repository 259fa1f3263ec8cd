import pytest
from django.core import mail
from django.test import Client

from tests.personas import World, build_world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def client_of(world):
    """A signed-in test client for a persona (its second factor is already enrolled)."""

    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEMO_MFA_RELAXED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    mail.outbox = []
