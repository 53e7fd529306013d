"""Watch: occurrences (one per rule and object while the problem lasts, or per routine and period), their
action plan, comments, the companies' rule settings and routines.

`services` is the only writer. An occurrence is never deleted: it resolves (by itself when its rule stops
finding the object, or by hand), or is dismissed with a reason, and reopens when the problem returns."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.access.departments import DEPARTMENTS
from retaguarda.core.models import CompanyScoped, Versioned
from retaguarda.watch.states import (
    OCCURRENCE_TRANSITIONS,
    SEVERITY_RANK,
    OccurrenceState,
    Resolution,
    Severity,
)

DEPARTMENT_CHOICES = list(DEPARTMENTS.items())
ROUTINE_RULE = "watch.routine"  # the rule code of the occurrences a routine opens


class Occurrence(CompanyScoped, Versioned):
    TRANSITIONS = OCCURRENCE_TRANSITIONS

    rule = models.CharField(_("rule"), max_length=60)
    subject_type = models.CharField(max_length=60)
    subject_id = models.CharField(max_length=64)
    subject_label = models.CharField(_("object"), max_length=200)
    subject_url = models.CharField(max_length=300, blank=True)
    title = models.CharField(_("title"), max_length=200)
    department = models.CharField(_("department"), max_length=20, choices=DEPARTMENT_CHOICES)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    rank = models.PositiveSmallIntegerField(default=2)  # SEVERITY_RANK: sorts the most severe first
    state = models.CharField(_("state"), max_length=14, choices=OccurrenceState.choices, default=OccurrenceState.OPEN)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )
    deadline = models.DateTimeField(_("deadline"))
    explanation = models.TextField(_("explanation"), blank=True)
    figures = models.JSONField(default=dict, blank=True)
    # A digest of the label, link and figures the run last wrote: a finding unchanged since costs the run a
    # comparison of this string, not the figures read back and decoded (tens of thousands per run).
    fingerprint = models.CharField(max_length=32, blank=True, default="")
    action_plan = models.TextField(_("action plan"), blank=True)
    firing = models.BooleanField(default=True)  # the rule still finds the object
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=10, choices=Resolution.choices, blank=True)
    close_reason = models.CharField(_("reason"), max_length=500, blank=True)
    times_opened = models.PositiveIntegerField(_("times opened"), default=1)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    routine = models.ForeignKey("Routine", null=True, blank=True, on_delete=models.PROTECT, related_name="occurrences")
    period = models.DateField(_("period"), null=True, blank=True)

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["rank", "deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "rule", "subject_type", "subject_id"], name="watch_occurrence_subject_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in OccurrenceState]), name="watch_occurrence_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "department", "state", "rank", "deadline"], name="watch_occ_inbox_idx"),
            models.Index(fields=["company", "state", "deadline"], name="watch_occ_deadline_idx"),
            models.Index(fields=["routine", "period"], name="watch_occ_routine_idx"),
        ]

    def __str__(self):
        return f"{self.title}: {self.subject_label}"

    @property
    def is_active(self) -> bool:
        return self.state not in ("resolved", "dismissed")

    @property
    def is_late(self) -> bool:
        return self.is_active and self.deadline < timezone.now()

    def set_severity(self, severity: str) -> None:
        self.severity = severity
        self.rank = SEVERITY_RANK[severity]


class OccurrenceStep(models.Model):
    """One step of an occurrence's action plan (or of a routine's checklist), checked off by someone."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="steps")
    number = models.PositiveSmallIntegerField(_("step"))
    text = models.CharField(_("step"), max_length=300)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["occurrence", "number"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "number"], name="watch_step_number_unique"),
        ]


class OccurrenceComment(models.Model):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.PROTECT, related_name="comments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class RuleSetting(CompanyScoped, Versioned):
    """A company's choices for one rule: on or off, and its thresholds (the rule's defaults otherwise)."""

    rule = models.CharField(_("rule"), max_length=60)
    enabled = models.BooleanField(_("enabled"), default=True)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "rule"], name="watch_rulesetting_unique")]


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class Routine(CompanyScoped, Versioned):
    """Planned recurring work of a department (daily cash closing, weekly cycle count): each period opens
    an occurrence with the checklist as its steps and a deadline, so it is visibly done or late."""

    name = models.CharField(_("name"), max_length=120)
    department = models.CharField(_("department"), max_length=20, choices=DEPARTMENT_CHOICES)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), null=True, blank=True)  # 0 = Monday
    month_day = models.PositiveSmallIntegerField(_("day of the month"), null=True, blank=True)
    due_hour = models.PositiveSmallIntegerField(_("due by (hour)"), default=18)
    checklist = models.TextField(_("checklist"), help_text=_("One step per line."))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible"),
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routine")
        verbose_name_plural = _("routines")
        ordering = ["department", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(due_hour__lte=23), name="watch_routine_due_hour"),
            models.CheckConstraint(
                condition=Q(frequency="daily")
                | Q(frequency="weekly", weekday__lte=6)
                | Q(frequency="monthly", month_day__gte=1, month_day__lte=28),
                name="watch_routine_schedule",
            ),
        ]

    def __str__(self):
        return self.name

    def steps(self) -> list[str]:
        return [line.strip() for line in self.checklist.splitlines() if line.strip()]


class RunState(models.Model):
    """One row per company: locked by a run, so two workers never evaluate the same company at once."""

    company = models.OneToOneField("companies.Company", on_delete=models.PROTECT, related_name="+")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_summary = models.JSONField(default=dict, blank=True)


class MailSent(models.Model):
    """One department's e-mail about the occurrences a run opened: the record that keeps a retried outbox
    delivery from mailing twice."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, related_name="+")
    event_id = models.BigIntegerField(unique=True)
    department = models.CharField(max_length=20)
    recipients = models.TextField()
    subject = models.CharField(max_length=200)
    sent_at = models.DateTimeField(auto_now_add=True)


class DepartmentSetting(CompanyScoped, Versioned):
    """A department's manager in a company: who is told when an occurrence of the department escalates
    past its deadline (the company's administrators while none is set)."""

    department = models.CharField(_("department"), max_length=20, choices=DEPARTMENT_CHOICES)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("manager"),
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "department"], name="watch_departmentsetting_unique")]
