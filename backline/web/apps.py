from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out
from django.core import checks
from django.db.models.signals import post_delete, post_save


class WebConfig(AppConfig):
    name = "backline.web"
    label = "web"

    def ready(self) -> None:
        from allauth.socialaccount.models import SocialApp

        from backline.web.checks import compiled_catalogues
        from backline.web.middleware import forget_sso_origins, note_signed_out

        checks.register(compiled_catalogues)
        post_save.connect(forget_sso_origins, sender=SocialApp)
        post_delete.connect(forget_sso_origins, sender=SocialApp)
        user_logged_out.connect(note_signed_out)
