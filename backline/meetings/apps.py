from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "backline.meetings"
    label = "meetings"  # "sessions" is django.contrib.sessions'
    verbose_name = _("Sessions")

    def ready(self) -> None:
        from backline.meetings import ics

        ics.register()  # invitations carry the session's calendar file
