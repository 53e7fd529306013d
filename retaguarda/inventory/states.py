"""Document states of the inventory app and their transition tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TransferState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SHIPPED = "shipped", _("In transit")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


TRANSFER_TRANSITIONS = {
    TransferState.DRAFT: {TransferState.SHIPPED, TransferState.CANCELLED},
    TransferState.SHIPPED: {TransferState.RECEIVED},
}


class CountState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COUNTING = "counting", _("Counting")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


COUNT_TRANSITIONS = {
    CountState.DRAFT: {CountState.COUNTING, CountState.CANCELLED},
    CountState.COUNTING: {CountState.POSTED, CountState.CANCELLED},
}


class ReservationState(models.TextChoices):
    ACTIVE = "active", _("Active")
    CONSUMED = "consumed", _("Consumed")
    RELEASED = "released", _("Released")
