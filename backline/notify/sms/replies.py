"""Reply codes: a text that offers an action says "Reply 123456 to take it".

The code is derived from the message's row and the secret key, so a retried text says
the same code and nothing stores it in clear; the row keeps only a digest of the code
bound to the number the text went to (``OutgoingMessage.reply_digest``). A reply is
therefore found by its sender's number and code together: the same code from any
other number matches nothing.
"""

from __future__ import annotations

import re

from django.utils.crypto import salted_hmac

from backline.notify import actions
from backline.notify.models import Channel, OutgoingMessage

CODE_DIGITS = 6
_SEPARATORS = re.compile(r"[\s.\-]+")


def code_for(message_pk: int) -> str:
    mac = salted_hmac("backline.notify.sms.reply-code", str(message_pk), algorithm="sha256")
    return f"{int(mac.hexdigest(), 16) % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def digest(number: str, code: str) -> str:
    return salted_hmac(
        "backline.notify.sms.reply-digest", f"{number}:{code}", algorithm="sha256"
    ).hexdigest()


def offers_reply(message: OutgoingMessage) -> bool:
    return message.channel == Channel.SMS and actions.find(message.action) is not None


def prompt(message: OutgoingMessage) -> str:
    """The line a text adds for its action, or nothing."""
    found = actions.find(message.action) if message.channel == Channel.SMS else None
    if found is None:
        return ""
    return str(found[0].reply_prompt) % {"code": code_for(message.pk)}


def read_code(body: str) -> str | None:
    """The code in a reply ("123456", "123 456", " 123-456 "), or None."""
    code = _SEPARATORS.sub("", body)
    return code if len(code) == CODE_DIGITS and code.isascii() and code.isdigit() else None
