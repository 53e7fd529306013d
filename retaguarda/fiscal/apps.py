from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FiscalConfig(AppConfig):
    name = "retaguarda.fiscal"
    label = "fiscal"
    verbose_name = _("Tax documents")

    def ready(self):
        from retaguarda.core import periodic
        from retaguarda.core.audit import register_action_labels
        from retaguarda.fiscal import (
            checks,  # noqa: F401 - registers the SEFAZ_CA_BUNDLE checks
            handlers,  # noqa: F401 - registers the outbox handlers
            rules,  # noqa: F401 - registers the watch rules
        )
        from retaguarda.fiscal.tasks import probe_contingencies

        periodic.register(probe_contingencies, every=timedelta(minutes=5))

        register_action_labels(
            {
                "issued": pgettext_lazy("audit action", "issued"),
                "discarded": pgettext_lazy("audit action", "discarded"),
            }
        )
