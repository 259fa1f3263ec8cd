"""Sensitive settings ask again: the password or a second factor, even on a browser the
person trusts and in a session that lasts a whole shift (ADR 0014)."""

from allauth.account.decorators import reauthentication_required
from django.http import HttpRequest


@reauthentication_required
def confirm_access(request: HttpRequest) -> None:
    """Call before a change that could let someone else reach the account, its pages or
    its pages' messages, once the change is known to be allowed and valid.

    Unless the person confirmed access (password or second factor) in the last
    ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` seconds, this raises allauth's
    ``ReauthenticationRequired``: allauth's middleware keeps the POST, asks, and then
    replays it, as it does before a change of second factors.
    """
