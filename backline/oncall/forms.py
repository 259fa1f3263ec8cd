"""Forms for rotations, schedules, overrides, offers, availability, breaks and quiet hours.

Times typed into a form are read in the time zone the page is shown in (the view
activates it); a rotation's hand-off and a schedule's windows are in their own zone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from zoneinfo import ZoneInfo

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import Region, User
from backline.accounts.roles import Role
from backline.accounts.time_zones import TimeZoneField
from backline.lib.forms import field_of
from backline.oncall import breaks, people, swaps
from backline.oncall.models import (
    WEEKDAYS,
    Override,
    QuietHours,
    Rotation,
    RotationKind,
    Schedule,
    ScheduleWindow,
)
from backline.oncall.resolve import PERIOD_DAYS

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

MAX_SHIFT_HOURS = 24 * 28


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


# what has a name of its own in a region
Named = TypeVar("Named", Rotation, Schedule)


class NamedInRegionForm(forms.ModelForm[Named]):
    """Names are unique in a region; the region is not a field, so say so here."""

    taken_message: StrOrPromise = _("This name is already used in the team.")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        clash = type(self.instance).objects.filter(
            region_id=self.instance.region_id, name__iexact=name
        )
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(self.taken_message)
        return name


class RotationForm(NamedInRegionForm[Rotation]):
    shift_hours = forms.IntegerField(
        label=_("Shift length (hours)"),
        required=False,
        min_value=1,
        max_value=MAX_SHIFT_HOURS,
        help_text=_("Only for custom rotations: from 1 to 672 hours (four weeks)."),
    )
    taken_message = _("A rotation with this name already exists in the team.")

    class Meta:
        model = Rotation
        fields = ["name", "kind", "shift_hours", "time_zone", "starts_on", "handoff_time"]
        widgets = {"kind": forms.RadioSelect, "starts_on": DateInput, "handoff_time": TimeInput}
        field_classes = {"time_zone": TimeZoneField}
        help_texts = {
            "handoff_time": _("Local time at which one shift hands off to the next."),
            "starts_on": _("The first member in the list takes the first shift."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if kind == RotationKind.CUSTOM:
            if not cleaned.get("shift_hours") and "shift_hours" not in self.errors:
                self.add_error(
                    "shift_hours", _("Enter the length of a shift for a custom rotation.")
                )
        elif kind:
            cleaned["shift_hours"] = 24 * PERIOD_DAYS[RotationKind(kind)]
        return cleaned


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Peer to add"), queryset=User.objects.none())

    def __init__(self, *args: Any, rotation: Rotation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        peers = people.peers([rotation.region_id]).exclude(rotation_memberships__rotation=rotation)
        field_of(self, "user", forms.ModelChoiceField).queryset = peers


class ScheduleForm(NamedInRegionForm[Schedule]):
    taken_message = _("A schedule with this name already exists in the team.")

    class Meta:
        model = Schedule
        fields = ["name", "time_zone"]
        field_classes = {"time_zone": TimeZoneField}


class WindowForm(forms.ModelForm[ScheduleWindow]):
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ScheduleWindow
        fields = ["rotation", "weekdays", "starts_at", "ends_at"]
        widgets = {"starts_at": TimeInput, "ends_at": TimeInput}
        labels = {"rotation": _("Rotation on call")}
        help_texts = {
            "ends_at": _(
                "An end not after the start runs past midnight into the next day; "
                "the same time as the start means a whole day."
            ),
        }

    def __init__(self, *args: Any, schedule: Schedule, **kwargs: Any) -> None:
        kwargs.setdefault("instance", ScheduleWindow(schedule=schedule))
        super().__init__(*args, **kwargs)
        field_of(self, "rotation", forms.ModelChoiceField).queryset = Rotation.objects.filter(
            region_id=schedule.region_id
        )

    def clean_weekdays(self) -> list[int]:
        return sorted(set(self.cleaned_data["weekdays"]))


class OverrideForm(forms.ModelForm[Override]):
    class Meta:
        model = Override
        fields = ["rotation", "covered_by", "replaces", "starts_at", "ends_at"]
        widgets = {"starts_at": DateTimeInput, "ends_at": DateTimeInput}
        labels = {
            "rotation": _("Rotation"),
            "covered_by": _("Covered by"),
            "replaces": _("Only while this person is on call (optional)"),
            "starts_at": _("From"),
            "ends_at": _("Until"),
        }
        help_texts = {
            "replaces": _("Leave empty to cover whoever is on call."),
        }

    def __init__(self, *args: Any, regions: list[Region], now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.now = now
        region_ids = [r.pk for r in regions]
        field_of(self, "rotation", forms.ModelChoiceField).queryset = Rotation.objects.filter(
            region_id__in=region_ids
        ).select_related("region")
        field_of(self, "covered_by", forms.ModelChoiceField).queryset = people.peers(region_ids)
        field_of(self, "replaces", forms.ModelChoiceField).queryset = people.peers(region_ids)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rotation, starts_at, ends_at = (
            cleaned.get("rotation"),
            cleaned.get("starts_at"),
            cleaned.get("ends_at"),
        )
        covered_by, replaces = cleaned.get("covered_by"), cleaned.get("replaces")
        if starts_at and ends_at:
            if ends_at <= starts_at:
                self.add_error("ends_at", _("The end must be after the start."))
            elif ends_at <= self.now:
                self.add_error("ends_at", _("The end must be in the future."))
        if rotation:
            for name, person in (("covered_by", covered_by), ("replaces", replaces)):
                if person and not people.is_peer(person.pk, rotation.region_id):
                    self.add_error(name, _("Choose a peer of the rotation's team."))
        if covered_by and replaces and covered_by == replaces:
            self.add_error("replaces", _("A person cannot cover for themselves."))
        return cleaned


class OfferForm(forms.Form):
    rotation = forms.ModelChoiceField(label=_("Rotation"), queryset=Rotation.objects.none())
    starts_at = forms.DateTimeField(
        label=_("From"), widget=DateTimeInput, help_text=_("A start in the past means from now.")
    )
    ends_at = forms.DateTimeField(label=_("Until"), widget=DateTimeInput)

    def __init__(self, *args: Any, offerer: User, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offerer = offerer
        self.now = now
        field_of(self, "rotation", forms.ModelChoiceField).queryset = Rotation.objects.filter(
            region__in=offerer.regions_with(Role.PEER)
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rotation, starts_at, ends_at = (
            cleaned.get("rotation"),
            cleaned.get("starts_at"),
            cleaned.get("ends_at"),
        )
        if rotation and starts_at and ends_at:
            try:
                cleaned["starts_at"], cleaned["ends_at"] = swaps.check_offer(
                    rotation, self.offerer, starts_at, ends_at, self.now
                )
            except swaps.Refused as refused:
                raise forms.ValidationError(refused.reason) from None
        return cleaned


class AssignForm(forms.Form):
    """Give an offered shift to one of the team's ``peers`` (read by the caller, once for
    all the team's offers), other than the offerer."""

    taker = forms.TypedChoiceField(
        label=_("Give this shift to"),
        coerce=int,
        error_messages={
            "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
        },
    )

    def __init__(self, *args: Any, peers: Sequence[User], offerer_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.takers = {peer.pk: peer for peer in peers if peer.pk != offerer_id}
        field_of(self, "taker", forms.TypedChoiceField).choices = [
            *BLANK_CHOICE_DASH,
            *((pk, str(peer)) for pk, peer in self.takers.items()),
        ]

    def clean_taker(self) -> User:
        return self.takers[self.cleaned_data["taker"]]


class AvailabilityForm(forms.Form):
    until = forms.TimeField(
        label=_("Available until"),
        widget=TimeInput,
        help_text=_("Today, or tomorrow if that time has already passed."),
    )

    def __init__(self, *args: Any, zone: ZoneInfo, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now

    def clean_until(self) -> datetime:
        chosen = self.cleaned_data["until"]
        day = self.now.astimezone(self.zone).date()
        until = datetime.combine(day, chosen, self.zone).astimezone(UTC)
        if until <= self.now:
            until = datetime.combine(day + timedelta(days=1), chosen, self.zone).astimezone(UTC)
        return until


class QuietHoursForm(forms.ModelForm[QuietHours]):
    class Meta:
        model = QuietHours
        fields = ["starts_at", "ends_at", "time_zone"]
        widgets = {"starts_at": TimeInput, "ends_at": TimeInput}
        field_classes = {"time_zone": TimeZoneField}
        labels = {"starts_at": _("Quiet from"), "ends_at": _("Quiet until")}
        help_texts = {
            "ends_at": _("An end before the start runs past midnight, e.g. 22:00 to 07:00."),
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at is not None and starts_at == ends_at:
            self.add_error("ends_at", _("Quiet hours need an end different from their start."))
        return cleaned


class BreakForm(forms.Form):
    """ "I need a break": the last day out of paging, in the peer's own time zone."""

    last_day = forms.DateField(
        label=_("Last day of my break"),
        widget=DateInput,
        help_text=_("Paging starts again at midnight after that day. You can end it sooner."),
    )

    def __init__(self, *args: Any, zone: ZoneInfo, now: datetime, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.now = now

    def clean_last_day(self) -> datetime:
        """The break's end: the midnight after its last day, where the peer lives."""
        last_day = self.cleaned_data["last_day"]
        until = breaks.ends_at(last_day, self.zone)
        if until <= self.now:
            raise forms.ValidationError(_("That day has passed. Choose today or a later day."))
        if until - self.now > breaks.LONGEST + timedelta(days=1):
            raise forms.ValidationError(
                _("A break can last up to %(days)s days at a time. You can take another after.")
                % {"days": breaks.LONGEST.days}
            )
        return until
