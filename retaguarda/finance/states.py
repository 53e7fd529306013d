"""Document states of the finance app and their transition tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TitleState(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partially_settled", _("Partially settled")
    SETTLED = "settled", _("Settled")
    CANCELLED = "cancelled", _("Cancelled")


# Settling moves a title forward; reversing a settlement (or a credit) moves it back. Only a title
# with nothing settled may be cancelled.
TITLE_TRANSITIONS = {
    TitleState.OPEN: {TitleState.PARTIAL, TitleState.SETTLED, TitleState.CANCELLED},
    TitleState.PARTIAL: {TitleState.OPEN, TitleState.SETTLED},
    TitleState.SETTLED: {TitleState.OPEN, TitleState.PARTIAL},
}


class SettlementState(models.TextChoices):
    POSTED = "posted", pgettext_lazy("settlement", "Posted")
    REVERSED = "reversed", pgettext_lazy("settlement", "Reversed")


SETTLEMENT_TRANSITIONS = {SettlementState.POSTED: {SettlementState.REVERSED}}


class LineState(models.TextChoices):
    UNRECONCILED = "unreconciled", _("To reconcile")
    RECONCILED = "reconciled", _("Reconciled")
    IGNORED = "ignored", _("Ignored")


LINE_TRANSITIONS = {
    LineState.UNRECONCILED: {LineState.RECONCILED, LineState.IGNORED},
    LineState.IGNORED: {LineState.UNRECONCILED},
    LineState.RECONCILED: {LineState.UNRECONCILED},
}
