from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OncallConfig(AppConfig):
    name = "backline.oncall"
    label = "oncall"
    verbose_name = _("On call")
