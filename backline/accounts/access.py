"""Access rules that speak of roles, built on ``privacy.access``."""

from backline.accounts.roles import Role
from backline.privacy.access import Rule


def role(*roles: Role) -> Rule:
    """Signed in and holding at least one of ``roles`` somewhere."""
    return Rule(
        " or ".join(str(r.value) for r in roles),
        lambda request: request.user.has_role(*roles),
    )


MEMBER = Rule("a member of a peer team", lambda request: bool(request.user.all_memberships))
TELECOMMUNICATOR = role(Role.TELECOMMUNICATOR, Role.PEER)
ROSTER_MANAGER = role(Role.COORDINATOR, Role.ADMINISTRATOR)
COORDINATOR = role(Role.COORDINATOR)
