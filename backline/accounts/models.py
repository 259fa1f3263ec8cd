"""Regions, agencies, people, their roles, and the invitations that bring them in."""

from __future__ import annotations

import zoneinfo
from functools import cached_property
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backline.accounts.languages import offered
from backline.accounts.roles import AGENCY_BOUND, GRANTABLE_BY, MFA_REQUIRED, WITH_ARTICLE, Role
from backline.accounts.states import State
from backline.lib import clock
from backline.lib.append_only import AppendOnly

if TYPE_CHECKING:
    from collections.abc import Iterable


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _(
                "“%(value)s” is not a time zone Backline knows. Start typing a city, "
                "such as Chicago, and choose its zone from the list (America/Chicago)."
            ),
            params={"value": value},
        )


class Region(models.Model):
    """A peer team and the agencies it serves."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    sso_app = models.OneToOneField(
        "socialaccount.SocialApp",
        verbose_name=_("single sign-on (OIDC) application"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="region",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A public safety answering point (PSAP) served by a region's peer team."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="agencies")
    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_time_zone]
    )
    state = models.CharField(_("state"), max_length=2, choices=State.choices)
    eap_line = models.CharField(
        _("employee assistance (EAP) line"),
        max_length=40,
        blank=True,
        help_text=_("Shown with 988 to colleagues whose request is still unanswered."),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "The language Backline uses with this agency's people until they choose their own."
        ),
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="agency_name_unique_in_region"),
            models.CheckConstraint(
                condition=Q(language__in=offered()), name="agency_language_offered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(models.QuerySet["User"]):
    def visible_to(self, viewer: User) -> UserQuerySet:
        """People a viewer may see in rosters: the viewer, plus their region as its
        coordinator, plus their agency as its administrator."""
        if not viewer.is_authenticated or not viewer.is_active:
            return self.none()
        scope = Q(pk=viewer.pk)
        regions = viewer.regions_with(Role.COORDINATOR)
        if regions:
            scope |= Q(memberships__region__in=regions)
        agencies = viewer.agencies_with(Role.ADMINISTRATOR)
        if agencies:
            scope |= Q(memberships__agency__in=agencies)
        return self.filter(scope).distinct()


# The queryset's methods on the manager too. Made from ``Manager``, the user
# manager's own base: django-stubs types ``from_queryset`` of that, not of
# ``BaseUserManager``, and so ``User.objects.filter(...)`` has a type.
_UserQuerySetManager = models.Manager.from_queryset(UserQuerySet)


class UserManager(_UserQuerySetManager["User"], BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)

    def with_memberships(self, pk: str | int) -> User | None:
        """The person ``pk`` with ``all_memberships`` already read: one query for a
        member of a team (each signed-in page needs both), two for anyone else; None
        when there is no such person."""
        memberships = list(
            Membership.objects.filter(user_id=pk)
            .select_related("user", "region", "agency")
            .order_by()
        )
        if memberships:
            user = memberships[0].user
            for membership in memberships:
                membership.user = user
        else:
            try:
                user = self.get(pk=pk)
            except self.model.DoesNotExist:
                return None
        # what ``all_memberships`` would have read (a cached_property keeps its value there)
        user.__dict__["all_memberships"] = _in_order(memberships)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_name = models.CharField(
        _("preferred name"), max_length=60, blank=True, help_text=_("What colleagues call you.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(default=False)
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Created by load_demo; may skip MFA only where demo mode is on."),
    )
    date_joined = models.DateTimeField(default=clock.now)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty until the person chooses one: until then, their agency's language."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(language__in=["", *offered()]), name="user_language_offered"
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.full_name or self.email

    @cached_property
    def all_memberships(self) -> list[Membership]:
        """This person's memberships (with their teams and agencies), read once per
        request: the authentication backend reads them with the person."""
        return _in_order(self.memberships.select_related("region", "agency").order_by())

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.all_memberships}

    @property
    def time_zone(self) -> ZoneInfo:
        """The time zone of this person's (first) agency; UTC without one. Pages show,
        and forms read, times in it; ``zones_of`` reads it for many people at once."""
        for membership in self.all_memberships:
            if membership.agency is not None:
                return ZoneInfo(membership.agency.time_zone)
        return ZoneInfo("UTC")

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def regions_with(self, role: str) -> list[Region]:
        return [m.region for m in self.all_memberships if m.role == role]

    def agencies_with(self, role: str) -> list[Agency]:
        return [m.agency for m in self.all_memberships if m.role == role and m.agency]

    @property
    def needs_mfa(self) -> bool:
        return bool(self.roles & MFA_REQUIRED)

    def manageable_agencies(self) -> models.QuerySet[Agency]:
        """Agencies whose roster this person may change."""
        return Agency.objects.filter(
            Q(region__in=self.regions_with(Role.COORDINATOR))
            | Q(pk__in=[a.pk for a in self.agencies_with(Role.ADMINISTRATOR)])
        )

    def grantable_roles(self, agency: Agency) -> list[str]:
        """The roles this person may give to someone at ``agency``."""
        granted: set[str] = set()
        for m in self.all_memberships:
            if m.role == Role.COORDINATOR and m.region_id == agency.region_id:
                granted |= GRANTABLE_BY[Role.COORDINATOR]
            if m.role == Role.ADMINISTRATOR and m.agency_id == agency.pk:
                granted |= GRANTABLE_BY[Role.ADMINISTRATOR]
        return [r for r in Role.values if r in granted]


def _in_order(memberships: Iterable[Membership]) -> list[Membership]:
    """A person's memberships by team, then role, as ``Membership`` orders them: sorted
    here, as an ORDER BY through the team costs more to build than the few rows cost
    to sort (the queries that read them ask for none)."""
    return sorted(memberships, key=lambda m: (m.region.name, m.region_id, m.role))


class Membership(models.Model):
    """One role a person holds in a region; agency-bound roles also name the agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="memberships")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["region", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "region", "role"], name="membership_one_role_per_region"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(AGENCY_BOUND)) | Q(agency__isnull=False),
                name="membership_agency_for_agency_roles",
            ),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_known"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"

    def clean(self) -> None:
        if self.agency is not None and self.agency.region_id != self.region_id:
            raise ValidationError(_("The agency belongs to another region."))


class RoleChangeQuerySet(models.QuerySet["RoleChange"]):
    def visible_to(self, viewer: User) -> RoleChangeQuerySet:
        """Every member of a team reads its roster changes, and only its own."""
        if not viewer.is_authenticated or not viewer.is_active:
            return self.none()
        return self.filter(region_id__in={m.region_id for m in viewer.all_memberships})


class RoleChangeKind(models.TextChoices):
    GRANTED = "granted", _("granted")
    REMOVED = "removed", _("removed")


class RoleChange(AppendOnly):
    """One role given to or taken from a person: the roster's history, which the whole
    team reads (visibility is the deterrent).

    People are kept as plain ids and the names they had, as in the audit log, so that
    deleting an account never rewrites history; triggers in the database refuse UPDATE
    and DELETE. Written only by ``accounts.grants``.
    """

    at = models.DateTimeField(default=clock.now)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="role_changes")
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="role_changes"
    )
    person = models.ForeignKey(
        User, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    person_label = models.CharField(max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    kind = models.CharField(max_length=10, choices=RoleChangeKind.choices)
    by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text=_("Who made the change; empty when Backline did (demo data)."),
    )
    by_label = models.CharField(max_length=200)

    objects = RoleChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("role change")
        indexes = [models.Index(fields=["region", "-at"], name="role_change_by_region")]
        constraints = [
            models.CheckConstraint(
                condition=Q(by__isnull=True) | ~Q(by=models.F("person")),
                name="role_change_never_by_the_person",
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values), name="role_change_role_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=RoleChangeKind.values), name="role_change_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(role__in=sorted(AGENCY_BOUND)) | Q(agency__isnull=False),
                name="role_change_agency_for_agency_roles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.person_label} {self.kind} {self.role}"

    @property
    def role_phrase(self) -> str:
        return str(WITH_ARTICLE[Role(self.role)])

    @property
    def place(self) -> str:
        """Where the role is held: "at Harbor 911", or "in Harbor Peer Team"."""
        if self.agency is not None:
            return _("at %(agency)s") % {"agency": self.agency.name}
        return _("in %(region)s") % {"region": self.region.name}

    @property
    def told_to_person(self) -> str:
        """What happened, said to the person, after the name of who did it."""
        words = {"role": self.role_phrase, "place": self.place}
        if self.kind == RoleChangeKind.GRANTED:
            return _("made you %(role)s %(place)s") % words
        return _("ended your role as %(role)s %(place)s") % words


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, viewer: User) -> InvitationQuerySet:
        if not viewer.is_authenticated:
            return self.none()
        return self.filter(agency__in=viewer.manageable_agencies())

    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=clock.now()
        )


class Invitation(models.Model):
    """A single-use, expiring link that lets one person join with the roles given."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("full name"), max_length=150)
    roles = models.JSONField(_("roles"), default=list)
    invited_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="invitation_expires_after_creation",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= clock.now():
            return "expired"
        return "pending"

    def role_labels(self) -> Iterable[str]:
        return [str(Role(r).label) for r in self.roles]


def zones_of(user_ids: Iterable[int]) -> dict[int, ZoneInfo]:
    """``User.time_zone`` of each of these people, in one query: the zone of their first
    agency, in the order of ``User.all_memberships``; UTC without one."""
    ids = set(user_ids)
    zones: dict[int, ZoneInfo] = {}
    for user_id, zone in Membership.objects.filter(
        user_id__in=ids, agency__isnull=False
    ).values_list("user_id", "agency__time_zone"):
        zones.setdefault(user_id, ZoneInfo(zone))
    return {i: zones.get(i, ZoneInfo("UTC")) for i in ids}
