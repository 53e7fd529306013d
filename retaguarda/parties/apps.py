from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartiesConfig(AppConfig):
    name = "retaguarda.parties"
    label = "parties"
    verbose_name = _("Customers, suppliers and carriers")

    def ready(self):
        from retaguarda.core.audit import register_action_labels

        register_action_labels(
            {
                "address_added": _("Address added"),
                "address_changed": _("Address changed"),
                "address_removed": _("Address removed"),
                "contact_added": _("Contact added"),
                "contact_changed": _("Contact changed"),
                "contact_removed": _("Contact removed"),
            }
        )
