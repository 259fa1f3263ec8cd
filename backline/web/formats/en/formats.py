"""English: the 24-hour clock 911 centers work by, and the weekday first, since most
moments shown are this week's shifts and requests."""

TIME_FORMAT = "H:i"  # 08:00
SHORT_DATETIME_FORMAT = "D j M, H:i"  # Sun 6 Dec, 08:00
DATETIME_FORMAT = "D j M Y, H:i"  # Sun 6 Dec 2026, 08:00 (records kept longer)
DATE_FORMAT = "D j M Y"
SHORT_DATE_FORMAT = "D j M"
