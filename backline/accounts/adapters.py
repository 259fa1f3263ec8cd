"""django-allauth adapters: no open sign-up; single sign-on only for known people; every
mail in its recipient's language."""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from backline.accounts.languages import language_of
from backline.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """People join by invitation only."""
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """A password reset or a notice in the language of the person it is for (who
        may not be the one asking); to an address nobody has, in the page's language."""
        person = context.get("user")
        if not isinstance(person, User):
            person = User.objects.filter(email__iexact=email).first()
        language = language_of(person) if person is not None else translation.get_language()
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        """A region's identity provider signs in only people of that region."""
        user = sociallogin.user
        if not isinstance(user, User) or not user.pk:
            return  # an unknown person: sign-up is closed, allauth says so
        region = getattr(sociallogin.account.get_provider().app, "region", None)
        # A query, not user.all_memberships: allauth serializes this user into the
        # session (e.g. while MFA is pending) and cannot serialize a cached list.
        member_of_region = (
            region is not None and user.memberships.filter(region_id=region.pk).exists()
        )
        if not member_of_region:
            messages.error(
                request, _("That sign-in service is not set up for your team. Use your password.")
            )
            raise ImmediateHttpResponse(redirect("account_login"))
