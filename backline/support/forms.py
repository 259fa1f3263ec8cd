"""The Reach out form and the peer's acknowledgement form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.support.models import FOLLOWUP_DAYS_MAX, Contact, TeamSettings, Urgency

PHONE_HELP = _("Digits, spaces, dashes and a leading + only.")


def clean_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    if value.strip() and (
        not all(ch.isdigit() or ch in "+-() ." for ch in value.strip())
        or not 7 <= len(digits) <= 15
    ):
        raise forms.ValidationError(_("Enter a phone number, e.g. +1 555 010 0199."))
    return ("+" if value.strip().startswith("+") else "") + digits


class ColleagueChoiceField(forms.ModelChoiceField):
    """A colleague, named so that nobody can be mistaken for another: their name, their
    agencies and their e-mail address (names alike, or made to look alike, differ there)."""

    def set_people(self, people: Any) -> None:
        self.queryset = people.prefetch_related("memberships__agency")

    def label_from_instance(self, obj: Any) -> str:
        agencies = sorted({str(m.agency) for m in obj.memberships.all() if m.agency})
        where = f" ({', '.join(agencies)})" if agencies else ""
        return f"{obj.display_name}{where} · {obj.email}"


class ReachOutForm(forms.Form):
    urgency = forms.ChoiceField(
        label=_("How soon?"), choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.NOW
    )
    contact = forms.ChoiceField(
        label=_("How would you like to talk?"),
        choices=Contact.choices,
        widget=forms.RadioSelect,
        initial=Contact.CALL,
    )
    outside_agency = forms.BooleanField(label=_("A peer from outside my agency"), required=False)
    preferred_peer = ColleagueChoiceField(
        label=_("A specific peer (optional)"), queryset=User.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("A short note for the peer (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Only the peer who takes your request reads it. It is encrypted and "
            "deleted when the request closes."
        ),
    )
    anonymous = forms.BooleanField(
        label=_("Ask anonymously"),
        required=False,
        help_text=_(
            "Backline will not store who you are. You follow your request through a private link."
        ),
    )
    callback_number = forms.CharField(
        label=_("Call-back number (anonymous requests)"),
        required=False,
        max_length=30,
        help_text=PHONE_HELP,
    )

    def __init__(self, *args: Any, requester: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [m.region_id for m in requester.all_memberships]
        self.fields["preferred_peer"].set_people(  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True, memberships__role=Role.PEER, memberships__region_id__in=regions
            )
            .exclude(pk=requester.pk)
            .distinct()
            .order_by("full_name", "pk")
        )

    def clean_callback_number(self) -> str:
        return clean_phone(self.cleaned_data["callback_number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("callback_number") and not cleaned.get("anonymous"):
            self.add_error(
                "callback_number", _("A call-back number is only for anonymous requests.")
            )
        return cleaned


COMING_IN = {
    5: _("5 minutes"),
    15: _("15 minutes"),
    30: _("30 minutes"),
    60: _("an hour"),
    120: _("2 hours"),
    240: _("4 hours"),
    1440: _("a day"),
    2880: _("2 days"),
    4320: _("3 days"),
}
# what "I will reach out within" offers, and its first choice, for each urgency
COMING_IN_BY_URGENCY = {
    Urgency.NOW: ((5, 15, 30), 15),
    Urgency.HOURS: ((15, 30, 60, 120, 240), 60),
    Urgency.WEEK: ((60, 240, 1440, 2880, 4320), 1440),
}


class TakeForm(forms.Form):
    """When the peer will reach out: within minutes for "now", hours for "within a few
    hours", days for "this week"."""

    coming_in = forms.TypedChoiceField(label=_("I will reach out within"), coerce=int)

    def __init__(self, *args: Any, urgency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        minutes, first = COMING_IN_BY_URGENCY[Urgency(urgency)]
        field = self.fields["coming_in"]
        field.choices = [(m, COMING_IN[m]) for m in minutes]  # type: ignore[attr-defined]
        field.initial = first


class ExclusionForm(forms.Form):
    excluded = ColleagueChoiceField(
        label=_("Never page this person for me"),
        queryset=User.objects.none(),
        help_text=_(
            "For example someone in your chain of command. Nobody else ever sees this list."
        ),
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = [m.region_id for m in owner.all_memberships]
        already = owner.exclusions.values_list("excluded_id", flat=True)
        self.fields["excluded"].set_people(  # type: ignore[attr-defined]
            User.objects.filter(
                is_active=True,
                memberships__region_id__in=regions,
                memberships__role__in=[Role.PEER, Role.COORDINATOR],
            )
            .exclude(pk=owner.pk)
            .exclude(pk__in=already)
            .distinct()
            .order_by("full_name", "pk")
        )


class TeamSettingsForm(forms.ModelForm):
    class Meta:
        model = TeamSettings
        fields = ["followup_days"]
        widgets = {"followup_days": forms.NumberInput(attrs={"min": 0, "max": FOLLOWUP_DAYS_MAX})}
