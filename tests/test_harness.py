"""The harness's recorder holds tests to every message they send: one nobody asserted
fails the test when the recorder closes, with a list of what it was."""

from __future__ import annotations

import pytest

from backline.notify import registry
from backline.notify.models import Channel
from backline.notify.transport import Envelope, TransportError
from tests.harness import START, Clock, NotAsserted, frozen, recording


def send(channel: str, address: str, subject: str = "Backline: hello") -> str:
    envelope = Envelope(address=address, subject=subject, body="Open Backline.", key="k")
    return registry.transport_for(channel).send(envelope).provider_id


def test_a_message_nobody_asserted_fails_the_test_with_what_it_was() -> None:
    real = registry.transport_for(Channel.EMAIL)
    with pytest.raises(NotAsserted) as failed, recording(Channel.EMAIL) as recorder:
        send(Channel.EMAIL, "a@mail.test")
        send(Channel.EMAIL, "b@mail.test", "Backline: still unanswered")
        recorder.expect(to="a@mail.test")
    assert str(failed.value) == (
        "1 message(s) sent but not asserted (expect or take them, or recorder.ignore_rest() "
        "where the rest is not the story):\n"
        "  - email to b@mail.test: 'Backline: still unanswered'"
    )
    assert registry.transport_for(Channel.EMAIL) is real  # put back all the same


def test_what_expect_and_take_hand_over_is_asserted() -> None:
    with recording(Channel.EMAIL, Channel.SMS) as recorder:
        first = send(Channel.EMAIL, "a@mail.test")
        send(Channel.SMS, "+15550100002")
        send(Channel.SMS, "+15550100002", "Backline: again")
        assert recorder.expect(to="a@mail.test").provider_id == first
        assert [d.subject for d in recorder.take(channel=Channel.SMS)] == [
            "Backline: hello",
            "Backline: again",
        ]
        assert recorder.take() == []
        recorder.expect_nothing()


def test_expect_wants_exactly_one_and_takes_nothing_otherwise() -> None:
    with recording(Channel.EMAIL) as recorder:
        with pytest.raises(AssertionError, match=r"found 0\.\n\(no message not asserted yet\)"):
            recorder.expect(to="a@mail.test")
        send(Channel.EMAIL, "a@mail.test")
        send(Channel.EMAIL, "a@mail.test")
        with pytest.raises(
            AssertionError, match=r"expected one message \(to='a@mail.test'\), found 2"
        ):
            recorder.expect(to="a@mail.test")  # sent twice is a surprise too
        with pytest.raises(
            AssertionError, match=r"2 message\(s\) sent, where nothing was expected"
        ):
            recorder.expect_nothing(to="a@mail.test")
        assert len(recorder.take(to="a@mail.test", containing="Open Backline")) == 2


def test_ignore_rest_is_said_out_loud() -> None:
    with recording(Channel.EMAIL) as recorder:
        send(Channel.EMAIL, "a@mail.test")
        recorder.ignore_rest()


def test_a_failing_channel_sends_nothing_until_restored() -> None:
    with recording(Channel.SMS) as recorder:
        recorder.fail(Channel.SMS)
        with pytest.raises(TransportError) as failed:
            send(Channel.SMS, "+15550100002")
        assert failed.value.retryable
        recorder.fail(Channel.SMS, TransportError("invalid number", retryable=False))
        with pytest.raises(TransportError, match="invalid number"):
            send(Channel.SMS, "+15550100002")
        recorder.restore(Channel.SMS)
        send(Channel.SMS, "+15550100002")
        recorder.expect(to="+15550100002")


def test_the_clock_moves_only_when_told() -> None:
    with frozen() as moment:
        assert isinstance(moment, Clock)
        assert moment.shift() == START
        assert moment.shift(minutes=5) == START.replace(minute=5)
        assert moment.to(START) == START.replace(minute=5)  # never back
        assert moment.to(START.replace(hour=16)) == START.replace(hour=16)
