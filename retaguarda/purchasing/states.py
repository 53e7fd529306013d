"""Document states of the purchasing app and their transition tables (DESIGN.md section 4)."""

from django.db import models
from django.utils.translation import pgettext_lazy


class RequestState(models.TextChoices):
    PENDING = "pending", pgettext_lazy("purchase request state", "Awaiting approval")
    APPROVED = "approved", pgettext_lazy("purchase request state", "Approved")
    REJECTED = "rejected", pgettext_lazy("purchase request state", "Rejected")
    ORDERED = "ordered", pgettext_lazy("purchase request state", "Ordered")
    CANCELLED = "cancelled", pgettext_lazy("purchase request state", "Cancelled")


REQUEST_TRANSITIONS = {
    RequestState.PENDING: {RequestState.APPROVED, RequestState.REJECTED, RequestState.CANCELLED},
    RequestState.APPROVED: {RequestState.ORDERED, RequestState.CANCELLED},
}


class OrderState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("purchase order state", "Draft")
    ORDERED = "ordered", pgettext_lazy("purchase order state", "Ordered")
    PARTIALLY_RECEIVED = "partially_received", pgettext_lazy("purchase order state", "Partially received")
    RECEIVED = "received", pgettext_lazy("purchase order state", "Received")
    CANCELLED = "cancelled", pgettext_lazy("purchase order state", "Cancelled")


ORDER_TRANSITIONS = {
    OrderState.DRAFT: {OrderState.ORDERED, OrderState.CANCELLED},
    OrderState.ORDERED: {OrderState.PARTIALLY_RECEIVED, OrderState.RECEIVED, OrderState.CANCELLED},
    OrderState.PARTIALLY_RECEIVED: {OrderState.RECEIVED},
}

# Orders a receipt may take goods from.
RECEIVABLE_STATES = (OrderState.ORDERED, OrderState.PARTIALLY_RECEIVED)


class ReceiptState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("receipt state", "Draft")
    POSTED = "posted", pgettext_lazy("receipt state", "Posted")
    CANCELLED = "cancelled", pgettext_lazy("receipt state", "Cancelled")


RECEIPT_TRANSITIONS = {
    ReceiptState.DRAFT: {ReceiptState.POSTED, ReceiptState.CANCELLED},
}
