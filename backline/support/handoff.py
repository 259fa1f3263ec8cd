"""A warm hand-off card sent to the colleague's own e-mail, because they asked for it.

Backline never takes an address for this: a card goes through the outbox to the verified
e-mail methods the recipient set up themselves, never by text or push (a lock screen
shows those). Two people may send one:

- any member, to themselves ("E-mail this card to me");
- the peer who took a request, to the colleague who asked, while the taker still sees who
  asked (``targets.taker_sees_requester``), never for an anonymous request, and only from
  a confirm step that says to send it only because the colleague asked. Each such send
  is audited (the colleague sees it in "Who has seen my data"), with no address.

The subject names nothing ("The details you asked for"). One card goes once a day to
one recipient from one sender (the same request, or the same member to themselves): a
double tap or a reload sends nothing more. A sender sends at most ``PER_HOUR`` cards an
hour, counted in the shared cache. The directory's card page shows these buttons
through ``card.OFFERS`` (``register``); this app sits above the directory and ``notify``.
"""

from __future__ import annotations

import enum

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backline.accounts.access import MEMBER, MemberRequest, role
from backline.accounts.models import User
from backline.accounts.roles import Role
from backline.directory import card as cards
from backline.directory import search
from backline.directory.models import Resource
from backline.lib import clock, confirm, tokens
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, OutgoingMessage
from backline.privacy import audit
from backline.privacy.access import access
from backline.privacy.actions import describe
from backline.support import targets
from backline.support.models import SupportRequest
from backline.support.views import REQUEST_VIEWED

PEER = role(Role.PEER)
PER_HOUR = 10
CAP_WINDOW_SECONDS = 2 * 60 * 60  # the hour's counter outlives its hour
SUBJECT = gettext_lazy("The details you asked for")
CARD_SENT = describe(
    "support.handoff.sent",
    gettext_lazy(
        "sent the details of a resource to your e-mail, as you asked "
        "(as the peer who took your request)"
    ),
)


class Sent(enum.Enum):
    SENT = "sent"
    ALREADY = "already"
    NO_EMAIL = "no_email"
    CAPPED = "capped"


def first_name(person: User) -> str:
    return (person.preferred_name or person.full_name or _("them")).split()[0]


def own_emails(person: User) -> list[ContactMethod]:
    """The person's verified e-mail methods that are turned on (their values unopened)."""
    usable = ContactMethod.objects.usable().filter(user=person, channel=Channel.EMAIL)
    return list(usable.defer("value").order_by("created_at", "pk"))


def held(user: User, ref: str) -> SupportRequest | None:
    """The named request ``user`` took and still sees who asked, or None."""
    found = (
        SupportRequest.objects.visible_to(user)
        .select_related("requester")
        .filter(public_id=ref, anonymous=False, requester__isnull=False)
        .first()
    )
    if found is None or not targets.taker_sees_requester(found, user):
        return None
    return found


def _under_cap(sender: User) -> bool:
    """Counts this send against the sender's hour; False past ``PER_HOUR``."""
    key = f"support:handoff:{sender.pk}:{clock.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=CAP_WINDOW_SECONDS)
    try:
        count = int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=CAP_WINDOW_SECONDS)
        count = 1
    return count <= PER_HOUR


def send(sender: User, recipient: User, resource: Resource, once: str, language: str) -> Sent:
    """The card of ``resource`` (details loaded) to ``recipient``'s own e-mail, once a
    day for ``once`` (who sends, for whom); nothing when it was sent already, when they
    have no verified e-mail, or past the sender's hourly cap."""
    methods = own_emails(recipient)
    if not methods:
        return Sent.NO_EMAIL
    now = clock.now()
    today = now.astimezone(recipient.time_zone).date()
    event = f"handoff:{tokens.keyed('handoff', once, resource.pk, today)}"
    if OutgoingMessage.objects.filter(group_key=event).exists():
        return Sent.ALREADY
    if not _under_cap(sender):
        return Sent.CAPPED
    link = settings.BACKLINE_PUBLIC_URL.rstrip("/") + reverse("directory:card", args=[resource.pk])

    def message() -> outbox.Message:  # in the recipient's language, not the sender's
        return outbox.Message(
            subject=str(SUBJECT),
            body=cards.as_text(cards.card_of(resource, recipient.time_zone, now, language)),
            link=link,
        )

    try:
        with transaction.atomic():
            for method in methods:
                outbox.enqueue_to_method(method, event, f"{event}:{method.pk}", message)
    except IntegrityError:  # the same card, sent a moment ago from another tap
        return Sent.ALREADY
    return Sent.SENT


def _told(request: HttpRequest, outcome: Sent, to_whom: str) -> None:
    if outcome is Sent.SENT:
        messages.success(
            request, _("Sent to %(whom)s. It arrives in a minute or two.") % {"whom": to_whom}
        )
    elif outcome is Sent.ALREADY:
        messages.info(
            request, _("This card was already sent to %(whom)s today.") % {"whom": to_whom}
        )
    elif outcome is Sent.NO_EMAIL:
        messages.error(request, _("Nothing was sent: there is no verified e-mail to send it to."))
    else:
        messages.error(
            request,
            _(
                "Nothing was sent: that is %(count)s cards in an hour, the most Backline "
                "sends. Please give the card on screen or print it."
            )
            % {"count": PER_HOUR},
        )


def _card_url(resource: Resource, carried: cards.Context) -> str:
    url = reverse("directory:card", args=[resource.pk])
    return f"{url}?{carried.query}" if carried.query else url


def _entry(request: MemberRequest, pk: int) -> Resource:
    return get_object_or_404(search.with_details(Resource.objects.visible_to(request.user)), pk=pk)


@require_POST
@access(MEMBER)
def to_me(request: MemberRequest, pk: int) -> HttpResponse:
    """The card to the member's own verified e-mail."""
    resource = _entry(request, pk)
    carried = cards.Context.of(request.GET)
    me = request.user
    _told(request, send(me, me, resource, f"self:{me.pk}", carried.language), _("your e-mail"))
    return redirect(_card_url(resource, carried))


@require_POST
@access(PEER)
def to_requester(request: MemberRequest, ref: str, pk: int) -> HttpResponse:
    """The card to the e-mail of the colleague whose request the peer holds, from its
    confirm step."""
    support_request = held(request.user, ref)
    if support_request is None:
        raise Http404
    resource = _entry(request, pk)
    if resource.region_id != support_request.region_id:
        raise Http404
    carried = cards.Context(ref, cards.Context.of(request.GET).language)
    if not confirm.confirmed(request):
        return redirect(_card_url(resource, carried))
    requester = support_request.requester
    assert requester is not None  # ``held`` finds named requests only
    outcome = send(
        request.user, requester, resource, f"request:{support_request.pk}", carried.language
    )
    if outcome is Sent.SENT:
        audit.record(request.user, CARD_SENT, subject=requester, obj=support_request)
    _told(request, outcome, _("%(name)s's e-mail") % {"name": first_name(requester)})
    return redirect(_card_url(resource, carried))


def offer(request: HttpRequest, resource: Resource, carried: cards.Context) -> cards.Offered:
    """The card page's buttons: to the colleague whose request this peer holds, when the
    link came from that request; otherwise to the viewer's own e-mail."""
    viewer = request.user
    assert isinstance(viewer, User)
    query = f"?{carried.query}" if carried.query else ""
    support_request = held(viewer, carried.for_) if carried.for_ else None
    if support_request is not None and support_request.region_id == resource.region_id:
        requester = support_request.requester
        assert requester is not None
        name = first_name(requester)  # who asked, on this page too: read as the request is
        audit.record(viewer, REQUEST_VIEWED, subject=requester, obj=support_request)
        if not own_emails(requester):
            return cards.Offered(
                notes=[
                    (
                        _(
                            "%(name)s has no verified e-mail in Backline, so the card "
                            "cannot be sent: show it on screen, or print it."
                        )
                        % {"name": name},
                        "",
                    )
                ]
            )
        url = reverse("support:hand_off", args=[support_request.public_id, resource.pk])
        return cards.Offered(
            sends=[
                cards.Send(
                    label=_("Send to %(name)s's e-mail") % {"name": name},
                    url=url + query,
                    question=_(
                        "Send it only because %(name)s asked for it. It goes to their own "
                        "e-mail in Backline, under a subject that says nothing of what it is."
                    )
                    % {"name": name},
                    confirm=_("%(name)s asked: send it") % {"name": name},
                )
            ]
        )
    if not own_emails(viewer):
        return cards.Offered(
            notes=[
                (
                    _(
                        "You have no verified e-mail in Backline, so the card cannot be "
                        "e-mailed to you (it never goes by text or notification)."
                    ),
                    reverse("notify:methods"),
                )
            ]
        )
    url = reverse("support:hand_off_to_me", args=[resource.pk]) + query
    return cards.Offered(sends=[cards.Send(label=_("E-mail this card to me"), url=url)])


def register() -> None:
    """Offer these sends on every card page (from the app's ``ready``)."""
    if offer not in cards.OFFERS:
        cards.OFFERS.append(offer)
