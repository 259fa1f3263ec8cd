"""Spanish: the 24-hour clock, the weekday first as in English, and dates written out as
Spanish writes them ("mar 1 de diciembre de 2026")."""

TIME_FORMAT = "H:i"  # 08:00
SHORT_DATETIME_FORMAT = "D j b, H:i"  # dom 6 dic, 08:00
DATETIME_FORMAT = r"D j \d\e F \d\e Y, H:i"  # dom 6 de diciembre de 2026, 08:00
DATE_FORMAT = r"D j \d\e F \d\e Y"
SHORT_DATE_FORMAT = "D j b"
