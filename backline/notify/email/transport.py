"""Sends outbox messages by e-mail: a plain-text part, and an HTML part whose large
button opens the message's link ("I'll take it" for a page). Both say only what the
message says, which is lock-screen safe: a preview names nobody."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from backline.lib import tokens
from backline.notify import actions
from backline.notify.models import OutgoingMessage
from backline.notify.transport import TransportError


def _button(message: OutgoingMessage) -> str:
    found = actions.find(message.action)
    return str(found[0].title) if found else _("Open Backline")


def _text(message: OutgoingMessage, button: str) -> str:
    if not message.link:
        return message.body + "\n"
    return f"{message.body}\n\n{button}: {message.link}\n"


def message_id_of(message: OutgoingMessage) -> str:
    """One ``Message-ID`` per outbox row, the same on every attempt: a resend after a
    crash (the server had the mail, Backline never heard back) is recognisably the same
    mail. Keyed, so that it tells nobody how many messages Backline has sent."""
    return f"<{tokens.keyed('message-id', message.pk)}@backline>"


class EmailTransport:
    def send(self, message: OutgoingMessage, address: str) -> str:
        if not settings.BACKLINE_EMAIL:
            # refused, not dropped: the outbox records it and fails over to the next method
            raise TransportError("e-mail is turned off (BACKLINE_EMAIL=off)", retryable=False)
        message_id = message_id_of(message)
        button = _button(message)
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=_text(message, button),
            to=[address],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
            connection=get_connection(fail_silently=False),
        )
        html = render_to_string(
            "notify/email/message.html",
            {
                "subject": message.subject,
                "body": message.body,
                "link": message.link,
                "button": button,
            },
        )
        email.attach_alternative(html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", retryable=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {exc}") from exc
        return message_id
