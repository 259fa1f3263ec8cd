"""Access rules that speak of roles, built on ``privacy.access``."""

from typing import cast

from django.http import HttpRequest

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.privacy.access import Rule


class MemberRequest(HttpRequest):
    """A request that passed a rule needing sign-in: its user is a real ``User``."""

    user: User


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def role(*roles: Role) -> Rule:
    """Signed in and holding at least one of ``roles`` somewhere."""
    return Rule(
        " or ".join(str(r.value) for r in roles),
        lambda request: _user(request).has_role(*roles),
    )


# Holding any role in any team; what such a person sees is scoped to their teams.
MEMBER = Rule("a member of a team", lambda request: bool(_user(request).all_memberships))
TELECOMMUNICATOR = role(Role.TELECOMMUNICATOR, Role.PEER)
ROSTER_MANAGER = role(Role.COORDINATOR, Role.ADMINISTRATOR)
COORDINATOR = role(Role.COORDINATOR)
