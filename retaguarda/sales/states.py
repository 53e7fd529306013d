"""The sales order's states and its transition table (DESIGN.md section 4).

`invoicing` is the wait between asking fiscal for the note and SEFAZ authorizing it: the reservation
is consumed and the receivable created only once the note is authorized."""

from django.db import models
from django.utils.translation import pgettext_lazy


class OrderState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("sales order", "Draft")
    CONFIRMED = "confirmed", pgettext_lazy("sales order", "Confirmed")
    INVOICING = "invoicing", pgettext_lazy("sales order", "Invoicing")
    INVOICED = "invoiced", pgettext_lazy("sales order", "Invoiced")
    SHIPPED = "shipped", pgettext_lazy("sales order", "Shipped")
    DELIVERED = "delivered", pgettext_lazy("sales order", "Delivered")
    CANCELLED = "cancelled", pgettext_lazy("sales order", "Cancelled")


ORDER_TRANSITIONS = {
    OrderState.DRAFT: {OrderState.CONFIRMED, OrderState.CANCELLED},
    OrderState.CONFIRMED: {OrderState.INVOICING, OrderState.CANCELLED},
    OrderState.INVOICING: {OrderState.INVOICED},
    OrderState.INVOICED: {OrderState.SHIPPED, OrderState.CANCELLED},  # cancelled: its notes cancelled at SEFAZ
    OrderState.SHIPPED: {OrderState.DELIVERED},
}

# Orders promised to the customer and not yet shipped: past the promised ship date they are late (a
# draft was never promised to anyone). One list for the watch rule, the orders page and the day's tasks.
WAITING_STATES = (OrderState.CONFIRMED, OrderState.INVOICING, OrderState.INVOICED)

# States whose stock is held by a reservation.
RESERVED_STATES = (OrderState.CONFIRMED, OrderState.INVOICING)


class QuoteState(models.TextChoices):
    OPEN = "open", pgettext_lazy("quote", "Open")
    CONVERTED = "converted", pgettext_lazy("quote", "Converted into an order")
    CANCELLED = "cancelled", pgettext_lazy("quote", "Cancelled")


QUOTE_TRANSITIONS = {QuoteState.OPEN: {QuoteState.CONVERTED, QuoteState.CANCELLED}}


class ReturnState(models.TextChoices):
    INVOICING = "invoicing", pgettext_lazy("sales return", "Waiting for the return note")
    COMPLETED = "completed", pgettext_lazy("sales return", "Completed")


RETURN_TRANSITIONS = {ReturnState.INVOICING: {ReturnState.COMPLETED}}
