import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

EMAIL_OFF_WARNING = (
    "e-mail is turned off (BACKLINE_EMAIL=off): Backline sends no mail. Pages meant for "
    "e-mail contact methods fail over to each person's next method (texts, calls, browser "
    "notifications, in-app), e-mail addresses cannot be added or verified, and invitations "
    "and password-reset links are not delivered"
)


class NotifyConfig(AppConfig):
    name = "backline.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        if not settings.BACKLINE_EMAIL:
            logging.getLogger(__name__).warning(EMAIL_OFF_WARNING)
