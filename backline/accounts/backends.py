"""Who is signed in: Django's and allauth's authentication backends, each finding the
person of a session together with their memberships, in one query. Sessions signed in
before name these instead of Django's and allauth's own (migration
``accounts.0006_sessions_name_backline_backends``)."""

from __future__ import annotations

from allauth.account import auth_backends
from django.contrib.auth import backends

from backline.accounts.models import User


class ModelBackend(backends.ModelBackend):
    """Django's: an e-mail address and a password."""

    def get_user(self, user_id: str | int) -> User | None:
        user = User.objects.with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AuthenticationBackend(ModelBackend, auth_backends.AuthenticationBackend):
    """allauth's (single sign-on, and the sign-ins allauth completes itself)."""
