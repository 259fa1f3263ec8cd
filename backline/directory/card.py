"""The warm hand-off card of a directory entry: whom to call, what to say, when they are
open (in the reader's time zone), what it costs; on screen, printed, or as the plain text
of an e-mail.

Sending a card is not the directory's business (it sits below ``notify``): an app above
it appends an ``Offer`` to ``OFFERS``, which names the buttons a card page shows this
viewer, e.g. "E-mail this card to me". The card page hands each offer what the link
carried (``Context``): an opaque ``for`` (whatever the offering app put there, e.g. the
request a peer is finding a resource for) and the language the search asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.http import HttpRequest, QueryDict
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backline.directory import hours
from backline.directory.models import Kind, Resource

FOR_LENGTH = 64  # a request's public id fits; anything longer is not a context of ours


def _plain(value: str, length: int) -> str:
    """``value`` if it is a short run of letters, digits, ``-`` and ``_``; else nothing."""
    ok = len(value) <= length and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    return value if ok else ""


@dataclass(frozen=True)
class Context:
    """What a link into the directory carries on to the card: ``for`` (opaque here) and
    the ISO 639 code of the language the search asked for."""

    for_: str = ""
    language: str = ""

    @classmethod
    def of(cls, query: QueryDict) -> Context:
        return cls(_plain(query.get("for", ""), FOR_LENGTH), _plain(query.get("language", ""), 3))

    @property
    def query(self) -> str:
        """The query string that carries it on (empty when there is nothing to carry)."""
        pairs = {"for": self.for_, "language": self.language}
        return urlencode({key: value for key, value in pairs.items() if value})


@dataclass(frozen=True)
class Send:
    """A button of the card page: a POST to ``url``. With ``question``, it sits behind a
    confirm step (``web/confirm.html``) that asks it."""

    label: str
    url: str
    question: str = ""
    confirm: str = ""


@dataclass(frozen=True)
class Offered:
    """What an offer gives the card page: buttons, and a line to show instead when it
    cannot send (e.g. "you have no verified e-mail", with where to add one)."""

    sends: list[Send] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (text, link) pairs


Offer = Callable[[HttpRequest, Resource, Context], Offered]
OFFERS: list[Offer] = []

# what the colleague asks about, by the entry's kind; an app or reading is named instead
ASK_ABOUT = {
    Kind.EAP: gettext_lazy("what my employee assistance program offers"),
    Kind.CLINICIAN: gettext_lazy("seeing a counselor"),
    Kind.CHAPLAIN: gettext_lazy("talking with a chaplain"),
    Kind.CRISIS_LINE: gettext_lazy("talking with someone now"),
    Kind.SUPPORT_GROUP: gettext_lazy("joining the group"),
}


def spoken(resource: Resource, code: str) -> str:
    """The name of the language ``code`` if the entry lists it, else nothing."""
    return next((lang.name for lang in resource.languages.all() if lang.code == code), "")


def script(resource: Resource, language: str = "") -> str:
    """What the colleague can say when they call: who they are, who sent them, and what
    they would like (by telehealth, in ``language``, when the entry offers them)."""
    about = ASK_ABOUT.get(Kind(resource.kind))
    asked = str(about) if about else resource.name
    said = [
        _(
            "I'm a 911 telecommunicator and my peer supporter suggested you. "
            "I'd like to ask about %(about)s."
        )
        % {"about": asked}
    ]
    name = spoken(resource, language)
    if resource.telehealth and name:
        said.append(_("Could we meet by video (telehealth), in %(language)s?") % {"language": name})
    elif resource.telehealth:
        said.append(_("Could we meet by video (telehealth)?"))
    elif name:
        said.append(_("Could we talk in %(language)s?") % {"language": name})
    return " ".join(said)


@dataclass(frozen=True)
class Card:
    """Everything a card shows, for one reader at one moment."""

    resource: Resource
    script: str
    hours: list[hours.Opening]
    open_now: bool
    zone: ZoneInfo


def card_of(resource: Resource, zone: ZoneInfo, now: datetime, language: str = "") -> Card:
    """``resource`` (with its details loaded) as a card read in ``zone`` at ``now``."""
    return Card(
        resource,
        script(resource, language),
        hours.openings_in(resource, zone, now),
        hours.is_open(resource, now),
        zone,
    )


def as_text(card: Card) -> str:
    """The card as plain text, for an e-mail (whose link opens the card in Backline)."""
    return render_to_string("directory/card.txt", {"card": card}).strip()
