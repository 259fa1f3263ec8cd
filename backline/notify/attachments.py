"""Files an e-mail carries, made when it is sent (a calendar invitation, say).

``notify`` does not know what a file means: the app that owns a group of messages
registers, once at start-up, the function that makes the files of that group's e-mails
from the group key's argument and the recipient (``meeting-invite:12`` → the session's
invitation). It is called at each attempt, so a mail sent late carries what is true
when it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: str
    # e.g. "text/calendar", with its parameters apart: {"method": "REQUEST"}
    mimetype: str
    params: tuple[tuple[str, str], ...] = ()


Maker = Callable[[str, int], tuple[Attachment, ...]]

_makers: dict[str, Maker] = {}


def register(prefix: str, maker: Maker) -> None:
    """``maker(argument, recipient id)`` makes the files of every group ``prefix:…``."""
    _makers[prefix] = maker


def for_group(group_key: str, recipient_id: int) -> tuple[Attachment, ...]:
    prefix, _, argument = group_key.partition(":")
    maker = _makers.get(prefix)
    return maker(argument, recipient_id) if maker is not None and argument else ()
