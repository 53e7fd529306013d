from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FiscalConfig(AppConfig):
    name = "retaguarda.fiscal"
    label = "fiscal"
    verbose_name = _("Tax documents")
