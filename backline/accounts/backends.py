"""Who is signed in: Backline's one authentication backend, allauth's, finding the person
of a session together with their memberships in one query.

One backend, not Django's and allauth's side by side: ``authenticate`` tries every listed
backend in turn, so a wrong password was checked twice, doubling the hashing an attacker
can make the server do. allauth's checks e-mail or username and, for an address nobody
has, hashes once anyway, so a failed sign-in costs the same whether or not the account
exists. Sessions signed in before name this one instead of the backends they were
signed in through (migrations ``accounts.0006`` and ``accounts.0007``)."""

from __future__ import annotations

from allauth.account import auth_backends

from backline.accounts.models import User


class AuthenticationBackend(auth_backends.AuthenticationBackend):
    """allauth's: an e-mail address and a password, single sign-on, and the sign-ins
    allauth completes itself."""

    def get_user(self, user_id: str | int) -> User | None:
        user = User.objects.with_memberships(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
