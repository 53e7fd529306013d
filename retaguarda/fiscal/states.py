"""States of a fiscal document (DESIGN.md §4) and the transition table `core.states.transition` checks."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued for SEFAZ")
    SENT = "sent", _("Sent, awaiting SEFAZ")
    AUTHORIZED = "authorized", _("Authorized")
    REJECTED = "rejected", _("Rejected")
    DENIED = "denied", _("Denied")
    CANCELLED = "cancelled", _("Cancelled")
    VOIDED = "voided", _("Number voided")
    DISCARDED = "discarded", _("Discarded")


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
