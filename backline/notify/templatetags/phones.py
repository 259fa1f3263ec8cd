"""``phone``: a number as people read it, e.g. +13195550142 as (319) 555-0142."""

from django import template

register = template.Library()


@register.filter
def phone(number: str) -> str:
    """North American numbers in the usual form; any other number as it was given."""
    digits = number.removeprefix("+")
    if number.startswith("+1") and len(digits) == 11 and digits.isdigit():
        return f"({digits[1:4]}) {digits[4:7]}-{digits[7:]}"
    return number
