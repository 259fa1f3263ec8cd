from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "backline.support"
    label = "support"
    verbose_name = _("Support requests")

    def ready(self) -> None:
        from backline.support import answers, handoff

        answers.register()  # "I'll take it" from a push notification or a text
        handoff.register()  # "E-mail this card" on the directory's hand-off card
