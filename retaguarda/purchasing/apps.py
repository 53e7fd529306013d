from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PurchasingConfig(AppConfig):
    name = "retaguarda.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self):
        from retaguarda.core import audit
        from retaguarda.purchasing import (
            handlers,  # noqa: F401  (registers the outbox handlers)
            rules,  # noqa: F401  (registers the watch rules)
        )

        audit.register_action_labels(
            {
                "approved": pgettext_lazy("audit action", "approved"),
                "rejected": pgettext_lazy("audit action", "rejected"),
                "sent": pgettext_lazy("audit action", "sent to the supplier"),
            }
        )
