from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrTablesConfig(AppConfig):
    name = "retaguarda.br_tables"
    label = "br_tables"
    verbose_name = _("Official tables")
