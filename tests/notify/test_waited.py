"""``waited``: "just now" for the first minute, then how long ago, as the clock moves."""

from __future__ import annotations

from datetime import timedelta

from django.template import Context, Template
from django.utils import timezone

from backline.lib import clock
from backline.notify.templatetags.waiting import by_when, waited
from tests.harness import Clock


def test_the_first_minute_reads_just_now(moment: Clock) -> None:
    asked = clock.now()
    assert waited(asked) == "just now"
    moment.shift(seconds=59)
    assert waited(asked) == "just now"


def test_after_a_minute_it_says_how_long_ago(moment: Clock) -> None:
    asked = clock.now()
    moment.shift(seconds=60)
    assert waited(asked) == "1\xa0minute ago"  # Django keeps a number with its unit
    moment.shift(minutes=64)
    assert waited(asked) == "1\xa0hour, 5\xa0minutes ago"


def test_nothing_to_say_without_a_moment() -> None:
    assert waited(None) == ""


def test_a_template_never_shows_zero_minutes(moment: Clock) -> None:
    html = Template("{% load waiting %}{{ at|waited }}").render(Context({"at": clock.now()}))
    assert html == "just now"


def test_a_promise_reads_as_its_time_today_and_with_its_day_otherwise(moment: Clock) -> None:
    with timezone.override("America/Chicago"):  # Mon 2 Mar, 09:00 there
        assert by_when(clock.now() + timedelta(minutes=15)) == "09:15"
        assert by_when(clock.now() + timedelta(days=2)) == "Wed 4 Mar, 09:00"
        assert by_when(clock.now() + timedelta(hours=15)) == "Tue 3 Mar, 00:00"  # past midnight
    assert by_when(None) == ""
