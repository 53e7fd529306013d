"""Occurrence states (DESIGN.md §4), their transition table, severities and the deadline each gives."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OccurrenceState(models.TextChoices):
    OPEN = "open", pgettext_lazy("occurrence", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("occurrence", "Acknowledged")
    IN_PROGRESS = "in_progress", pgettext_lazy("occurrence", "In progress")
    RESOLVED = "resolved", pgettext_lazy("occurrence", "Resolved")
    DISMISSED = "dismissed", pgettext_lazy("occurrence", "Dismissed")


S = OccurrenceState
ACTIVE = (S.OPEN, S.ACKNOWLEDGED, S.IN_PROGRESS)
CLOSED = (S.RESOLVED, S.DISMISSED)

# Resolved and dismissed occurrences are kept (nothing is deleted) and reopen when the problem returns.
OCCURRENCE_TRANSITIONS = {
    S.OPEN: {S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.DISMISSED},
    S.ACKNOWLEDGED: {S.IN_PROGRESS, S.RESOLVED, S.DISMISSED},
    S.IN_PROGRESS: {S.RESOLVED, S.DISMISSED},
    S.RESOLVED: {S.OPEN},
    S.DISMISSED: {S.OPEN},
}


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


# Sorting key (most severe first) and the time a department has to act.
SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.HIGH: 1, Severity.MEDIUM: 2, Severity.LOW: 3}
DEADLINE = {
    Severity.CRITICAL: timedelta(hours=4),
    Severity.HIGH: timedelta(days=1),
    Severity.MEDIUM: timedelta(days=3),
    Severity.LOW: timedelta(days=7),
}


class Resolution(models.TextChoices):
    CLEARED = "cleared", _("The condition cleared")
    BY_HAND = "by_hand", _("Resolved by hand")
    DISMISSED = "dismissed", _("Dismissed")
