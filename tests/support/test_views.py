"""The pages of the loop: reach out, follow, take from a link; and their bad inputs."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from backline.accounts.roles import Role
from backline.lib import clock
from backline.privacy.models import AuditEntry
from backline.support import escalation, lifecycle, targets
from backline.support import messages as texts
from backline.support.models import Page, RequestStatus, SupportRequest, TeamSettings
from tests import asking
from tests.asking import reach_out_form
from tests.harness import ClientOf, Clock, Recorder, Team
from tests.personas import enrol_totp, make_person


def test_reach_out_in_two_taps_and_see_who_is_coming(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    form = requester.get(reverse("support:reach_out"))
    assert b"peer is available right now" in form.content  # the security blanket
    response = requester.post(reverse("support:reach_out"), reach_out_form())
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    assert response["Location"] == reverse("support:request", args=[request.public_id])
    assert b"Looking for a peer" in requester.get(response["Location"]).content

    page = Page.objects.get(peer=team.a)
    link = texts.page_link(page.link_id).removeprefix("http://127.0.0.1:8000")
    peer = client_of(team.a)
    offer = peer.get(link)
    assert b"Tess" not in offer.content  # no identity before taking
    peer.post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    status = requester.get(
        reverse("support:request", args=[request.public_id]), HTTP_HX_REQUEST="true"
    )
    assert b"Pat Peer took your request" in status.content
    assert b"<html" not in status.content

    detail = peer.get(reverse("support:request", args=[request.public_id]))
    assert b"Tess Caller" in detail.content
    entry = AuditEntry.objects.get(action="support.request.viewed")
    assert entry.subject_id == team.world.telecommunicator.pk and entry.actor_id == team.a.pk


def test_a_second_reach_out_shows_the_open_one(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    again = requester.post(
        reverse("support:reach_out"), reach_out_form(urgency="week", contact="text")
    )
    assert SupportRequest.objects.count() == 1
    assert again["Location"] == reverse(
        "support:request", args=[SupportRequest.objects.get().public_id]
    )


def test_invalid_reach_out_changes_nothing(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    for data, error in (
        (reach_out_form(urgency="yesterday"), "Select a valid choice"),
        (reach_out_form(callback_number="call me maybe"), "Use only digits"),
        (reach_out_form(callback_number="555 01"), "this one has 5 digits"),
        (reach_out_form(callback_number="+1 555"), "7 to 15 digits"),
        (reach_out_form(callback_number=""), "Enter a number the peer can call or text"),
        (reach_out_form(contact="text", callback_number=""), "Enter a number the peer can"),
        (reach_out_form(anonymous="on", callback_number=""), "Enter a number the peer can"),
        (reach_out_form(phone="12345"), "Select a valid choice"),  # not one of my phones
        (reach_out_form(preferred_peer=str(team.world.outsider.pk)), "Select a valid choice"),
        (reach_out_form(once=""), "This page was out of date. Please choose again."),
    ):
        response = requester.post(reverse("support:reach_out"), data)
        assert response.status_code == 200, data
        assert error in response.content.decode(), data
        assert b"Your request was not sent yet" in response.content
    assert SupportRequest.objects.count() == 0


def test_anonymous_reach_out_goes_to_its_private_page(
    team: Team, recorder: Recorder, client_of: ClientOf, client: Client
) -> None:
    requester = client_of(team.world.telecommunicator)
    form = reach_out_form(urgency="hours", anonymous="on", callback_number="+1 555 010 0999")
    response = requester.post(reverse("support:reach_out"), form)
    # post/redirect/get, straight to the follow page, which shows its own link to keep
    assert response.status_code == 302
    follow_url = response["Location"]
    assert follow_url.startswith("/support/follow/")
    page = requester.get(follow_url)
    assert page.context["follow_url"] == "http://testserver" + follow_url
    assert b"Copy link" in page.content and b"add it to your home screen" in page.content
    request = SupportRequest.objects.get()
    assert request.requester is None and request.callback_number == "+15550100999"
    page = client.get(follow_url)  # no sign-in needed: the link is the key
    assert b"Looking for a peer" in page.content
    assert page["Referrer-Policy"] == "same-origin" and page["Cache-Control"] == "no-store"
    assert client.get(reverse("support:follow", args=["guessed"])).status_code == 404
    client.post(follow_url.rstrip("/") + "/cancel/", {"confirm": "yes"})
    assert SupportRequest.objects.get().status == RequestStatus.CANCELLED


def test_sending_the_same_form_twice_sends_one_request(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    """A double tap, or a reload that posts again: the same form finds what it sent."""
    requester = client_of(team.world.telecommunicator)
    for anonymous in ("", "on"):
        form = reach_out_form(anonymous=anonymous)
        first = requester.post(reverse("support:reach_out"), form)
        again = requester.post(reverse("support:reach_out"), form, follow=True)
        assert again.redirect_chain[-1][0] == first["Location"]
        assert b"Your request was already sent. Here it is." in again.content
        assert SupportRequest.objects.filter(anonymous=bool(anonymous)).count() == 1
        lifecycle.cancel(SupportRequest.objects.get(anonymous=bool(anonymous)))
    # the same form's token sent by someone else is another request, and finds nothing
    stolen = reach_out_form(anonymous="on")
    mine = requester.post(reverse("support:reach_out"), stolen)["Location"]
    theirs = client_of(team.b).post(reverse("support:reach_out"), stolen)["Location"]
    assert mine != theirs and SupportRequest.objects.filter(status="open").count() == 2


def test_forged_expired_and_foreign_page_links(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    escalation.escalate_due()  # the engine pages the first step
    page = Page.objects.get(peer=team.a)
    peer = client_of(team.a)
    for forged in (str(page.pk), page.link_id[:-1], page.link_id.swapcase(), "nonsense"):
        assert peer.get(reverse("support:page", args=[forged])).status_code == 404
    link = reverse("support:page", args=[page.link_id])
    assert client_of(team.b).get(link).status_code == 404  # someone else's page
    with time_machine.travel(clock.now() + timedelta(hours=25)):
        expired = client_of(team.a).get(link)  # signed in again, a day later
    assert expired.status_code == 410


def test_a_link_to_a_taken_or_ended_request_says_so(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    request = SupportRequest.objects.get()
    moment.later(minutes=5)  # step 2 pages B
    assert {s.address for s in recorder.take()} == {"a@mail.test", "+15550100002"}
    lifecycle.acknowledge(request, team.b, timedelta(minutes=5))
    peer = client_of(team.a)
    assert (
        b"taken by another peer"
        in peer.get(reverse("support:offer", args=[request.public_id])).content
    )
    response = peer.post(
        reverse("support:take", args=[request.public_id]), {"coming_in": "5"}, follow=True
    )
    assert b"already took" in response.content
    assert SupportRequest.objects.get().acknowledged_by == team.b


def test_a_peer_of_another_team_cannot_take(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    request = SupportRequest.objects.get()
    stranger = make_person("far@prairie.test", "Far Peer", team.world.outside_agency, Role.PEER)
    enrol_totp(stranger)
    response = client_of(stranger).post(
        reverse("support:take", args=[request.public_id]), {"coming_in": "5"}
    )
    assert response.status_code == 404
    assert SupportRequest.objects.get().status == RequestStatus.OPEN


def test_coordinators_never_see_who_asked(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form(note="secret words"))
    coordinator = client_of(team.world.coordinator)
    page = coordinator.get(reverse("support:team"))
    assert b"Tess" not in page.content and b"secret" not in page.content
    request = SupportRequest.objects.get()
    assert coordinator.get(reverse("support:request", args=[request.public_id])).status_code == 404


def test_the_exclusion_list_is_private_and_used(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    page = requester.get(reverse("support:exclusions"))
    assert b"Pat Peer" in page.content  # a choice
    requester.post(reverse("support:exclusions"), {"excluded": team.a.pk})
    again = requester.post(reverse("support:exclusions"), {"excluded": team.a.pk})
    assert b"Select a valid choice" in again.content  # already on the list
    bad = requester.post(reverse("support:exclusions"), {"excluded": team.world.outsider.pk})
    assert b"Select a valid choice" in bad.content
    assert list(team.world.telecommunicator.exclusions.values_list("excluded", flat=True)) == [
        team.a.pk
    ]
    mine = team.world.telecommunicator.exclusions.get()
    assert (
        client_of(team.a).post(reverse("support:exclusion_remove", args=[mine.pk])).status_code
        == 404
    )
    requester.post(reverse("support:reach_out"), reach_out_form())
    assert not Page.objects.filter(peer=team.a).exists()
    requester.post(reverse("support:exclusion_remove", args=[mine.pk]))
    assert not team.world.telecommunicator.exclusions.exists()


def test_coordinators_are_warned_when_the_engine_stops(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    coordinator = client_of(team.world.coordinator)
    assert b"paging engine is not running" in coordinator.get(reverse("home")).content
    moment.tick()  # a heartbeat
    assert b"paging engine is not running" not in coordinator.get(reverse("home")).content
    moment.later(minutes=2)
    assert b"paging engine is not running" not in coordinator.get(reverse("home")).content
    moment.traveller.shift(timedelta(minutes=2))  # no tick for two minutes
    assert b"paging engine is not running" in coordinator.get(reverse("home")).content
    telecommunicator = client_of(team.world.telecommunicator)
    assert b"paging engine" not in telecommunicator.get(reverse("home")).content


def test_the_time_a_peer_gives_is_shown_in_local_time(
    team: Team, recorder: Recorder, client_of: ClientOf, client: Client
) -> None:
    """15:00 UTC is 7:00 in Los Angeles, where the team's agencies are."""
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    client_of(team.a).post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    status = requester.get(reverse("support:request", args=[request.public_id])).content.decode()
    assert "will reach out by 07:15" in status

    lifecycle.cancel(request)
    response = requester.post(reverse("support:reach_out"), reach_out_form(anonymous="on"))
    escalation.escalate_due()
    anonymous = SupportRequest.objects.get(anonymous=True)
    lifecycle.acknowledge(anonymous, team.a, timedelta(minutes=30))
    follow_url = requester.get(response["Location"]).context["follow_url"]
    follow = client.get(follow_url).content.decode()  # not signed in
    assert "will reach out by 07:30" in follow  # in the zone of the peer who is coming


def test_the_taker_sees_who_asked_only_for_the_follow_up_window(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form(note="rough"))
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    taker = client_of(team.a)
    taker.post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    detail = reverse("support:request", args=[request.public_id])
    assert b"Tess Caller" in taker.get(detail).content
    taker.post(reverse("support:close", args=[request.public_id]), {"confirm": "yes"})
    moment.later(days=6, hours=23)
    taker = client_of(team.a)  # signed in again, a week later
    assert b"Tess Caller" in taker.get(detail).content  # following up, within 7 days
    seen = AuditEntry.objects.filter(action="support.request.viewed").count()
    moment.later(hours=1)
    after = taker.get(detail).content
    assert b"Tess" not in after and b"tc@harbor.test" not in after
    assert b"A colleague." in after
    # the log keeps that it was seen, and no further reads are recorded as seen
    assert AuditEntry.objects.filter(action="support.request.viewed").count() == seen


def test_the_follow_up_window_is_the_teams_and_fails_closed(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    coordinator = client_of(team.world.coordinator)
    region = team.world.region
    field = f"team{region.pk}-followup_days"
    refused = coordinator.post(reverse("support:team"), {"region": region.pk, field: "31"})
    assert refused.status_code == 200 and b"less than or equal to 30" in refused.content
    assert not TeamSettings.objects.exists()  # nothing changed
    coordinator.post(reverse("support:team"), {"region": region.pk, field: "0"})
    assert TeamSettings.objects.get(region=region).followup_days == 0
    outsider = client_of(team.world.outsider)  # another team's coordinator
    outsider.post(
        reverse("support:team"), {"region": region.pk, f"team{region.pk}-followup_days": "30"}
    )
    assert TeamSettings.objects.get(region=region).followup_days == 0

    request, _ = asking.reach_out(
        team.world.telecommunicator, region, escalation.Ask("now", "call")
    )
    lifecycle.acknowledge(request, team.a, timedelta(minutes=5))
    lifecycle.close(request, team.a)
    request.refresh_from_db()
    assert not targets.taker_sees_requester(request, team.a)  # 0 days: not even a moment
    coordinator.post(reverse("support:team"), {"region": region.pk, field: "30"})
    assert not targets.taker_sees_requester(request, team.a)  # a longer window never reopens

    # ended under 30 days, then 0 for a moment, then 30 again: it stays closed
    other = make_person("tom@harbor.test", "Tom Other", team.world.agency, Role.TELECOMMUNICATOR)
    later, _ = asking.reach_out(other, region, escalation.Ask("now", "call"))
    lifecycle.acknowledge(later, team.a, timedelta(minutes=5))
    lifecycle.close(later, team.a)
    later.refresh_from_db()
    assert targets.taker_sees_requester(later, team.a)
    coordinator.post(reverse("support:team"), {"region": region.pk, field: "0"})
    coordinator.post(reverse("support:team"), {"region": region.pk, field: "30"})
    later.refresh_from_db()
    assert not targets.taker_sees_requester(later, team.a)

    for unreadable in (31, -1, "7", None, 7.5, True):
        assert targets.window_of(unreadable) == timedelta(0)
    assert targets.window_of(30) == timedelta(days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        TeamSettings.objects.filter(region=region).update(followup_days=31)


def test_a_taker_whose_peer_role_was_removed_no_longer_sees_who_asked(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form())
    request = SupportRequest.objects.get()
    taker = client_of(team.a)
    taker.post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    team.a.memberships.filter(role=Role.PEER).delete()
    page = client_of(team.a).get(reverse("support:request", args=[request.public_id]))
    assert b"Tess" not in page.content


def test_request_urls_carry_random_ids_not_the_sequence(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    response = requester.post(reverse("support:reach_out"), reach_out_form())
    request = SupportRequest.objects.get()
    assert response["Location"] == f"/support/requests/{request.public_id}/"
    assert len(request.public_id) == 16 and not request.public_id.isdigit()
    for guessed in (str(request.pk), request.public_id[:-1], request.public_id.upper()):
        assert requester.get(f"/support/requests/{guessed}/").status_code == 404
    assert requester.get(response["Location"]).status_code == 200


def test_an_anonymous_reach_out_writes_nothing_to_the_session(
    team: Team, recorder: Recorder, client_of: ClientOf, moment: Clock
) -> None:
    """A stored session's expiry is written when it changes: written at the moment of an
    anonymous request, it would date the request to the person in a database dump."""
    requester = client_of(team.world.telecommunicator)
    requester.get(reverse("support:reach_out"))
    before = {(s.session_key, s.expire_date, s.session_data) for s in Session.objects.all()}
    moment.traveller.shift(timedelta(minutes=3))
    response = requester.post(reverse("support:reach_out"), reach_out_form(anonymous="on"))
    assert requester.get(response["Location"]).context["follow_url"]
    after = {(s.session_key, s.expire_date, s.session_data) for s in Session.objects.all()}
    assert after == before
    assert not response.cookies  # nor anything else that would stay in the browser


def test_colleagues_to_choose_from_cannot_be_mistaken_for_each_other(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    """A second account named like an existing peer differs by its e-mail address."""
    twin = make_person("pat.two@mail.test", "Pat Peer", team.world.agency, Role.PEER)
    page = client_of(team.world.telecommunicator).get(reverse("support:reach_out")).content
    assert "Cy Sea (Bayside ECC) · c@bayside.test</option>".encode() in page
    assert "Pat Peer (Harbor 911) · peer@harbor.test</option>".encode() in page
    assert f"Pat Peer (Harbor 911) · {twin.email}</option>".encode() in page


@pytest.mark.parametrize(
    ("urgency", "offered", "first", "refused"),
    [
        ("now", ["5", "15", "30"], "15", "60"),
        ("hours", ["15", "30", "60", "120", "240"], "60", "5"),
        ("week", ["60", "240", "1440", "2880", "4320"], "1440", "15"),
    ],
)
def test_the_time_a_peer_promises_fits_the_urgency(
    team: Team,
    recorder: Recorder,
    client_of: ClientOf,
    urgency: str,
    offered: list[str],
    first: str,
    refused: str,
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(reverse("support:reach_out"), reach_out_form(urgency=urgency))
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    peer = client_of(team.a)
    form = peer.get(reverse("support:offer", args=[request.public_id])).context["form"]
    assert [str(value) for value, _label in form.fields["coming_in"].choices] == offered
    assert str(form.fields["coming_in"].initial) == first
    response = peer.post(
        reverse("support:take", args=[request.public_id]), {"coming_in": refused}, follow=True
    )
    assert b"Choose when you will reach out." in response.content
    assert SupportRequest.objects.get().status == RequestStatus.OPEN  # nothing changed


def test_the_taker_of_a_call_back_request_is_offered_the_call_first(
    team: Team, recorder: Recorder, client_of: ClientOf
) -> None:
    requester = client_of(team.world.telecommunicator)
    requester.post(
        reverse("support:reach_out"),
        reach_out_form(anonymous="on", callback_number="+13195550142"),
    )
    escalation.escalate_due()  # the engine pages the first step
    request = SupportRequest.objects.get()
    taker = client_of(team.a)
    taker.post(reverse("support:take", args=[request.public_id]), {"coming_in": "15"})
    page = taker.get(reverse("support:request", args=[request.public_id])).content.decode()
    call = page.index('href="tel:+13195550142">Call (319) 555-0142</a>')
    assert call < page.index("Who asked") < page.index("We are in contact")
    lifecycle.close(SupportRequest.objects.get(), team.a)
    assert (
        "tel:+1"
        not in taker.get(reverse("support:request", args=[request.public_id])).content.decode()
    )
