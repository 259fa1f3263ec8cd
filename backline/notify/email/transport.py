"""Sends outbox messages by e-mail."""

from __future__ import annotations

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from backline.notify.models import OutgoingMessage
from backline.notify.transport import TransportError


class EmailTransport:
    def send(self, message: OutgoingMessage, address: str) -> str:
        if not settings.BACKLINE_EMAIL:
            # refused, not dropped: the outbox records it and fails over to the next method
            raise TransportError("e-mail is turned off (BACKLINE_EMAIL=off)", retryable=False)
        message_id = make_msgid(domain="backline")
        body = message.body + (f"\n\n{message.link}\n" if message.link else "\n")
        email = EmailMessage(
            subject=message.subject,
            body=body,
            to=[address],
            headers={"Message-ID": message_id, "Auto-Submitted": "auto-generated"},
            connection=get_connection(fail_silently=False),
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise TransportError(f"recipient refused: {exc}", retryable=False) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportError(f"SMTP: {exc}") from exc
        return message_id
