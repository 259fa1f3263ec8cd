"""Forms for escalation policies: the policy, its steps, and each step's targets."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib.forms import field_of
from backline.oncall.models import Rotation, Schedule
from backline.support.models import (
    MAX_DELAY_FACTOR,
    EscalationPolicy,
    EscalationStep,
    StepTarget,
    TargetKind,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

MAX_REPEAT = 10  # the policy_repeat_bounded constraint
MAX_MINUTES = 1440

# which field names the object of each kind of target
TARGET_FIELD = {
    TargetKind.USER: "user",
    TargetKind.ROTATION: "rotation",
    TargetKind.SCHEDULE: "schedule",
}


def pageable_people(region_id: int) -> QuerySet[User]:
    """Whom a step can page by name: the region's active peers and coordinators."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__region_id=region_id,
            memberships__role__in=[Role.PEER, Role.COORDINATOR],
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def _slower_clock(label: StrOrPromise, help_text: StrOrPromise) -> forms.IntegerField:
    """How many times its own wait each step waits, for one urgency."""
    return forms.IntegerField(
        label=label, min_value=1, max_value=MAX_DELAY_FACTOR, help_text=help_text
    )


class PolicyForm(forms.ModelForm[EscalationPolicy]):
    repeat = forms.IntegerField(
        label=_("Repeat"),
        min_value=0,
        max_value=MAX_REPEAT,
        help_text=_("How many more times to run all the steps when nobody answers (0 to 10)."),
    )
    start_timeout_minutes = forms.IntegerField(
        label=_("Minutes to start contact"),
        min_value=1,
        max_value=MAX_MINUTES,
        help_text=_("A taken request not started by then escalates again."),
    )
    hours_delay_factor = _slower_clock(
        _("Slower clock for “within a few hours”"),
        _(
            "Each step waits this many times its own wait (1 to 24). "
            "“Now” always uses the steps' own waits."
        ),
    )
    week_delay_factor = _slower_clock(
        _("Slower clock for “this week”"),
        _(
            "Each step waits this many times its own wait (1 to 24), and at least as long "
            "as for “within a few hours”."
        ),
    )

    class Meta:
        model = EscalationPolicy
        fields = [
            "name",
            "repeat",
            "start_timeout_minutes",
            "hours_delay_factor",
            "week_delay_factor",
        ]

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clash = EscalationPolicy.objects.filter(
            region_id=self.instance.region_id, name__iexact=name
        )
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("A policy with this name already exists in the team."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours, week = cleaned.get("hours_delay_factor"), cleaned.get("week_delay_factor")
        if hours is not None and week is not None and week < hours:
            self.add_error(
                "week_delay_factor",
                _(
                    "A request for this week cannot escalate faster than one for within a "
                    "few hours: give it at least %(hours)s."
                )
                % {"hours": hours},
            )
        return cleaned


class StepForm(forms.ModelForm[EscalationStep]):
    delay_minutes = forms.IntegerField(
        label=_("Then wait (minutes)"),
        min_value=1,
        max_value=MAX_MINUTES,
        help_text=_("Before the next step, if nobody has taken the request."),
    )

    class Meta:
        model = EscalationStep
        fields = ["delay_minutes"]


class TargetForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Who to page"), choices=TargetKind.choices, widget=forms.RadioSelect
    )
    user = forms.ModelChoiceField(
        label=_("The person, for “A specific person”"),
        queryset=User.objects.none(),
        required=False,
    )
    rotation = forms.ModelChoiceField(
        label=_("The rotation, for “Whoever is on call in a rotation”"),
        queryset=Rotation.objects.none(),
        required=False,
    )
    schedule = forms.ModelChoiceField(
        label=_("The schedule, for “Whoever is on call in a schedule”"),
        queryset=Schedule.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, step: EscalationStep, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        region_id = step.policy.region_id
        field_of(self, "user", forms.ModelChoiceField).queryset = pageable_people(region_id)
        rotations = Rotation.objects.filter(region_id=region_id)
        field_of(self, "rotation", forms.ModelChoiceField).queryset = rotations
        schedules = Schedule.objects.filter(region_id=region_id)
        field_of(self, "schedule", forms.ModelChoiceField).queryset = schedules

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        if not kind:
            return cleaned
        needed = TARGET_FIELD.get(TargetKind(kind))
        # a choice left in another list is ignored: a target is exactly one thing
        for name in TARGET_FIELD.values():
            if name != needed:
                cleaned[name] = None
        if needed and not cleaned.get(needed):
            if needed not in self.errors:
                self.add_error(needed, _("Choose one for this kind of target."))
            return cleaned
        same = StepTarget.objects.filter(step=self.step, kind=kind)
        if needed:
            same = same.filter(**{needed: cleaned[needed]})
        if same.exists():
            raise forms.ValidationError(_("This step already pages them."))
        return cleaned

    def save(self) -> StepTarget:
        kind = TargetKind(self.cleaned_data["kind"])
        needed = TARGET_FIELD.get(kind)
        extra = {needed: self.cleaned_data[needed]} if needed else {}
        return StepTarget.objects.create(step=self.step, kind=kind, **extra)
