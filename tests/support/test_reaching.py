"""The peer can reach the person: a number for "call me" and "text me" (the requester's
own verified phone in one tap, or one typed), a place or video app for the others; the
requester sees how they will be reached and changes it while they wait."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.lib import clock
from backline.notify.models import Channel, ContactMethod, OutgoingMessage
from backline.support import escalation, lifecycle
from backline.support.models import Page, RequestStatus, SupportRequest
from tests import asking
from tests.asking import reach_out_form
from tests.harness import ClientOf, Clock, Recorder, Team

OWN = "+13195550142"


def own_phone(user: User, number: str = OWN, verified: bool = True) -> ContactMethod:
    return ContactMethod.objects.create(
        user=user,
        channel=Channel.SMS,
        value=number,
        verified_at=clock.now() if verified else None,
    )


def test_my_verified_phone_is_chosen_in_one_tap(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = team.world.telecommunicator
    mine = own_phone(requester)
    own_phone(requester, "+13195550999", verified=False)  # not verified: not offered
    theirs = own_phone(team.a, "+13195550777")
    client = client_of(requester)
    form = client.get(reverse("support:reach_out")).content.decode()
    assert f'value="{mine.pk}"' in form and "My phone, (319) 555-0142" in form
    assert "555-0999" not in form and "555-0777" not in form
    assert f'value="{mine.pk}" id="id_phone_0" required checked' in form  # chosen already

    # another person's phone is not mine to choose
    refused = client.post(
        reverse("support:reach_out"), reach_out_form(phone=str(theirs.pk), callback_number="")
    )
    assert b"Select a valid choice" in refused.content
    assert not SupportRequest.objects.exists()

    # the one tap: "Now", with my phone as it was offered
    sent = client.post(
        reverse("support:reach_out"), reach_out_form(phone=str(mine.pk), callback_number="")
    )
    request = SupportRequest.objects.get()
    assert sent["Location"] == reverse("support:request", args=[request.public_id])
    assert request.callback_number == OWN  # a copy, erased when the request ends
    page = client.get(sent["Location"]).content.decode()
    assert "The peer will call you at (319) 555-0142." in page
    assert "may come from a number you do not know" in page


def test_ten_digits_are_a_north_american_number(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    client = client_of(team.world.telecommunicator)
    client.post(reverse("support:reach_out"), reach_out_form(callback_number="319.555.0142"))
    assert SupportRequest.objects.get().callback_number == OWN


def test_in_person_and_video_say_where_and_need_no_number(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    client = client_of(team.world.telecommunicator)
    client.post(
        reverse("support:reach_out"),
        reach_out_form(contact="in_person", callback_number="", place="Quiet room, 2nd floor"),
    )
    request = SupportRequest.objects.get()
    assert (request.callback_number, request.place) == ("", "Quiet room, 2nd floor")
    page = client.get(reverse("support:request", args=[request.public_id])).content.decode()
    assert "The peer will meet you in person: Quiet room, 2nd floor." in page
    lifecycle.cancel(request)

    # a number typed before choosing video is not kept: the peer would not use it
    client.post(reverse("support:reach_out"), reach_out_form(contact="video"))
    video = SupportRequest.objects.get(status=RequestStatus.OPEN)
    assert (video.callback_number, video.place) == ("", "")
    page = client.get(reverse("support:request", args=[video.public_id])).content.decode()
    assert "The peer will send you a video link." in page


def test_the_taker_leads_with_the_call_and_sees_a_change(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    taker = client_of(team.a)
    taker.post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    detail = reverse("support:request", args=[request.public_id])
    page = taker.get(detail).content.decode()
    assert page.index(f'href="tel:{OWN}">Call (319) 555-0142</a>') < page.index("Who asked")
    own = requester.get(detail).content.decode()
    assert "Pat Peer will call you at (319) 555-0142." in own

    # the requester would rather have a text, on another number
    changed = requester.post(
        reverse("support:contact", args=[request.public_id]),
        {"reach-contact": "text", "reach-phone": "other", "reach-callback_number": "3195550100"},
        follow=True,
    )
    assert b"Saved. The peer will reach you this way." in changed.content
    assert b"Pat Peer will text you at (319) 555-0100." in changed.content
    page = taker.get(detail).content.decode()
    assert (
        'href="sms:+13195550100">Text (319) 555-0100</a>' in page and "tel:+1319555014" not in page
    )
    told = OutgoingMessage.objects.filter(recipient=team.a, channel="inapp").order_by("pk").last()
    assert told is not None
    assert told.subject == "Backline: how to reach your colleague changed"
    assert "555" not in told.body + told.subject  # lock-screen safe

    # a change that leaves no number changes nothing
    refused = requester.post(
        reverse("support:contact", args=[request.public_id]),
        {"reach-contact": "call", "reach-phone": "other", "reach-callback_number": ""},
    )
    assert refused.status_code == 400
    assert b"Nothing was changed yet" in refused.content
    assert SupportRequest.objects.get().callback_number == "+13195550100"

    # someone else cannot change it
    other = client_of(team.b).post(
        reverse("support:contact", args=[request.public_id]),
        {"reach-contact": "call", "reach-phone": "other", "reach-callback_number": "3195550111"},
    )
    assert other.status_code == 404

    # once it is closed the number and place are gone, and a stale change does nothing
    lifecycle.close(SupportRequest.objects.get(), team.a)
    ended = SupportRequest.objects.get()
    assert (ended.callback_number, ended.place) == ("", "")
    stale = requester.post(
        reverse("support:contact", args=[request.public_id]),
        {"reach-contact": "call", "reach-phone": "other", "reach-callback_number": "3195550111"},
        follow=True,
    )
    assert b"This request is no longer waiting, so nothing was changed." in stale.content
    assert SupportRequest.objects.get().callback_number == ""


def test_an_anonymous_page_names_its_number_by_its_last_digits(
    team: Team, recorder: Recorder, client_of: ClientOf, client: Client
) -> None:
    requester = client_of(team.world.telecommunicator)
    sent = requester.post(reverse("support:reach_out"), reach_out_form(anonymous="on"))
    follow = sent["Location"]
    page = client.get(follow).content.decode()  # the link may be left in a shared history
    assert "The peer will call you at the number ending in 0142." in page
    assert "555-0142" not in page and "5550142" not in page

    # leaving the number empty keeps it; choosing a text changes only the way
    kept = client.post(
        follow + "contact/", {"reach-contact": "text", "reach-phone": "other"}, follow=True
    )
    assert b"Saved." in kept.content
    request = SupportRequest.objects.get()
    assert (request.contact, request.callback_number) == ("text", OWN)
    bad = client.post(
        follow + "contact/",
        {"reach-contact": "call", "reach-phone": "other", "reach-callback_number": "nope"},
    )
    assert bad.status_code == 400 and b"Use only digits" in bad.content
    assert bad["Cache-Control"] == "no-store"
    assert SupportRequest.objects.get().contact == "text"


def test_a_cancelled_request_says_so_in_every_inbox(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    request = SupportRequest.objects.get()
    moment.tick()
    recorder.expect(to="a@mail.test")
    assert lifecycle.cancel(request)
    page = OutgoingMessage.objects.get(recipient=team.a, channel="inapp")
    assert page.resolution == "Cancelled by the colleague. No action is needed."
    assert lifecycle.acknowledge(request, team.a, timedelta(minutes=5)) is False


def test_a_peer_keeps_a_request_for_as_long_as_they_promised(
    team: Team, recorder: Recorder, moment: Clock
) -> None:
    """A "this week" request taken "within 2 days" is the peer's for 2 days and the
    policy's time to start besides; a "now" one, for the policy's time to start."""
    later = reach_out_for(team, "week")
    assert lifecycle.acknowledge(later, team.a, timedelta(days=2))
    moment.later(hours=47)
    assert SupportRequest.objects.get(pk=later.pk).status == RequestStatus.ACKNOWLEDGED
    moment.later(hours=1, minutes=31)  # promised 2 days, then 30 minutes to start
    assert SupportRequest.objects.get(pk=later.pk).status == RequestStatus.OPEN
    told = OutgoingMessage.objects.get(recipient=team.a, group_key__endswith=":handed-back")
    assert told.subject == "Backline: a request you took went back to your team"
    recorder.expect(to="a@mail.test", subject="Backline: support request — this week")  # again

    soon = reach_out_for(team, "now", requester=team.b)
    assert lifecycle.acknowledge(soon, team.c, timedelta(minutes=15))
    moment.later(minutes=29)
    assert SupportRequest.objects.get(pk=soon.pk).status == RequestStatus.ACKNOWLEDGED
    moment.later(minutes=2)
    assert SupportRequest.objects.get(pk=soon.pk).status == RequestStatus.OPEN
    recorder.expect(to="a@mail.test", subject="Backline: support request — now")  # A, on call


def reach_out_for(team: Team, urgency: str, requester: User | None = None) -> SupportRequest:
    request, _token = asking.reach_out(
        requester or team.world.telecommunicator,
        team.world.region,
        escalation.Ask(urgency, "call", callback_number=OWN),
    )
    for peer in (team.a, team.c):  # paged, whatever the hour
        Page.objects.get_or_create(request=request, peer=peer, step_index=0, loop_count=0)
    return request


def test_an_anonymous_request_in_person_or_by_video_says_where(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    """Without a name or a number, the place (or the video link) is the only way."""
    client = client_of(team.world.telecommunicator)
    for contact in ("in_person", "video"):
        refused = client.post(
            reverse("support:reach_out"),
            reach_out_form(anonymous="on", contact=contact, callback_number="", place=" "),
        )
        assert b"Say where to meet, or give a video link" in refused.content
    assert not SupportRequest.objects.exists()
    sent = client.post(
        reverse("support:reach_out"),
        reach_out_form(anonymous="on", contact="video", callback_number="", place="Zoom 555"),
    )
    assert SupportRequest.objects.get().place == "Zoom 555"
    refused = client.post(
        sent["Location"] + "contact/", {"reach-contact": "in_person", "reach-phone": "other"}
    )
    assert refused.status_code == 400 and b"Say where to meet" in refused.content
    assert SupportRequest.objects.get().contact == "video"


def test_the_follow_page_is_kept_by_its_own_address(
    team: Team, recorder: Recorder, client_of: ClientOf, client: Client
) -> None:
    """ "Add to home screen" keeps the page's address: the app's manifest would open
    the app's start page instead, and lose the only way back to the request."""
    sent = client_of(team.world.telecommunicator).post(
        reverse("support:reach_out"), reach_out_form(anonymous="on")
    )
    assert b'rel="manifest"' not in client.get(sent["Location"]).content
    assert b'rel="manifest"' in client.get(reverse("account_login")).content
