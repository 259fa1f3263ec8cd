"""Forms for a person's own contact methods, their codes and notification rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from backline.accounts.models import User
from backline.lib.forms import field_of
from backline.notify.models import (
    MAX_RULE_DELAY_MINUTES,
    Channel,
    ContactMethod,
    NotificationRule,
)
from backline.notify.verification import CODE_DIGITS

MAX_METHODS_PER_PERSON = 10
PHONE_CHARACTERS = set("0123456789+-(). ")
PHONE_HELP = _(
    "In international form: + and the country code first, e.g. +1 555 010 0199. "
    "Spaces and dashes are fine."
)


def normalize_phone(raw: str) -> str:
    """``+<digits>`` (E.164) from what a person typed, or a ValidationError saying what
    to fix."""
    text = raw.strip()
    if not set(text) <= PHONE_CHARACTERS:
        raise forms.ValidationError(
            _(
                "Use only digits, spaces, dashes, dots, brackets and a leading +, "
                "e.g. +1 555 010 0199."
            ),
            code="phone_characters",
        )
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") or text.count("+") > 1:
        if "+" not in text and len(digits) == 10:
            raise forms.ValidationError(
                _(
                    "Add the country code in front: for a number in the United States or "
                    "Canada that is +1, e.g. +1 %(number)s."
                ),
                code="phone_country",
                params={"number": text},
            )
        raise forms.ValidationError(
            _("Start with + and the country code, e.g. +1 555 010 0199 or +44 20 7946 0958."),
            code="phone_country",
        )
    if digits.startswith("0"):
        raise forms.ValidationError(
            _("A country code never starts with 0: check the digits after the +."),
            code="phone_country",
        )
    if not 7 <= len(digits) <= 15:
        raise forms.ValidationError(
            _("A phone number with its country code has 7 to 15 digits; this one has %(count)s."),
            code="phone_length",
            params={"count": len(digits)},
        )
    return "+" + digits


class ContactMethodForm(forms.Form):
    """Add an e-mail address, a mobile number for texts, or a number for calls."""

    value = forms.CharField(max_length=254)
    label = forms.CharField(
        label=_("Name (optional)"),
        max_length=60,
        required=False,
        help_text=_("For you only, e.g. work or personal."),
    )

    def __init__(self, *args: Any, owner: User, channel: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.channel = channel
        if channel == Channel.EMAIL:
            self.fields["value"] = forms.EmailField(
                label=_("E-mail address"),
                max_length=254,
                error_messages={
                    "invalid": _("Enter a complete e-mail address, e.g. name@agency.gov."),
                    "required": _("Enter an e-mail address."),
                },
                widget=forms.EmailInput(attrs={"autocomplete": "email"}),
            )
        else:
            self.fields["value"] = forms.CharField(
                label=(
                    _("Mobile number for text messages")
                    if channel == Channel.SMS
                    else _("Phone number for calls")
                ),
                max_length=30,
                help_text=PHONE_HELP,
                error_messages={"required": _("Enter a phone number.")},
                widget=forms.TextInput(
                    attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
                ),
            )

    def clean_value(self) -> str:
        value = str(self.cleaned_data["value"]).strip()
        if self.channel == Channel.EMAIL:
            local, _at, domain = value.rpartition("@")
            return f"{local}@{domain.lower()}"
        return normalize_phone(value)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = cleaned.get("value")
        count = ContactMethod.objects.visible_to(self.owner).count()
        if count >= MAX_METHODS_PER_PERSON:
            raise forms.ValidationError(
                _(
                    "You already have %(count)s ways to be reached, the most Backline keeps. "
                    "Remove one before adding another."
                ),
                params={"count": count},
            )
        if value:
            same = ContactMethod.objects.visible_to(self.owner).filter(channel=self.channel)
            if any(m.value.casefold() == value.casefold() for m in same):
                self.add_error("value", _("You have already added this one."))
        return cleaned


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("The 6 digits we sent you."),
        error_messages={"required": _("Enter the 6 digits of the code.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 20}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not (code.isdigit() and code.isascii() and len(code) == CODE_DIGITS):
            raise forms.ValidationError(_("Enter the 6 digits of the code."))
        return code


class MethodChoiceField(forms.ModelChoiceField[ContactMethod]):
    """One of the person's own usable contact methods, by its kind, value and label."""

    def label_from_instance(self, obj: ContactMethod) -> str:
        label = f" ({obj.label})" if obj.label and obj.channel != Channel.PUSH else ""
        return f"{obj.get_channel_display()}: {obj.shown_value}{label}"


class RuleForm(forms.Form):
    contact_method = MethodChoiceField(
        label=_("Reach me by"), queryset=ContactMethod.objects.none(), empty_label=None
    )
    delay_minutes = forms.IntegerField(
        label=_("Minutes after the page starts"),
        min_value=0,
        max_value=MAX_RULE_DELAY_MINUTES,
        initial=0,
        help_text=_("0 means at once; at most 240."),
        error_messages={
            "min_value": _("Enter 0 or more minutes."),
            "max_value": _("Enter at most 240 minutes."),
            "invalid": _("Enter a whole number of minutes."),
            "required": _("Enter a number of minutes (0 for at once)."),
        },
    )

    def __init__(self, *args: Any, owner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        methods = ContactMethod.objects.visible_to(owner).usable()
        field_of(self, "contact_method", MethodChoiceField).queryset = methods

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        method = cleaned.get("contact_method")
        delay = cleaned.get("delay_minutes")
        if (
            method is not None
            and delay is not None
            and NotificationRule.objects.filter(contact_method=method, delay_minutes=delay).exists()
        ):
            raise forms.ValidationError(_("You already have this rule."))
        return cleaned
