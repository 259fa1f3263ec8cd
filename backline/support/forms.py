"""The Reach out form and the peer's acknowledgement form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.lib import tokens
from backline.lib.forms import field_of
from backline.notify.forms import PHONE_CHARACTERS, normalize_phone
from backline.notify.models import Channel, ContactMethod
from backline.notify.templatetags.phones import phone
from backline.support.models import FOLLOWUP_DAYS_MAX, Contact, TeamSettings, Urgency

NORTH_AMERICA = "+1"
ANOTHER_NUMBER = "other"
NEEDS_NUMBER = (Contact.CALL, Contact.TEXT)
CALLBACK_HELP = _("A number the peer can reach you on, e.g. (319) 555-0142 or +44 20 7946 0958.")


def clean_callback_number(value: str) -> str:
    """A number to call back in E.164 form. Ten digits without a country code are read
    as a North American number, as a telecommunicator in a U.S. center writes it."""
    text = value.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and set(text) <= PHONE_CHARACTERS:
        if len(digits) == 10:
            text = NORTH_AMERICA + digits
        elif len(digits) == 11 and digits.startswith("1"):
            text = "+" + digits
        else:
            raise forms.ValidationError(
                ngettext(
                    "A number has 10 digits, e.g. (319) 555-0142, or starts with + and its "
                    "country code; this one has %(count)s digit.",
                    "A number has 10 digits, e.g. (319) 555-0142, or starts with + and its "
                    "country code; this one has %(count)s digits.",
                    len(digits),
                ),
                params={"count": len(digits)},
            )
    return normalize_phone(text)


def own_phones(user: User) -> list[tuple[str, str]]:
    """The verified numbers a person may choose in one tap: (method id, number)."""
    methods = (
        ContactMethod.objects.visible_to(user)
        .usable()
        .filter(channel__in=[Channel.SMS, Channel.VOICE])
        .order_by("created_at", "pk")  # one person's: no need to join them to order by name
    )
    numbers: dict[str, str] = {}
    for method in methods:
        numbers.setdefault(method.value, str(method.pk))
    return [(pk, number) for number, pk in numbers.items()]


class ColleagueChoiceField(forms.ModelChoiceField[User]):
    """A colleague, named so that nobody can be mistaken for another: their name, their
    agencies and their e-mail address (names alike, or made to look alike, differ there)."""

    def set_people(self, people: QuerySet[User]) -> None:
        self.queryset = people.prefetch_related("memberships__agency")

    def label_from_instance(self, obj: User) -> str:
        agencies = sorted({str(m.agency) for m in obj.memberships.all() if m.agency})
        where = f" ({', '.join(agencies)})" if agencies else ""
        return f"{obj.display_name}{where} · {obj.email}"


class HowToReachForm(forms.Form):
    """How the peer reaches the requester: the way, and the number or the place it needs.
    "Call me" and "Text me" need a number: one of the requester's own verified phones in
    one tap, or one typed for this request."""

    contact = forms.ChoiceField(
        label=_("How would you like to talk?"),
        choices=Contact.choices,
        widget=forms.RadioSelect,
        initial=Contact.CALL,
    )
    phone = forms.ChoiceField(label=_("Number to reach you on"), widget=forms.RadioSelect)
    callback_number = forms.CharField(
        label=_("Another number"), required=False, max_length=30, help_text=CALLBACK_HELP
    )
    place = forms.CharField(
        label=_("Where, or which video app (optional)"),
        required=False,
        max_length=120,
        help_text=_(
            "In person: where to meet, e.g. the break room. Video: the app or a link; "
            "leave it empty and the peer sends you one."
        ),
    )

    def __init__(
        self,
        *args: Any,
        phones: list[tuple[str, str]],
        kept: tuple[str, str] | None = None,
        anonymous: bool = False,
        **kwargs: Any,
    ) -> None:
        """``kept``: a number the request has that is not shown again, and how to name it;
        leaving "another number" empty keeps it. ``anonymous``: the request has no name,
        so in person and video need the place or the link."""
        super().__init__(*args, **kwargs)
        self.nameless = anonymous
        self.phones = dict(phones)
        self.kept = kept[0] if kept else ""
        if kept:
            self.fields["callback_number"].help_text = _("Leave it empty to keep %(number)s.") % {
                "number": kept[1]
            }
        field = field_of(self, "phone", forms.ChoiceField)
        field.choices = [
            *((pk, _("My phone, %(number)s") % {"number": phone(number)}) for pk, number in phones),
            (ANOTHER_NUMBER, _("Another number")),
        ]
        field.initial = phones[0][0] if phones else ANOTHER_NUMBER
        if not phones:
            field.widget = forms.HiddenInput()
            field.required = False
            self.fields["callback_number"].label = _("Number to reach you on")

    def clean_callback_number(self) -> str:
        value = self.cleaned_data["callback_number"]
        return clean_callback_number(value) if value.strip() else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        contact = cleaned.get("contact")
        chosen = cleaned.get("phone") or ANOTHER_NUMBER
        number = self.phones.get(chosen) or cleaned.get("callback_number", "") or self.kept
        if contact in NEEDS_NUMBER and not number and "callback_number" not in self.errors:
            self.add_error(
                "callback_number",
                _("Enter a number the peer can call or text, or choose in person or video."),
            )
        place = cleaned.get("place", "").strip() if contact not in NEEDS_NUMBER else ""
        if contact and contact not in NEEDS_NUMBER and not place and self.is_anonymous():
            self.add_error(
                "place",
                _(
                    "Say where to meet, or give a video link: without your name or a "
                    "number, it is the only way the peer can reach you."
                ),
            )
        cleaned["number"] = number if contact in NEEDS_NUMBER else ""
        cleaned["place"] = place
        return cleaned

    def is_anonymous(self) -> bool:
        return self.nameless


class ReachOutForm(HowToReachForm):
    """Reach out: how soon (the button pressed), how to talk, who, a note, anonymously.

    ``once`` is a token of this form: sending the same form twice (a double tap, a
    reload) finds the request it already sent."""

    urgency = forms.ChoiceField(
        label=_("How soon?"), choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.NOW
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
            "Nobody is shown who you are, and Backline keeps no name with the request: "
            "only, encrypted until it ends, that you are not paged for it. You follow it "
            "through a private link. The peer sees the number or place you give."
        ),
    )
    once = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        error_messages={"required": _("This page was out of date. Please choose again.")},
    )

    def __init__(self, *args: Any, requester: User, **kwargs: Any) -> None:
        super().__init__(*args, phones=own_phones(requester), **kwargs)
        self.fields["once"].initial = tokens.new_token()
        regions = [m.region_id for m in requester.all_memberships]
        field_of(self, "preferred_peer", ColleagueChoiceField).set_people(
            User.objects.filter(
                is_active=True, memberships__role=Role.PEER, memberships__region_id__in=regions
            )
            .exclude(pk=requester.pk)
            .distinct()
            .order_by("full_name", "pk")
        )

    def is_anonymous(self) -> bool:
        return bool(self.cleaned_data.get("anonymous"))


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
        field = field_of(self, "coming_in", forms.ChoiceField)
        field.choices = [(m, COMING_IN[m]) for m in minutes]
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
        field_of(self, "excluded", ColleagueChoiceField).set_people(
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


class TeamSettingsForm(forms.ModelForm[TeamSettings]):
    class Meta:
        model = TeamSettings
        fields = ["followup_days"]
        widgets = {"followup_days": forms.NumberInput(attrs={"min": 0, "max": FOLLOWUP_DAYS_MAX})}
