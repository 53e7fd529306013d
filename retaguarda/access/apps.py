from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "retaguarda.access"
    label = "access"
    verbose_name = _("Access")

    def ready(self):
        from retaguarda.access import signals  # noqa: F401
