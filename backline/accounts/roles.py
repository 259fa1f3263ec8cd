"""The roles a person can hold in a peer-support program, and what each implies."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TELECOMMUNICATOR = "telecommunicator", _("Telecommunicator")
    PEER = "peer", _("Peer supporter")
    COORDINATOR = "coordinator", _("Coordinator")
    CLINICIAN = "clinician", _("Clinician")
    ADMINISTRATOR = "administrator", _("Agency administrator")


# Roles that see people or pages beyond their own: they must use a second factor.
MFA_REQUIRED = frozenset({Role.PEER, Role.COORDINATOR, Role.CLINICIAN, Role.ADMINISTRATOR})

# Roles that belong to one agency; the others serve the whole region.
AGENCY_BOUND = frozenset({Role.TELECOMMUNICATOR, Role.PEER, Role.ADMINISTRATOR})

# Who may grant which roles: coordinators run the team, administrators their agency.
GRANTABLE_BY = {
    Role.COORDINATOR: frozenset(Role),
    Role.ADMINISTRATOR: frozenset({Role.TELECOMMUNICATOR, Role.ADMINISTRATOR}),
}

# A role as it reads in a sentence: "became a peer supporter".
WITH_ARTICLE = {
    Role.TELECOMMUNICATOR: _("a telecommunicator"),
    Role.PEER: _("a peer supporter"),
    Role.COORDINATOR: _("a coordinator"),
    Role.CLINICIAN: _("a clinician"),
    Role.ADMINISTRATOR: _("an agency administrator"),
}
