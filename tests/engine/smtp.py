"""The SMTP server of the engine's process tests: the e-mail transport's test server
(``backline/notify/email/tests/smtp_server.py``), kept importable from here."""

from backline.notify.email.tests.smtp_server import Handler, Received, SmtpServer

__all__ = ["Handler", "Received", "SmtpServer"]
