from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    name = "backline.checkins"
    label = "checkins"
    verbose_name = _("Check-ins")

    def ready(self) -> None:
        from backline.checkins import handover, taps

        handover.connect()  # a peer who leaves the team hands their plans over
        taps.register()  # "I'm good" from a push notification or a text
