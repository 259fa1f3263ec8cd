"""What one tap or one reply on a notification does, wherever the notification arrives.

A message may name an action: ``Message.action`` is ``"<name>:<argument>"`` (say
``take:<page link id>``). ``notify`` does not know what an action means; the app that
owns it registers it here, once, at start-up: the words of its button, the line a text
adds ("Reply 123456 to take it"), the URL a push notification's button posts to, and
what a reply by text does. Each channel then offers it its own way: a button in the
e-mail, a notification action in the browser, a reply code in a text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Action:
    # the button: "I'll take it"
    title: str | Promise
    # what a text adds, with ``%(code)s`` for its reply code
    reply_prompt: str | Promise
    # (argument, recipient id) -> the absolute URL a push notification's button posts to
    tap_url: Callable[[str, int], str]
    # (argument, recipient id) -> the text to answer a reply with; None when the reply
    # is not valid for them (they get the same answer as for an unknown code)
    on_reply: Callable[[str, int], str | None]


_actions: dict[str, Action] = {}


def register(name: str, action: Action) -> None:
    _actions[name] = action


def find(named: str) -> tuple[Action, str] | None:
    """The registered action and its argument, for a message's ``action``."""
    name, _, argument = named.partition(":")
    action = _actions.get(name)
    return (action, argument) if action is not None and argument else None
