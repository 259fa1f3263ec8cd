"""The session form: what, when (in the organiser's time zone), where, how many seats,
who facilitates (peers of the team) and whom to invite (members of the team, named by
the addresses they sign in with, or the whole team: the page lists nobody who is not a
peer, so no page becomes a directory of who might have asked for help)."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.lib import clock
from backline.lib.forms import field_of
from backline.meetings.models import MAX_CAPACITY, Kind, Meeting

ADDRESSES = re.compile(r"[\s,;]+")


class PeerChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class MeetingForm(forms.ModelForm[Meeting]):
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(
        label=gettext_lazy("Starts at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end = forms.TimeField(
        label=gettext_lazy("Ends at"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    video_link = forms.URLField(
        label=gettext_lazy("Video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("For a video session, or to join from afar."),
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("Seats"),
        min_value=1,
        max_value=MAX_CAPACITY,
        help_text=gettext_lazy("When every seat is taken, others may join a waiting list."),
        error_messages={
            "min_value": gettext_lazy("A session needs at least one seat."),
            "max_value": gettext_lazy("A session has at most %(limit_value)s seats."),
            "invalid": gettext_lazy("Enter the number of seats, as a whole number."),
        },
    )
    facilitators = PeerChoiceField(
        label=gettext_lazy("Facilitated by"),
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Peers of the team. Only they see who is coming."),
    )
    invite_team = forms.BooleanField(
        label=gettext_lazy("Invite everyone in the team"), required=False
    )
    invite = forms.CharField(
        label=gettext_lazy("Or invite by e-mail address"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("The addresses colleagues use for Backline, one a line."),
    )

    field_order = [
        "kind", "day", "start", "end", "place", "video_link", "capacity", "facilitators",
        "invite_team", "invite",
    ]  # fmt: skip

    class Meta:
        model = Meeting
        fields = ["kind", "place", "video_link", "capacity"]
        widgets = {"kind": forms.RadioSelect}
        help_texts = {
            "place": gettext_lazy("A room and building, or leave it empty for a video session."),
        }

    def __init__(self, *args: Any, region: Region, organiser: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.region = region
        self.organiser = organiser
        self.zone = organiser.time_zone
        field_of(self, "kind", forms.ChoiceField).choices = Kind.choices
        peers = User.objects.filter(
            is_active=True, memberships__region=region, memberships__role=Role.PEER
        ).distinct()
        facilitators = field_of(self, "facilitators", PeerChoiceField)
        facilitators.queryset = peers
        meeting = self.instance
        if meeting.pk:
            local_start = meeting.starts_at.astimezone(self.zone)
            self.initial.update(
                day=local_start.date(),
                start=local_start.time(),
                end=meeting.ends_at.astimezone(self.zone).time(),
                facilitators=list(meeting.facilitators.all()),
            )
            self.fields["invite"].label = gettext_lazy("Invite more, by e-mail address")
        elif organiser.has_role(Role.PEER):
            self.initial.setdefault("facilitators", [organiser.pk])

    def _at(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.zone)

    def clean_invite(self) -> list[User]:
        addresses = [a for a in ADDRESSES.split(self.cleaned_data["invite"].strip().lower()) if a]
        named = Q(pk__in=[])
        for address in addresses:
            named |= Q(email__iexact=address)
        found = list(
            User.objects.filter(named, is_active=True, memberships__region=self.region).distinct()
        )
        unknown = sorted(set(addresses) - {u.email.lower() for u in found})
        if unknown:
            raise forms.ValidationError(
                _("Nobody of the team uses %(addresses)s. Check the spelling and try again.")
                % {"addresses": ", ".join(unknown)}
            )
        return found

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, start, end = (cleaned.get(k) for k in ("day", "start", "end"))
        if day and start and end:
            starts_at, ends_at = self._at(day, start), self._at(day, end)
            if ends_at <= starts_at:
                self.add_error("end", _("A session ends after it starts, on the same day."))
            elif starts_at <= clock.now() and not self.instance.pk:
                self.add_error("day", _("That time has passed. Choose a time to come."))
            self.instance.starts_at, self.instance.ends_at = starts_at, ends_at
        if not (cleaned.get("place") or cleaned.get("video_link")):
            self.add_error("place", _("Say where it happens: a place, a video link, or both."))
        if not self.instance.pk and not cleaned.get("invite_team") and not cleaned.get("invite"):
            self.add_error("invite", _("Invite the whole team, or someone by their address."))
        return cleaned

    def invitees(self) -> set[int]:
        """Whom the form invites: the team, or those named; facilitators are not
        invitees, as they are there anyway."""
        cleaned = self.cleaned_data
        if cleaned.get("invite_team"):
            people = set(
                User.objects.filter(is_active=True, memberships__region=self.region)
                .values_list("pk", flat=True)
                .distinct()
            )
        else:
            people = {u.pk for u in cleaned.get("invite", [])}
        return people - {u.pk for u in cleaned["facilitators"]}
