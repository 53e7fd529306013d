"""States of a fiscal document (DESIGN.md §4) and the transition table `core.states.transition` checks."""

from django.db import models
from django.utils.translation import pgettext_lazy


class DocumentState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("fiscal document", "Draft")
    QUEUED = "queued", pgettext_lazy("fiscal document", "Queued for SEFAZ")
    SENT = "sent", pgettext_lazy("fiscal document", "Sent, awaiting SEFAZ")
    AUTHORIZED = "authorized", pgettext_lazy("fiscal document", "Authorized")
    REJECTED = "rejected", pgettext_lazy("fiscal document", "Rejected")
    DENIED = "denied", pgettext_lazy("fiscal document", "Denied")
    CANCELLED = "cancelled", pgettext_lazy("fiscal document", "Cancelled")
    VOIDED = "voided", pgettext_lazy("fiscal document", "Number voided")
    DISCARDED = "discarded", pgettext_lazy("fiscal document", "Discarded")


S = DocumentState
DOCUMENT_TRANSITIONS = {
    S.DRAFT: {S.QUEUED, S.DISCARDED},
    # A queued note has its number, key and signed XML; it goes back to draft only if the number is
    # kept for the corrected note (a rejection), never silently.
    S.QUEUED: {S.SENT},
    S.SENT: {S.AUTHORIZED, S.REJECTED, S.DENIED},
    S.REJECTED: {S.DRAFT, S.VOIDED},
    S.AUTHORIZED: {S.CANCELLED},
}
