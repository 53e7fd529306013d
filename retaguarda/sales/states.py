"""The sales order's states and its transition table (DESIGN.md section 4).

`invoicing` is the wait between asking fiscal for the note and SEFAZ authorizing it: the reservation
is consumed and the receivable created only once the note is authorized."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    CONFIRMED = "confirmed", _("Confirmed")
    INVOICING = "invoicing", _("Invoicing")
    INVOICED = "invoiced", _("Invoiced")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TRANSITIONS = {
    OrderState.DRAFT: {OrderState.CONFIRMED, OrderState.CANCELLED},
    OrderState.CONFIRMED: {OrderState.INVOICING, OrderState.CANCELLED},
    OrderState.INVOICING: {OrderState.INVOICED},
    OrderState.INVOICED: {OrderState.SHIPPED},
    OrderState.SHIPPED: {OrderState.DELIVERED},
}

# States whose stock is held by a reservation.
RESERVED_STATES = (OrderState.CONFIRMED, OrderState.INVOICING)
