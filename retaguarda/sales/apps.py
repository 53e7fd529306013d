from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "retaguarda.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from retaguarda.sales import handlers  # noqa: F401 - registers the outbox handlers
