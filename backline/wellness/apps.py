from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WellnessConfig(AppConfig):
    name = "backline.wellness"
    label = "wellness"
    verbose_name = _("Self-checks")
