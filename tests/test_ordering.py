"""``lib.ordering`` on rows with a unique order (a policy's steps): appending, moving
past either end, and closing the gap a removed row leaves."""

from __future__ import annotations

from backline.lib import ordering
from backline.support.models import EscalationPolicy, EscalationStep
from tests.personas import World


def orders(policy: EscalationPolicy) -> list[tuple[int, int]]:
    return list(policy.steps.values_list("delay_minutes", "order"))


def test_append_move_and_close_up(world: World) -> None:
    policy = EscalationPolicy.objects.create(region=world.region, name="P")
    assert ordering.next_position(policy.steps.all(), "order") == 0
    for minutes in (1, 2, 3):
        EscalationStep.objects.create(
            policy=policy,
            delay_minutes=minutes,
            order=ordering.next_position(policy.steps.all(), "order"),
        )
    assert orders(policy) == [(1, 0), (2, 1), (3, 2)]
    first, second, third = policy.steps.all()

    assert not ordering.swap(policy.steps.all(), "order", first, "up")  # already first
    assert not ordering.swap(policy.steps.all(), "order", third, "down")  # already last
    assert not ordering.swap(policy.steps.all(), "order", second, None)
    assert not ordering.swap(policy.steps.all(), "order", second, "sideways")
    assert orders(policy) == [(1, 0), (2, 1), (3, 2)]

    assert ordering.swap(policy.steps.all(), "order", third, "up")
    assert orders(policy) == [(1, 0), (3, 1), (2, 2)]

    first.delete()
    ordering.close_up(policy.steps.all(), "order", first.order)
    assert orders(policy) == [(3, 0), (2, 1)]
