"""The audit log is append-only, down to the database."""

import pytest

from backline.privacy import audit
from backline.privacy.actions import describe
from backline.privacy.models import AuditEntry
from tests.append_only import assert_append_only
from tests.personas import World

TEST_READ = describe("tests.read", "read something in a test")


def test_record_and_read_back(world: World) -> None:
    entry = audit.record(
        world.coordinator, TEST_READ, subject=world.telecommunicator, obj=world.telecommunicator
    )
    assert entry.actor_label == "Cory Coordinator"
    assert entry.object_type == "accounts.user"
    assert entry.description == "read something in a test"
    assert list(AuditEntry.objects.visible_to(world.telecommunicator)) == [entry]
    assert list(AuditEntry.objects.visible_to(world.peer)) == []


def test_an_undescribed_action_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="undescribed"):
        audit.record(world.coordinator, "tests.mystery", subject=world.telecommunicator)
    assert not AuditEntry.objects.exists()


def test_entries_cannot_be_changed_or_deleted(world: World) -> None:
    entry = audit.record(world.coordinator, TEST_READ, subject=world.telecommunicator)
    assert_append_only(entry, action="tampered")
    assert AuditEntry.objects.get().action == TEST_READ


def test_deleting_an_account_keeps_its_history(world: World) -> None:
    audit.record(world.coordinator, TEST_READ, subject=world.telecommunicator)
    world.coordinator.delete()
    entry = AuditEntry.objects.get()
    assert entry.actor_label == "Cory Coordinator"
