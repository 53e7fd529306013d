from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "retaguarda.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from retaguarda.inventory.ownership import register_source_types
        from retaguarda.sales import (
            handlers,  # noqa: F401 - registers the outbox handlers
            rules,  # noqa: F401 - registers the watch rules
        )
        from retaguarda.sales.models import SalesOrder

        # Only sales may reserve, release or issue the stock its orders hold.
        register_source_types(self.label, SalesOrder.SOURCE_TYPE)
