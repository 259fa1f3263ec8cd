"""The MFA policy: who must use a second factor, and whether they have one."""

from allauth.mfa.models import Authenticator
from django.conf import settings

from backline.accounts.models import User

SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


def must_enrol(user: User) -> bool:
    """True when ``user`` holds a role that requires MFA and has no second factor yet.

    Demo accounts are let through only where demo mode is on (never in production).
    """
    if not user.needs_mfa:
        return False
    if user.is_demo and settings.DEMO_MFA_RELAXED:
        return False
    return not has_second_factor(user)
