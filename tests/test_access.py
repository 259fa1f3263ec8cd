"""Who may reach every page: the access table, and the deny-by-default machinery.

A change that adds a page or an endpoint adds its row to ACCESS below; the walk over
every URL pattern fails until it does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse

from backline.accounts.models import Invitation
from backline.checkins import taps
from backline.checkins.models import Nudge, OptOut, Plan
from backline.lib import clock, tokens
from backline.notify import outbox
from backline.notify.models import Channel, ContactMethod, NotificationRule, OutgoingMessage
from backline.privacy.access import rule_of
from backline.support import answers, escalation, lifecycle
from backline.support.models import Exclusion, Page, PageKind, SupportRequest
from backline.web.allauth_rules import RULES as ALLAUTH_RULES
from tests import asking
from tests.directory.builders import entry
from tests.meetings import builders as meetings
from tests.oncall.builders import (
    CALENDAR,
    OVERRIDE,
    POLICY,
    POLICY_STEP,
    ROTATION,
    ROTATION_MEMBER,
    SCHEDULE,
    SCHEDULE_WINDOW,
    SHIFT_OFFER,
    STEP_TARGET,
)
from tests.personas import World
from tests.records.builders import record
from tests.wellness.builders import self_check

PERSONAS = [
    "anonymous",
    "telecommunicator",
    "peer",
    "coordinator",
    "clinician",
    "administrator",
    "outsider",
]
LOGIN = "login"  # anonymous visitors are sent to sign in


def row(
    get: int | str, tc: int, peer: int, coord: int, clin: int, admin: int, out: int
) -> dict[str, int | str]:
    return dict(zip(PERSONAS, [get, tc, peer, coord, clin, admin, out], strict=True))


def _invitation(world: World) -> Invitation:
    now = clock.now()
    return Invitation.objects.create(
        agency=world.agency,
        email="new@harbor.test",
        full_name="New Person",
        roles=["telecommunicator"],
        invited_by=world.coordinator,
        token_digest=tokens.digest("known-token"),
        created_at=now,
        expires_at=now + timedelta(days=1),
    )


def NONE(world: World) -> dict[str, Any]:
    return {}


def DELIVERY_REPORT(world: World) -> dict[str, Any]:
    """A report URL as Backline gives it to the provider (for a row that need not exist)."""
    return {"pk": 1, "signature": tokens.keyed("delivery-report", 1)}


def AGENCY(world: World) -> dict[str, Any]:
    return {"pk": world.agency.pk}


def PERSON(world: World) -> dict[str, Any]:
    return {"pk": world.telecommunicator.pk}


def MEMBERSHIP(world: World) -> dict[str, Any]:
    membership = world.telecommunicator.memberships.get()
    return {"pk": world.telecommunicator.pk, "membership_pk": membership.pk}


def INVITATION(world: World) -> dict[str, Any]:
    return {"pk": _invitation(world).pk}


def TOKEN(world: World) -> dict[str, Any]:
    _invitation(world)
    return {"token": "known-token"}


def _request(world: World, taken: bool = False) -> SupportRequest:
    """The telecommunicator's request, for which the peer was paged."""
    created, _ = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call"),
    )
    Page.objects.create(request=created, peer=world.peer, step_index=0, loop_count=0)
    if taken:
        lifecycle.acknowledge(created, world.peer, timedelta(minutes=5))
    return created


def REQUEST(world: World) -> dict[str, Any]:
    return {"ref": _request(world).public_id}


def TAKEN(world: World) -> dict[str, Any]:
    return {"ref": _request(world, taken=True).public_id}


def FOLLOW(world: World) -> dict[str, Any]:
    _, token = asking.reach_out(
        world.telecommunicator,
        world.region,
        escalation.Ask(urgency="now", contact="call", anonymous=True),
    )
    return {"token": token}


def PAGE(world: World) -> dict[str, Any]:
    page = Page.objects.get(request=_request(world), peer=world.peer)
    return {"token": page.link_id}


def ALERT(world: World) -> dict[str, Any]:
    alerted = Page.objects.create(
        request=_request(world), peer=world.coordinator, kind=PageKind.COORDINATOR, loop_count=0
    )
    return {"token": alerted.link_id}


def PAGE_TAP(world: World) -> dict[str, Any]:
    """A page's push button, with the key the peer's push carried."""
    token = PAGE(world)["token"]
    return {"token": token, "key": answers.tap_key(token, world.peer.pk)}


def _contact_method(world: World, verified: bool = False) -> ContactMethod:
    return ContactMethod.objects.create(
        user=world.telecommunicator,
        channel=Channel.EMAIL,
        value="tess@mail.test",
        verified_at=clock.now() if verified else None,
    )


def CONTACT_METHOD(world: World) -> dict[str, Any]:
    return {"pk": _contact_method(world).pk}


def CHANNEL(world: World) -> dict[str, Any]:
    return {"channel": Channel.SMS.value}


def RULE(world: World) -> dict[str, Any]:
    method = _contact_method(world, verified=True)
    rule = NotificationRule.objects.create(
        user=world.telecommunicator, contact_method=method, delay_minutes=5
    )
    return {"pk": rule.pk}


def NOTIFICATION(world: World) -> dict[str, Any]:
    outbox.enqueue(
        world.telecommunicator.pk, "access", "access", outbox.Message("Backline: hi", "Hello.")
    )
    return {"pk": OutgoingMessage.objects.get(group_key="access", channel=Channel.INAPP).pk}


def EXCLUSION(world: World) -> dict[str, Any]:
    mine = Exclusion.objects.create(owner=world.telecommunicator, excluded=world.peer)
    return {"pk": mine.pk}


def RECORD(world: World) -> dict[str, Any]:
    return {"pk": record(world.region, world.peer).pk}


def MEETING(world: World) -> dict[str, Any]:
    """A training the coordinator organised, the peer facilitates, and the
    telecommunicator and the clinician are invited to."""
    meeting = meetings.row(
        world,
        organiser=world.coordinator,
        facilitators=[world.peer],
        invite=[world.telecommunicator, world.clinician],
    )
    return {"pk": meeting.pk}


def _checkin_plan(world: World, handed_over: bool = False) -> Plan:
    """The peer's weekly check-in with the telecommunicator (or, handed over, nobody's)."""
    today = clock.now().date()
    return Plan.objects.create(
        region=world.region,
        peer=None if handed_over else world.peer,
        colleague=world.telecommunicator,
        frequency="weekly",
        starts_on=today,
        at=clock.now().time(),
        time_zone="America/Los_Angeles",
        ends_on=today + timedelta(weeks=4),
        handed_over_at=clock.now() if handed_over else None,
    )


def CHECKIN_PLAN(world: World) -> dict[str, Any]:
    return {"pk": _checkin_plan(world).pk}


def HANDED_OVER(world: World) -> dict[str, Any]:
    return {"pk": _checkin_plan(world, handed_over=True).pk}


def RESOURCE(world: World) -> dict[str, Any]:
    return {"pk": entry(world.region, "Harbor EAP").pk}


def TAKEN_AND_RESOURCE(world: World) -> dict[str, Any]:
    return TAKEN(world) | RESOURCE(world)


def NUDGE(world: World) -> dict[str, Any]:
    nudge = Nudge.objects.create(
        plan=_checkin_plan(world), colleague=world.telecommunicator, due_at=clock.now()
    )
    return {"token": nudge.link_id}


def NUDGE_TAP(world: World) -> dict[str, Any]:
    """A nudge's push button, with the key the telecommunicator's push carried."""
    token = NUDGE(world)["token"]
    return {"token": token, "key": taps.tap_key(token, world.telecommunicator.pk)}


def OPT_OUT(world: World) -> dict[str, Any]:
    return {"pk": OptOut.objects.create(colleague=world.telecommunicator, peer=world.peer).pk}


Args = Callable[[World], dict[str, Any]]

# name, URL arguments, method, expected status per persona


def SELF_CHECK(world: World) -> dict[str, Any]:
    """The telecommunicator's own result."""
    return {"pk": self_check(world.telecommunicator, "phq9", [1] * 9).pk}


def INSTRUMENT(world: World) -> dict[str, Any]:
    return {"name": "phq9"}


ACCESS: list[tuple[str, Args, str, dict[str, int | str]]] = [
    ("landing", NONE, "get", row(302, 302, 302, 302, 302, 302, 302)),
    ("home", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("manifest", NONE, "get", row(200, 200, 200, 200, 200, 200, 200)),
    ("offline", NONE, "get", row(200, 200, 200, 200, 200, 200, 200)),
    ("support:reach_out", NONE, "get", row(LOGIN, 200, 200, 404, 404, 404, 200)),
    ("support:request", REQUEST, "get", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("support:cancel", REQUEST, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    # an empty form is refused, and changes nothing
    ("support:contact", REQUEST, "post", row(LOGIN, 400, 404, 404, 404, 404, 404)),
    ("support:widen", REQUEST, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("support:wait", REQUEST, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("support:offer", REQUEST, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("support:take", REQUEST, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("support:start", TAKEN, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("support:close", TAKEN, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("support:hand_off", TAKEN_AND_RESOURCE, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("support:hand_off_to_me", RESOURCE, "post", row(LOGIN, 302, 302, 302, 302, 302, 404)),
    ("support:follow", FOLLOW, "get", row(200, 200, 200, 200, 200, 200, 200)),
    ("support:follow_cancel", FOLLOW, "post", row(302, 302, 302, 302, 302, 302, 302)),
    ("support:follow_contact", FOLLOW, "post", row(400, 400, 400, 400, 400, 400, 400)),
    ("support:follow_widen", FOLLOW, "post", row(302, 302, 302, 302, 302, 302, 302)),
    ("support:follow_wait", FOLLOW, "post", row(302, 302, 302, 302, 302, 302, 302)),
    ("support:page", PAGE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("support:coordinate", REQUEST, "get", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("support:page_again", REQUEST, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("support:alert", ALERT, "get", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("support:page_take", PAGE_TAP, "post", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("support:open", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("support:team", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("support:exclusions", NONE, "get", row(LOGIN, 200, 200, 404, 404, 404, 200)),
    ("support:exclusion_remove", EXCLUSION, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("oncall:home", NONE, "get", row(LOGIN, 404, 200, 200, 404, 404, 200)),
    ("oncall:availability", NONE, "post", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("oncall:quiet_hours", NONE, "post", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("oncall:break", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("oncall:break_end", NONE, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("oncall:offer_new", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("oncall:offer_take", SHIFT_OFFER, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("oncall:offer_withdraw", SHIFT_OFFER, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("oncall:offer_assign", SHIFT_OFFER, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("oncall:calendar", NONE, "post", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("oncall:calendar_feed", CALENDAR, "get", row(200, 200, 200, 200, 200, 200, 200)),
    ("oncall:rotations", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("oncall:rotation_new", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("oncall:rotation", ROTATION, "get", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("oncall:rotation_delete", ROTATION, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("oncall:member_add", ROTATION, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("oncall:member_remove", ROTATION_MEMBER, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("oncall:member_move", ROTATION_MEMBER, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("oncall:schedules", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("oncall:schedule_new", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("oncall:schedule", SCHEDULE, "get", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("oncall:schedule_delete", SCHEDULE, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("oncall:window_add", SCHEDULE, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("oncall:window_remove", SCHEDULE_WINDOW, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("oncall:overrides", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("oncall:override_delete", OVERRIDE, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("policies:list", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("policies:new", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("policies:coverage", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("policies:detail", POLICY, "get", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("policies:delete", POLICY, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("policies:default", POLICY, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("policies:step_add", POLICY, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("policies:step_edit", POLICY_STEP, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("policies:step_remove", POLICY_STEP, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("policies:step_move", POLICY_STEP, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("policies:target_add", POLICY_STEP, "post", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("policies:target_remove", STEP_TARGET, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("care:mine", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("care:balance", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("security_setup", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("forget_this_browser", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("who_has_seen_my_data", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("roster:agencies", NONE, "get", row(LOGIN, 404, 404, 200, 404, 200, 200)),
    ("roster:agency_new", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("roster:agency_edit", AGENCY, "get", row(LOGIN, 404, 404, 200, 404, 200, 404)),
    ("roster:people", NONE, "get", row(LOGIN, 404, 404, 200, 404, 200, 200)),
    ("roster:person", PERSON, "get", row(LOGIN, 404, 404, 200, 404, 200, 404)),
    ("roster:role_add", PERSON, "post", row(LOGIN, 404, 404, 302, 404, 302, 404)),
    ("roster:role_remove", MEMBERSHIP, "post", row(LOGIN, 404, 404, 302, 404, 302, 404)),
    ("roster:person_active", PERSON, "post", row(LOGIN, 404, 404, 302, 404, 302, 404)),
    ("roster_changes", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("roster:invitations", NONE, "get", row(LOGIN, 404, 404, 200, 404, 200, 200)),
    ("roster:invitation_revoke", INVITATION, "post", row(LOGIN, 404, 404, 302, 404, 302, 404)),
    ("accept_invitation", TOKEN, "get", row(200, 409, 409, 409, 409, 409, 409)),
    ("dev_mail", NONE, "get", row(404, 404, 404, 404, 404, 404, 404)),  # not in tests' mail
    ("notify:methods", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("notify:method_add", CHANNEL, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("notify:method_verify", CONTACT_METHOD, "get", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("notify:method_resend", CONTACT_METHOD, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("notify:method_remove", CONTACT_METHOD, "get", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("notify:method_enable", CONTACT_METHOD, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("notify:method_test", CONTACT_METHOD, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("notify:rule_add", NONE, "post", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("notify:rule_remove", RULE, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("notify:inbox", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("notify:mark_read", NOTIFICATION, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("notify:mark_all_read", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("notify:unread", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("notify:push_subscribe", NONE, "post", row(LOGIN, 400, 400, 400, 400, 400, 400)),
    ("notify:service_worker", NONE, "get", row(200, 200, 200, 200, 200, 200, 200)),
    # unsigned by the provider
    ("notify:sms_status", DELIVERY_REPORT, "post", row(403, 403, 403, 403, 403, 403, 403)),
    ("notify:sms_inbound", NONE, "post", row(403, 403, 403, 403, 403, 403, 403)),  # unsigned
    ("set_language", NONE, "post", row(400, 400, 400, 400, 400, 400, 400)),  # no language
    ("records:mine", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("records:new", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("records:edit", RECORD, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("records:team", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("records:privacy", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("meetings:list", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("meetings:new", NONE, "get", row(LOGIN, 404, 200, 200, 404, 404, 200)),
    ("meetings:detail", MEETING, "get", row(LOGIN, 200, 200, 200, 200, 404, 404)),
    ("meetings:answer", MEETING, "post", row(LOGIN, 302, 404, 404, 302, 404, 404)),
    ("meetings:edit", MEETING, "get", row(LOGIN, 404, 200, 200, 404, 404, 404)),
    ("meetings:cancel", MEETING, "post", row(LOGIN, 404, 302, 302, 404, 404, 404)),
    ("checkins:plans", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("checkins:plan_new", NONE, "get", row(LOGIN, 404, 200, 404, 404, 404, 404)),
    ("checkins:plan_delete", CHECKIN_PLAN, "post", row(LOGIN, 404, 302, 404, 404, 404, 404)),
    ("checkins:nudge", NUDGE, "get", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("checkins:nudge_good", NUDGE, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("checkins:nudge_good_tap", NUDGE_TAP, "post", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("checkins:nudge_talk", NUDGE, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("checkins:nudge_later", NUDGE, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("checkins:nudge_opt_out", NUDGE, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("checkins:settings", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("checkins:opt_out_all", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("checkins:opt_in_all", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("checkins:opt_out_peer", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("checkins:opt_out_remove", OPT_OUT, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    (
        "checkins:handed_over_continue",
        HANDED_OVER,
        "post",
        row(LOGIN, 302, 404, 404, 404, 404, 404),
    ),
    ("checkins:handed_over_end", HANDED_OVER, "post", row(LOGIN, 302, 404, 404, 404, 404, 404)),
    ("checkins:team", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    # everyone's own, and nobody else's
    ("wellness:index", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:take", INSTRUMENT, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:result", SELF_CHECK, "get", row(LOGIN, 200, 404, 404, 404, 404, 404)),
    ("wellness:trend", INSTRUMENT, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:reminder", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:export_json", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:export_csv", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("wellness:delete", NONE, "post", row(LOGIN, 302, 302, 302, 302, 302, 302)),
    ("directory:directory", NONE, "get", row(LOGIN, 200, 200, 200, 200, 200, 200)),
    ("directory:resource", RESOURCE, "get", row(LOGIN, 200, 200, 200, 200, 200, 404)),
    ("directory:card", RESOURCE, "get", row(LOGIN, 200, 200, 200, 200, 200, 404)),
    ("directory:resource_new", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("directory:resource_edit", RESOURCE, "get", row(LOGIN, 404, 404, 200, 404, 404, 404)),
    ("directory:resource_verify", RESOURCE, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("directory:resource_delete", RESOURCE, "post", row(LOGIN, 404, 404, 302, 404, 404, 404)),
    ("directory:import", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
    ("directory:export", NONE, "get", row(LOGIN, 404, 404, 200, 404, 404, 200)),
]


def walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        else:
            yield f"{namespace}{pattern.name}", pattern


def test_every_url_pattern_states_an_access_rule() -> None:
    missing = [name for name, p in walk(get_resolver().url_patterns) if rule_of(p.callback) is None]
    assert missing == []


def test_every_backline_page_has_a_row_in_the_access_table() -> None:
    ours = {
        name
        for name, p in walk(get_resolver().url_patterns)
        if p.callback.__module__.startswith("backline") or name == "set_language"
    }
    ours -= set(ALLAUTH_RULES)
    assert ours == {name for name, *_ in ACCESS}


def answer(
    world: World, persona: str, name: str, args: Args, method: str
) -> tuple[str, HttpResponse]:
    """The URL named ``name`` and the answer ``persona`` gets from it; each persona
    meets the same, untouched world."""
    with transaction.atomic():
        client = Client()
        if persona != "anonymous":
            client.force_login(getattr(world, persona))
        url = reverse(name, kwargs=args(world))
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return url, response


@pytest.mark.parametrize(
    ("name", "args", "method", "expected"), ACCESS, ids=[name for name, *_ in ACCESS]
)
def test_access_table(
    world: World, name: str, args: Args, method: str, expected: dict[str, int | str]
) -> None:
    for persona in PERSONAS:
        url, response = answer(world, persona, name, args, method)
        want = expected[persona]
        if want == LOGIN:
            assert response.status_code == 302, (persona, url)
            assert response["Location"].startswith(reverse("account_login")), (persona, url)
        else:
            assert response.status_code == want, (persona, url, response.status_code)


def unruled(request: HttpRequest) -> HttpResponse:
    return HttpResponse("secret")


urlpatterns = [path("unruled/", unruled)]


@pytest.mark.urls("tests.test_access")
def test_a_view_without_a_rule_is_refused(client: Client, db: None) -> None:
    response = client.get("/unruled/")
    assert response.status_code == 403
    assert b"secret" not in response.content


def test_an_allauth_view_that_nobody_reviewed_is_closed(client: Client, db: None) -> None:
    # login by e-mailed code is not reviewed for Backline: it stays closed
    response = client.get("/accounts/login/code/confirm/")
    assert response.status_code == 404
