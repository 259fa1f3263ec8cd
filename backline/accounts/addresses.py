"""A person's e-mail address as django-allauth records it.

Backline accounts come by invitation: opening the link sent to an address proves it,
so the address is recorded as verified. allauth relies on that record, e.g. to keep
the password usable when single sign-on later links the account by e-mail.
"""

from allauth.account.models import EmailAddress

from backline.accounts.models import User


def record_verified(user: User) -> EmailAddress:
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return address
