"""The forms of the self-checks: one question per item, and the reminders."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backline.lib import tokens
from backline.wellness.instruments import Choice, Instrument
from backline.wellness.models import Answers, Every


def _choices(choices: tuple[Choice, ...]) -> list[tuple[int, str]]:
    return [(choice.value, str(choice.label)) for choice in choices]


class CheckForm(forms.Form):
    """An instrument's items, each a required choice among its answers, then its
    unscored extra question if it has one. ``once`` is the form's own token: sending it
    twice (a double tap, a reload) saves one result."""

    once = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, instrument: Instrument, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["once"].initial = tokens.new_token()
        self.fields["once"].error_messages["required"] = _(
            "This page was out of date. Please check your answers and send them again."
        )
        for number, item in enumerate(instrument.items, start=1):
            self.fields[f"item_{number}"] = forms.TypedChoiceField(
                label=item,
                choices=_choices(instrument.choices),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer to this question."),
                    "invalid_choice": _("Please choose one of the answers shown."),
                },
            )
        if instrument.extra_question:
            self.fields["extra"] = forms.TypedChoiceField(
                label=instrument.extra_question,
                choices=_choices(instrument.extra_choices),
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Please choose one of the answers shown.")},
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[f"item_{number}"] for number in range(1, len(self.instrument.items) + 1)]

    def answers(self) -> Answers:
        data = self.cleaned_data
        items = tuple(data[f"item_{n}"] for n in range(1, len(self.instrument.items) + 1))
        return Answers(self.instrument, items, data.get("extra"))


class ReminderForm(forms.Form):
    every = forms.ChoiceField(
        label=_("Remind me"),
        choices=[("", _("Never")), *Every.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose one of the options shown.")},
    )
