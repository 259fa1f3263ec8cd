"""How numbers are shown."""

import pytest

from backline.notify.templatetags.phones import phone


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("+13195550142", "(319) 555-0142"),
        ("+441632960961", "+441632960961"),  # not North American: as given
        ("5550142", "5550142"),
        ("+1319555014", "+1319555014"),  # too short to be one
    ],
)
def test_north_american_numbers_read_as_people_write_them(number: str, shown: str) -> None:
    assert phone(number) == shown
