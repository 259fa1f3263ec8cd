"""The words for audit action codes; each app describes its own actions here."""

from django.utils.functional import Promise

_descriptions: dict[str, str | Promise] = {}


def describe(action: str, description: str | Promise) -> str:
    """Register the words for an action code; returns the code for use as a constant."""
    _descriptions[action] = description
    return action


def is_described(action: str) -> bool:
    return action in _descriptions


def description_of(action: str) -> str:
    return str(_descriptions.get(action, action))
