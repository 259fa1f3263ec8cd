"""The record form a peer files in a few taps, and the team's record settings."""

from __future__ import annotations

import datetime
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backline.lib import tokens
from backline.records import referrals
from backline.records.models import (
    ContactRecord,
    ContactType,
    Duration,
    RecordChannel,
    RecordMode,
    RecordSettings,
    Referral,
    Topic,
    week_of,
)

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

    from backline.directory.models import Resource

OLDEST_DAYS = 30  # a contact may be recorded up to this many days after it happened
YES_NO = [("no", _("No")), ("yes", _("Yes"))]


def _choose(label: StrOrPromise, choices: Any, **extra: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose one."),
            "invalid_choice": _("Please choose one of the options shown."),
        },
        **extra,
    )


class RecordForm(forms.ModelForm[ContactRecord]):
    """A record in the team's mode: every field for *categories*; only the contact type
    and the day (of which the week is kept) for *counts only*.

    In *categories*, the peer may pick the resource they referred the colleague to from
    the team's directory: it sets the referral's category (``referrals.category_of``),
    and is not kept; a referral that contradicts it is refused.

    ``once`` is a token of this form: sending it twice (a double tap, a reload) saves
    one record."""

    date = forms.DateField(
        label=_("Day"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Please give the day of the contact."),
            "invalid": _("Please give the day as a date, such as 2026-03-02."),
        },
    )
    contact_type = _choose(_("Kind of contact"), ContactType.choices)
    channel = _choose(_("How"), RecordChannel.choices)
    duration = _choose(_("How long, in minutes"), Duration.choices)
    topics = forms.MultipleChoiceField(
        label=_("Topics"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please choose at least one topic; “Other” fits anything."),
            "invalid_choice": _("Please choose among the topics shown."),
        },
    )
    resource = forms.ChoiceField(
        label=_("Which resource?"),
        required=False,
        help_text=_(
            "Optional. It sets the referral made; only its kind is kept, such as “Clinician”, "
            "never which one."
        ),
        error_messages={
            "invalid_choice": _(
                "That resource is not in your team's directory. Please pick one from the list."
            )
        },
    )
    referral = _choose(_("Referral made"), Referral.choices, initial=Referral.NONE)
    referral.widget = forms.Select(choices=Referral.choices)
    follow_up = _choose(_("Follow-up planned"), YES_NO, initial="no")
    once = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        required=False,
    )

    class Meta:
        model = ContactRecord
        fields = ["date", "contact_type", "channel", "duration", "topics", "referral"]

    def __init__(
        self,
        *args: Any,
        team: RecordSettings,
        today: datetime.date,
        new: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.today = today
        self.mode = RecordMode(self.instance.mode or team.mode)
        self.entries: dict[str, Resource] = {}
        if self.mode == RecordMode.COUNTS:
            for name in ("channel", "duration", "topics", "resource", "referral", "follow_up"):
                del self.fields[name]
            self.fields["date"].help_text = _("Only its week is kept.")
        else:
            offered = team.topic_choices()
            # a correction keeps the topics the record was filed with, even if the team
            # no longer offers one of them
            kept = {value for value, _label in offered}
            labels = dict(Topic.choices)
            offered += [(t, str(labels[t])) for t in self.instance.topics if t not in kept]
            topics = self.fields["topics"]
            assert isinstance(topics, forms.MultipleChoiceField)
            topics.choices = offered
            self.entries = referrals.directory_of(team.region)
            resource = self.fields["resource"]
            assert isinstance(resource, forms.ChoiceField)
            resource.choices = referrals.grouped(self.entries)
            if self.instance.pk:
                self.initial["follow_up"] = "yes" if self.instance.follow_up_planned else "no"
            else:
                self.initial["referral"] = self.initial.get("referral") or Referral.NONE
        if new:
            self.fields["once"].initial = tokens.new_token()
            self.fields["once"].required = True
            self.fields["once"].error_messages["required"] = _(
                "This page was out of date. Please check your answers and save again."
            )

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError(
                _("That day has not come yet. Please give today or a day before.")
            )
        if day < self.today - timedelta(days=OLDEST_DAYS):
            raise forms.ValidationError(
                _(
                    "Records are kept for contacts of the last %(days)s days. "
                    "Please give a later day."
                )
                % {"days": OLDEST_DAYS}
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = self.entries.get(data.get("resource") or "")
        if picked is None:
            return data
        category = referrals.category_of(picked.kind)
        chosen = data.get("referral")
        if chosen in (None, "", Referral.NONE):
            data["referral"] = category
        elif chosen != category:
            self.add_error(
                "resource",
                _(
                    "%(name)s counts as “%(category)s”, and the referral says "
                    "“%(chosen)s”. Please make them match, or pick no resource."
                )
                % {
                    "name": picked.name,
                    "category": category.label,
                    "chosen": Referral(chosen).label,
                },
            )
        return data

    def save(self, commit: bool = True) -> ContactRecord:
        record = super().save(commit=False)
        record.mode = self.mode
        if self.mode == RecordMode.COUNTS:
            record.date = week_of(record.date)
            record.channel = record.duration = record.referral = ""
            record.topics = []
            record.follow_up_planned = None
        else:
            record.follow_up_planned = self.cleaned_data["follow_up"] == "yes"
        if commit:
            record.save()
        return record


class RecordSettingsForm(forms.ModelForm[RecordSettings]):
    mode = forms.ChoiceField(
        label=_("What peers record after a contact"),
        choices=RecordMode.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Categories: the kind of contact, how, how long, topics, referral and "
            "follow-up. Counts only: the kind of contact and its week, nothing else. No "
            "records: nothing is written down (some states forbid any written record)."
        ),
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics peers can choose"),
        choices=Topic.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please keep at least one topic; “Other” fits anything.")},
    )

    class Meta:
        model = RecordSettings
        fields = ["mode", "topics", "coordinators_see_peer"]
        help_texts = {
            "coordinators_see_peer": _(
                "Off by default: coordinators see the records, not who filed them. "
                "Every peer of the team is told which way it is."
            )
        }
