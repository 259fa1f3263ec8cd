"""The development mailbox shows what Backline sent, and exists only in development."""

from django.core.mail import send_mail
from django.urls import reverse


def test_the_mailbox_shows_sent_mail_in_development(client, db, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.DEBUG = True
    send_mail("First", "Open http://127.0.0.1:8000/home/", None, ["a@example.org"])
    send_mail("Second", "Another", None, ["b@example.org"])
    page = client.get(reverse("dev_mail"))
    assert page.status_code == 200
    assert page.content.index(b"Second") < page.content.index(b"First")
    assert b'<a href="http://127.0.0.1:8000/home/"' in page.content


def test_the_mailbox_does_not_exist_in_production(client, db, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    settings.DEBUG = False
    assert client.get(reverse("dev_mail")).status_code == 404
