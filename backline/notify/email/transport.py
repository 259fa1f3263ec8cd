"""Sends messages by e-mail: a plain-text part, and an HTML part whose large button
opens the message's link ("I'll take it" for a page). Both say only what the message
says, which is lock-screen safe: a preview names nobody.

The ``Message-ID`` comes from the envelope's key, the same on every attempt of one
outbox row: a resend after a crash (the server had the mail, Backline never heard
back) is recognisably the same mail.
"""

from __future__ import annotations

import smtplib
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from backline.notify.attachments import Attachment
from backline.notify.transport import Envelope, Sent, TransportError


def message_id(envelope: Envelope) -> str:
    return f"<{envelope.key}@backline>"


def _text(envelope: Envelope, button: str) -> str:
    if not envelope.link:
        return envelope.body + "\n"
    return f"{envelope.body}\n\n{button}: {envelope.link}\n"


def _part(attachment: Attachment) -> MIMEText:
    """A text file as its own MIME part: ``text/calendar; method=REQUEST`` needs its
    parameters kept, which a plain Django attachment would not."""
    main, _slash, sub = attachment.mimetype.partition("/")
    part = MIMEText(attachment.content, sub, "utf-8")
    for name, value in attachment.params:
        part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    assert main == "text", attachment.mimetype
    return part


class EmailTransport:
    def send(self, envelope: Envelope) -> Sent:
        if not settings.BACKLINE_EMAIL:
            # refused, not dropped: the outbox records it and fails over to the next method
            raise TransportError("e-mail is turned off (BACKLINE_EMAIL=off)", retryable=False)
        button = envelope.button or _("Open Backline")
        email = EmailMultiAlternatives(
            subject=envelope.subject,
            body=_text(envelope, button),
            to=[envelope.address],
            headers={"Message-ID": message_id(envelope), "Auto-Submitted": "auto-generated"},
            connection=get_connection(fail_silently=False),
        )
        html = render_to_string(
            "notify/email/message.html",
            {
                "subject": envelope.subject,
                "body": envelope.body,
                "link": envelope.link,
                "button": button,
            },
        )
        email.attach_alternative(html, "text/html")
        for attachment in envelope.attachments:
            email.attach(_part(attachment))
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx: this mailbox will not take it; 4xx (full, greylisted): later it may
            codes = [code for code, _reply in exc.recipients.values()]
            permanent = all(code >= 500 for code in codes)
            raise TransportError(f"recipient refused: {codes}", retryable=not permanent) from exc
        except smtplib.SMTPDataError as exc:
            raise TransportError(
                f"message refused: {exc.smtp_code}", retryable=exc.smtp_code < 500
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # the server is down, slow, or refuses us (sign-in, sender): may be fixed soon
            raise TransportError(f"SMTP: {exc}") from exc
        return Sent(provider_id=message_id(envelope))
