from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "backline.oncall"
    label = "oncall"
    verbose_name = _("On call")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from backline.oncall.sessions import note_sign_in

        user_logged_in.connect(note_sign_in, dispatch_uid="backline.oncall.note_sign_in")
