"""Inviting people: a link that expires and works once; only its digest is stored."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from backline.accounts import addresses, grants
from backline.accounts.models import Agency, Invitation, User
from backline.lib import clock, tokens


class InvitationUnusable(Exception):
    """The link is expired, revoked or already used; ``reason`` is for the person."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class NewPerson:
    full_name: str
    preferred_name: str
    password: str


def invite(
    request: HttpRequest,
    manager: User,
    *,
    email: str,
    full_name: str,
    agency: Agency,
    roles: list[str],
) -> tuple[Invitation, str]:
    """Create an invitation and e-mail its link; returns it with the link (shown once)."""
    token = tokens.new_token()
    now = clock.now()
    invitation = Invitation.objects.create(
        agency=agency,
        email=email,
        full_name=full_name,
        roles=roles,
        invited_by=manager,
        token_digest=tokens.digest(token),
        created_at=now,
        expires_at=now + settings.BACKLINE_INVITATION_TTL,
    )
    link = request.build_absolute_uri(reverse("accept_invitation", args=[token]))
    with translation.override(agency.language):  # the newcomer's, until they choose one
        _mail(invitation, manager, agency, link)
    return invitation, link


def _mail(invitation: Invitation, manager: User, agency: Agency, link: str) -> None:
    send_mail(
        subject=_("You are invited to Backline"),
        message=_(
            "%(inviter)s invited you to join the peer support team of %(region)s on Backline.\n\n"
            "Open this link to choose your password. It works once and expires on %(expires)s:\n"
            "%(link)s\n"
        )
        % {
            "inviter": manager.display_name,
            "region": agency.region.name,
            "expires": _expiry(invitation, agency),
            "link": link,
        },
        from_email=None,
        recipient_list=[invitation.email],
    )


def _expiry(invitation: Invitation, agency: Agency) -> str:
    """When the link expires, in the format of every page and in the time zone of the
    agency the newcomer joins (they have no zone of their own yet)."""
    local = timezone.localtime(invitation.expires_at, ZoneInfo(agency.time_zone))
    return f"{date_format(local, 'DATETIME_FORMAT')} ({agency.time_zone})"


def find(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("agency__region", "invited_by")
        .filter(token_digest=tokens.digest(token))
        .first()
    )


def ensure_usable(invitation: Invitation) -> None:
    status = invitation.status
    if status == "accepted":
        raise InvitationUnusable(_("This invitation has already been used. Sign in instead."))
    if status == "revoked":
        raise InvitationUnusable(_("This invitation was withdrawn. Ask your coordinator."))
    if status == "expired":
        raise InvitationUnusable(
            _("This invitation has expired. Ask your coordinator for a new one.")
        )
    inviter = invitation.invited_by
    if (
        inviter is None
        or not inviter.is_active
        or not set(invitation.roles) <= set(inviter.grantable_roles(invitation.agency))
    ):
        # the roles are the inviter's to give when the link is used, not only when sent
        raise InvitationUnusable(
            _(
                "The person who sent this invitation can no longer give these roles. "
                "Ask your coordinator for a new one."
            )
        )


def accept(invitation: Invitation, person: NewPerson) -> User:
    """Create the account and its memberships, once, even if two submits race."""
    with transaction.atomic():
        locked = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("agency", "invited_by")
            .get(pk=invitation.pk)
        )
        ensure_usable(locked)
        try:
            user = User.objects.create_user(
                email=locked.email,
                password=person.password,
                full_name=person.full_name,
                preferred_name=person.preferred_name,
            )
        except IntegrityError as exc:
            raise InvitationUnusable(
                _("An account with this e-mail address already exists. Sign in instead.")
            ) from exc
        addresses.record_verified(user)  # the invitation link went to this address
        for role in locked.roles:  # given by the person who sent the invitation
            grants.grant(user, locked.agency, role, by=locked.invited_by)
        locked.accepted_at = clock.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return user
