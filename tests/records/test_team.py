"""What coordinators see of their team's records (never who filed them, unless the team
says so, and then every such read is audited), the team's record settings, and the page
on which every member reads what their team keeps."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from backline.accounts.models import User
from backline.privacy.models import AuditEntry
from backline.records.models import ContactRecord, RecordMode, RecordSettings
from tests.harness import Clock
from tests.personas import World
from tests.records.builders import record


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _record(world: World, peer: User, contact_type: str = "request") -> ContactRecord:
    region = peer.memberships.get(role__in=["peer", "coordinator"]).region
    return record(
        region,
        peer,
        contact_type=contact_type,
        channel="in_person",
        topics=["family"],
        referral="chaplain",
    )


def test_coordinators_see_records_not_who_filed_them(world: World, moment: Clock) -> None:
    _record(world, world.peer)
    _record(world, world.peer, "informal")
    _record(world, world.outsider)  # another team's
    page = _client(world.coordinator).get(reverse("records:team")).content.decode()
    assert "Family" in page and "referred: Chaplain" in page
    assert "You do not see which peer filed a record." in page
    assert "<dt>Request</dt><dd>1</dd>" in page and "<dt>Informal</dt><dd>1</dd>" in page
    assert "<dt>Check-in</dt>" not in page
    assert world.peer.full_name not in page and world.peer.email not in page
    assert "Otto" not in page
    assert not AuditEntry.objects.filter(subject_id=world.peer.pk).exists()
    # what the outsider coordinates is theirs alone
    theirs = _client(world.outsider).get(reverse("records:team")).content.decode()
    assert theirs.count("referred: Chaplain") == 1 and world.region.name not in theirs


def test_a_team_that_shows_names_audits_each_read(world: World, moment: Clock) -> None:
    RecordSettings.objects.create(region=world.region, coordinators_see_peer=True)
    _record(world, world.peer)
    page = _client(world.coordinator).get(reverse("records:team")).content.decode()
    assert f"Filed by {world.peer.display_name}" in page
    entry = AuditEntry.objects.get(subject_id=world.peer.pk)
    assert entry.actor_id == world.coordinator.pk and entry.action == "records.filer.viewed"
    seen = _client(world.peer).get(reverse("who_has_seen_my_data")).content.decode()
    assert "saw that you filed contact records" in seen


def test_the_coordinator_chooses_what_the_team_keeps(world: World, moment: Clock) -> None:
    client = _client(world.coordinator)
    prefix = f"team{world.region.pk}"
    refused = client.post(
        reverse("records:team"),
        {"region": world.region.pk, f"{prefix}-mode": "counts"},
    )
    assert refused.status_code == 400 and b"Please keep at least one topic" in refused.content
    assert not RecordSettings.objects.exists()
    saved = client.post(
        reverse("records:team"),
        {
            "region": world.region.pk,
            f"{prefix}-mode": "counts",
            f"{prefix}-topics": ["grief", "other"],
            f"{prefix}-coordinators_see_peer": "on",
        },
    )
    assert saved.status_code == 302
    settings = RecordSettings.objects.get(region=world.region)
    assert (settings.mode, settings.topics, settings.coordinators_see_peer) == (
        "counts",
        ["grief", "other"],
        True,
    )
    # the outsider's form names a region they do not coordinate: nothing changes
    client = _client(world.outsider)
    client.post(reverse("records:team"), {"region": world.region.pk, f"{prefix}-mode": "none"})
    assert RecordSettings.objects.get(region=world.region).mode == "counts"


def test_every_member_reads_what_their_team_keeps(world: World, moment: Clock) -> None:
    url = reverse("records:privacy")
    for member in (world.telecommunicator, world.peer, world.coordinator, world.administrator):
        page = _client(member).get(url).content.decode()
        assert "Categories: the day" in page and world.region.name in page
        assert "not which peer filed them" in page
    RecordSettings.objects.create(region=world.region, mode=RecordMode.NONE)
    page = _client(world.telecommunicator).get(url).content.decode()
    assert "No records: nothing about a peer-support conversation is written down." in page
    RecordSettings.objects.filter(region=world.region).update(
        mode=RecordMode.COUNTS, coordinators_see_peer=True
    )
    page = _client(world.telecommunicator).get(url).content.decode()
    assert "Counts only" in page and "which peer filed each one" in page
    outsider = _client(world.outsider).get(url).content.decode()
    assert world.region.name not in outsider and "Prairie Peer Team" in outsider
    assert (
        b"What your team keeps" in _client(world.peer).get(reverse("who_has_seen_my_data")).content
    )
