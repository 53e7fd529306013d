from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from retaguarda.core.actor import Origin


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CompanyScoped(TimeStamped):
    """Every business record belongs to one company; queries filter on it first."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT, verbose_name=_("company"))

    class Meta:
        abstract = True


class Versioned(models.Model):
    """Optimistic locking: an edit names the version it read; a stale one is refused with 409."""

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class NumberSeries(models.Model):
    """A gapless counter: taken under a row lock inside the caller's transaction."""

    company = models.ForeignKey("companies.Company", on_delete=models.PROTECT)
    key = models.CharField(max_length=60)
    next_number = models.PositiveBigIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["company", "key"], name="core_numberseries_unique")]


class DocumentEvent(models.Model):
    """Append-only timeline of a document's state changes."""

    document_type = models.CharField(max_length=80)
    document_id = models.BigIntegerField()
    from_state = models.CharField(max_length=40, blank=True)
    to_state = models.CharField(max_length=40)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    origin = models.CharField(max_length=10, choices=Origin.CHOICES)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["document_type", "document_id", "id"])]


class AuditRecord(models.Model):
    """Who changed what, when and from where, field by field. Append-only."""

    # No index of its own: the (company, -id) index leads with it (one index write fewer per record).
    company = models.ForeignKey("companies.Company", null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_label = models.CharField(max_length=150)
    origin = models.CharField(max_length=10, choices=Origin.CHOICES)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["company", "-id"]),
        ]

    def change_rows(self) -> list[tuple[str, object, object]]:
        """`(field, old, new)` for display. (A template can't loop `changes.items`: a changed field
        named "items" would shadow the method.)"""
        rows = []
        for field, pair in self.changes.items():
            old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
            rows.append((field, old, new))
        return rows


class IdempotencyKey(models.Model):
    """One answer per (user, key): a retried POST gets the stored answer instead of a second effect."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="core_idempotency_unique")]


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField()


class PeriodicRun(models.Model):
    """When each periodic task was last enqueued, so several workers enqueue it once."""

    name = models.CharField(max_length=200, unique=True)
    last_enqueued_at = models.DateTimeField()


class OutboxEvent(models.Model):
    """A fact a service committed (`inventory.count.posted`, `fiscal.document.authorized`, ...),
    written in the service's own transaction and handed to the registered handlers after it commits.

    `company_id` is a plain column, not a foreign key: the outbox is plumbing below every app."""

    type = models.CharField(max_length=80)
    company_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["type", "id"])]

    def __str__(self):
        return f"{self.type} #{self.pk}"


class OutboxDelivery(models.Model):
    """One handler's delivery of one event: the record of what it has handled (`done`), what it is
    doing (`running`, under a lease), or what it still owes (`pending`, `failed`)."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        RUNNING = "running", _("running")
        DONE = "done", _("delivered")
        FAILED = "failed", _("failed")

    # No index of its own: the unique (event, handler) leads with it (one index write fewer per delivery).
    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    company_id = models.BigIntegerField(null=True, blank=True)
    handler = models.CharField(max_length=200)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "handler"], name="core_outboxdelivery_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=["pending", "running", "done", "failed"]),
                name="core_outboxdelivery_state",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="core_outbox_due_idx"),
            models.Index(fields=["company_id", "state", "-id"], name="core_outbox_company_idx"),
        ]


class ImportJob(CompanyScoped):
    """A spreadsheet import started from the import page: the file, its progress and its report.

    Small files run at once; large ones run in a background task that updates `processed` while
    the page polls. Any registered importer (products, parties, price lists, ...) runs through it
    (`core.import_jobs`)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=40)
    filename = models.CharField(_("file"), max_length=200)
    content = models.BinaryField(_("content"), blank=True)
    skip_invalid = models.BooleanField(_("save valid rows only"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    saved = models.PositiveIntegerField(_("saved"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("created by")
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.kind}: {self.filename}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(self.processed * 100 / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
