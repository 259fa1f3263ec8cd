"""Forms for managing agencies, roles and invitations."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Agency, Invitation, User
from backline.accounts.roles import Role
from backline.accounts.time_zones import TimeZoneField
from backline.lib.forms import field_of


class AgencyForm(forms.ModelForm[Agency]):
    class Meta:
        model = Agency
        fields = ["name", "state", "time_zone", "eap_line"]
        field_classes = {"time_zone": TimeZoneField}

    def clean_name(self) -> str:
        # The region is not a field of this form, so Django skips the unique
        # constraint on (region, name); check it here to say so plainly.
        name: str = self.cleaned_data["name"].strip()
        clash = Agency.objects.filter(region_id=self.instance.region_id, name__iexact=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("An agency with this name already exists in the region."))
        return name


class RoleChoiceMixin:
    """Limits the agency and role choices to what the signed-in manager may grant."""

    manager: User

    def clean_role_grant(self, agency: Agency | None, roles: list[str]) -> None:
        if agency is None:
            return
        allowed = set(self.manager.grantable_roles(agency))
        refused = [str(Role(r).label) for r in roles if r not in allowed]
        if refused:
            raise forms.ValidationError(
                _("You may not give these roles at %(agency)s: %(roles)s."),
                params={"agency": agency, "roles": ", ".join(refused)},
            )


class InvitationForm(RoleChoiceMixin, forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Role.TELECOMMUNICATOR],
    )

    def __init__(self, *args: Any, manager: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        field_of(self, "agency", forms.ModelChoiceField).queryset = manager.manageable_agencies()

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("This person already has a Backline account. Add a role from their page.")
            )
        if Invitation.objects.pending().filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An invitation to this address is still open. Revoke it to send a new one.")
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.clean_role_grant(cleaned.get("agency"), cleaned.get("roles", []))
        return cleaned


class AddRoleForm(RoleChoiceMixin, forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args: Any, manager: User, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.person = person
        field_of(self, "agency", forms.ModelChoiceField).queryset = manager.manageable_agencies()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        agency, role = cleaned.get("agency"), cleaned.get("role")
        if agency is None or role is None:
            return cleaned
        self.clean_role_grant(agency, [role])
        if self.person.memberships.filter(region=agency.region, role=role).exists():
            raise forms.ValidationError(
                _("%(person)s is already a %(role)s in %(region)s."),
                params={"person": self.person, "role": Role(role).label, "region": agency.region},
            )
        return cleaned


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    preferred_name = forms.CharField(
        label=_("What colleagues call you"), max_length=60, required=False
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            candidate = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
