"""django-allauth's URLs, each given an access rule by name.

A view allauth adds in an upgrade has no rule here and is refused until reviewed.
"""

from allauth import urls as allauth_urls
from django.urls import URLPattern, URLResolver

from backline.privacy.access import PUBLIC, SIGNED_IN, Rule, with_rules

# Sign-in steps happen before the person is signed in.
_ENTRANCE = [
    "account_login",
    "account_logout",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_confirm_email",
    "account_email_verification_sent",
    "mfa_authenticate",
    "mfa_trust",
    "mfa_login_webauthn",
    "openid_connect_login",
    "openid_connect_callback",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "socialaccount_signup",
]
# Managing one's own sign-in: allauth also checks the user itself.
_OWN_ACCOUNT = [
    "account_change_password",
    "account_set_password",
    "account_email",
    "account_reauthenticate",
    "mfa_index",
    "mfa_reauthenticate",
    "mfa_reauthenticate_webauthn",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_add_webauthn",
    "mfa_list_webauthn",
    "mfa_edit_webauthn",
    "mfa_remove_webauthn",
    "socialaccount_connections",
]

RULES: dict[str, Rule] = {name: PUBLIC for name in _ENTRANCE} | {
    name: SIGNED_IN for name in _OWN_ACCOUNT
}


def allauth_patterns() -> list[URLPattern | URLResolver]:
    return with_rules(allauth_urls.urlpatterns, RULES)
