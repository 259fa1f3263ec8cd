"""The forms of check-ins: planning one, answering "not now", choosing who continues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.checkins.answers import Later
from backline.checkins.models import Plan, opted_out
from backline.checkins.recurrence import LONGEST, Frequency
from backline.lib import clock
from backline.lib.forms import field_of
from backline.support.forms import ColleagueChoiceField


class PlanForm(forms.ModelForm[Plan]):
    """The colleague is named by the address they sign in with: the page lists nobody,
    so that a peer is never shown a directory of the team (who asked for help is hidden
    best where nobody is listed)."""

    colleague = forms.EmailField(
        label=gettext_lazy("Your colleague's e-mail address"),
        help_text=gettext_lazy("The address they use for Backline."),
    )

    class Meta:
        model = Plan
        fields = ["colleague", "frequency", "starts_on", "at", "ends_on"]
        widgets = {
            "frequency": forms.RadioSelect,
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "at": forms.TimeInput(attrs={"type": "time"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "at": gettext_lazy("In your colleague's own time zone, all year round."),
            "ends_on": gettext_lazy("For a check-in that repeats: the day of the last one."),
        }

    def __init__(self, *args: Any, peer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.peer = peer
        self.regions = [m.region_id for m in peer.all_memberships if m.role == Role.PEER]
        frequency = field_of(self, "frequency", forms.ChoiceField)
        frequency.choices = Frequency.choices  # no empty choice among the radio buttons
        frequency.initial = Frequency.WEEKLY

    def clean_colleague(self) -> User:
        found = (
            User.objects.filter(
                email__iexact=self.cleaned_data["colleague"].strip(),
                is_active=True,
                memberships__region_id__in=self.regions,
            )
            .exclude(pk=self.peer.pk)
            .first()
        )
        if found is None:
            raise forms.ValidationError(
                _("Nobody of your team uses that address. Check the spelling and try again.")
            )
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        colleague: User | None = cleaned.get("colleague")
        frequency, first, last = (cleaned.get(k) for k in ("frequency", "starts_on", "ends_on"))
        at = cleaned.get("at")
        if frequency == Frequency.ONCE:
            cleaned["ends_on"] = last = None
        elif frequency and first and not last:
            self.add_error("ends_on", _("Choose a last day for a check-in that repeats."))
        if first and last and last < first:
            self.add_error(
                "ends_on",
                _("The last day comes before the first one. Choose %(first)s or a later day.")
                % {"first": date_format(first)},
            )
        elif first and last and last - first > LONGEST:
            self.add_error("ends_on", _("A plan runs for a year at most. Choose an earlier day."))
        if colleague is not None and opted_out(colleague.pk, self.peer.pk):
            self.add_error(
                "colleague",
                _(
                    "This colleague asked not to receive check-ins. Thank you for thinking "
                    "of them; you could reach them another way."
                ),
            )
        if colleague is not None and first and at:
            zone = colleague.time_zone
            if datetime.combine(first, at, tzinfo=zone) <= clock.now():
                self.add_error("at", _("That moment has passed. Choose a time from now on."))
        return cleaned

    def save(self, commit: bool = True) -> Plan:
        plan = super().save(commit=False)
        colleague = self.cleaned_data["colleague"]
        plan.peer = self.peer
        plan.time_zone = str(colleague.time_zone.key)
        plan.region_id = next(
            m.region_id for m in colleague.all_memberships if m.region_id in self.regions
        )
        if commit:
            plan.save()
        return plan


class LaterForm(forms.Form):
    until = forms.ChoiceField(
        label=gettext_lazy("Ask me again"),
        choices=Later.choices,
        initial=Later.HOUR,
        widget=forms.RadioSelect,
    )


class ContinueForm(forms.Form):
    peer = ColleagueChoiceField(
        label=gettext_lazy("Peer to continue"), queryset=User.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, peers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "peer", ColleagueChoiceField).set_people(
            User.objects.filter(pk__in=[p.pk for p in peers]).order_by("full_name", "pk")
        )
