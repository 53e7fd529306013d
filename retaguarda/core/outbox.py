"""The outbox: side effects leave a service only after its transaction commits.

A service writes an event in its own transaction; after the commit the worker hands it to every
handler registered for its type, retrying failures with exponential backoff. If the transaction
rolls back, the event never existed.

    # in a service, inside its transaction.atomic():
    outbox.emit("fiscal.document.authorized", {"document_id": doc.pk}, company_id=doc.company_id)

    # in an app's AppConfig.ready() (or a module it imports):
    @outbox.handler("fiscal.document.authorized")
    def send_danfe_email(event): ...

Each handler gets each event once. A delivery row per (event, handler) records what the handler has
handled: by default the handler runs inside the transaction that marks its delivery done, so its
database writes and the "handled" mark commit together, and a worker killed half-way leaves neither
(the delivery is taken again when its lease expires). A handler that calls the outside world (SEFAZ,
e-mail, a webhook) registers with `atomic=False`, so no database transaction is held open across the
network; it must then be idempotent itself, keyed on `event.pk` (the mark is written after it
returns, and a crash in between repeats the call). A handler idempotent by nature that mostly only reads
(watch's re-evaluation, which writes only when it finds a change, in its own transaction) may register so
too, to spare the transaction's BEGIN and COMMIT.

Failures back off (`BACKOFF_BASE` x 2^(attempts-1), at most `BACKOFF_MAX`); after `MAX_ATTEMPTS` the
delivery is `failed` and waits for an administrator (the "Event deliveries" page) to retry it.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.bulk_insert import insert_together
from retaguarda.core.models import OutboxDelivery, OutboxEvent
from retaguarda.core.raw_rows import Columns, per_vendor, prepared_cursor, unsaved

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=6)
MAX_ATTEMPTS = 12  # about 30 hours from the first failure to `failed`
DEFAULT_LEASE = timedelta(minutes=5)
BATCH = 100
KEEP_DELIVERED = timedelta(days=30)

State = OutboxDelivery.State


@dataclass(frozen=True)
class Handler:
    name: str
    event_type: str
    function: Callable[[OutboxEvent], Any]
    atomic: bool = True
    lease: timedelta = DEFAULT_LEASE


HANDLERS: dict[str, Handler] = {}
BY_TYPE: dict[str, list[Handler]] = {}


def register(
    event_type: str,
    function: Callable[[OutboxEvent], Any],
    *,
    name: str | None = None,
    atomic: bool = True,
    lease: timedelta = DEFAULT_LEASE,
) -> Handler:
    """Register `function(event)` for events of `event_type`. The name is stored with every delivery,
    so keep it stable (it defaults to the function's dotted path). `lease` must exceed the handler's
    longest run: past it, another worker takes the delivery again."""
    name = name or f"{function.__module__}.{function.__qualname__}"
    existing = HANDLERS.get(name)
    if existing is not None:
        if existing.event_type != event_type:
            raise ValueError(f"outbox handler {name!r} is already registered for {existing.event_type!r}")
        BY_TYPE[event_type].remove(existing)
    registered = Handler(name, event_type, function, atomic, lease)
    HANDLERS[name] = registered
    BY_TYPE.setdefault(event_type, []).append(registered)
    return registered


def handler(event_type: str, *, name: str | None = None, atomic: bool = True, lease: timedelta = DEFAULT_LEASE):
    """Decorator form of `register`."""

    def decorate(function):
        register(event_type, function, name=name, atomic=atomic, lease=lease)
        return function

    return decorate


def unregister(name: str) -> None:
    found = HANDLERS.pop(name, None)
    if found is not None:
        BY_TYPE[found.event_type].remove(found)


def emit(event_type: str, payload: dict | None = None, *, company_id: int | None) -> OutboxEvent:
    """Write an event in the caller's transaction, with one pending delivery per registered handler.

    The payload is JSON (Decimals and dates become strings); keep it to ids and the few facts the
    handlers need, since handlers read the current rows themselves."""
    groups = rows(event_type, payload, company_id=company_id)
    insert_together(*groups)
    return groups[0][1][0]


def rows(event_type: str, payload: dict | None = None, *, company_id: int | None) -> list[tuple]:
    """What `emit` writes, unsaved: the event and its deliveries as `core.bulk_insert.insert_together`
    groups, for a service that writes them in the same statement as its own rows (inside its transaction,
    which this checks). The event is the first group's one object."""
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.emit() must run inside the service's transaction")
    # Written by hand (`insert_together`, one statement on PostgreSQL): every service's state change
    # emits, and compiling the two INSERTs cost more CPU than the database spent on them.
    event = unsaved(OutboxEvent, type=event_type, company_id=company_id, payload=payload or {})
    groups: list[tuple] = [(OutboxEvent, [event])]
    handlers = BY_TYPE.get(event_type, [])
    if handlers:
        now = timezone.now()
        deliveries = [
            unsaved(OutboxDelivery, event=event, company_id=company_id, handler=h.name, next_attempt_at=now)
            for h in handlers
        ]
        groups.append((OutboxDelivery, deliveries, {"event_id": event}))
        _deliver_after_commit()
    return groups


def _deliver_after_commit() -> None:
    """Wake the worker once the caller's transaction commits: one wake-up per transaction, however many
    events it emits, written in that transaction (see `_wake_worker`)."""
    wake = _wake_up()
    if wake is not None:
        with prepared_cursor() as cursor:
            cursor.execute(wake.sql, wake.params)


class Statement(NamedTuple):
    sql: str
    params: list


def wake_up_statement() -> Statement | None:
    """For a service about to emit events in its transaction, which is rolled back whole if the service
    raises: the worker's wake-up (`_wake_worker`) as a statement for it to run now, inside one of its own
    (a data-modifying WITH on PostgreSQL: one round trip fewer); the events it emits then write none.
    None when the transaction has one already, or another task backend is used."""
    if not connection.in_atomic_block:
        raise RuntimeError("the worker's wake-up is written inside the service's transaction")
    return _wake_up()


def _wake_up() -> Statement | None:
    """The statement writing this transaction's wake-up, which the caller runs at once; None when it has
    one already or another backend is used (then its own enqueue() runs after the commit)."""
    if any(callback in (_woken, _enqueue) for _sids, callback, _robust in connection.run_on_commit):
        return None
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    if not isinstance(task_backends["default"], DatabaseBackend):  # another backend: its own enqueue()
        transaction.on_commit(_enqueue, robust=True)
        return None
    transaction.on_commit(_woken, robust=True)  # marks this transaction as having woken the worker
    return _wake_worker()


def _enqueue() -> None:
    from retaguarda.core.tasks import deliver_outbox

    deliver_outbox.enqueue()


def _woken() -> None:
    pass


def _wake_worker() -> Statement:
    """The statement writing the worker's `deliver_outbox` task row in the caller's transaction, unless a
    wake-up that no worker has taken yet is already queued: that one, when it runs, delivers this
    transaction's events too.

    In the transaction rather than after it, the row commits with the events it announces (no second
    commit, and on SQLite no second turn for the write lock); written by hand rather than through
    `enqueue()`, whose ORM INSERT cost more CPU than the intake's own writes. Joining a queued wake-up is
    safe on both engines: on PostgreSQL the waiting row is locked (`FOR UPDATE SKIP LOCKED`), so the
    worker, which claims rows the same way, cannot take it before this transaction commits, and a row the
    worker (or another transaction) holds is skipped and a new one written; on SQLite a worker claims a row
    in a write transaction of its own, so before or after this one whole. Without the joining, every
    order left a task row behind (the table grew by one row per order, and the worker ran once per order)."""
    from django_tasks_db.models import DBTaskResult

    st = _wake_sql()
    fresh = DBTaskResult._meta.pk.get_default(), timezone.now()  # what enqueue() gives each row of its own
    params = [field.get_db_prep_save(value, connection) for field, value in zip(st.fresh, fresh, strict=True)]
    return Statement(st.insert, params + st.fixed)


class _WakeSql:
    """The wake-up's INSERT ... unless one waits, its text and its constant values built once per vendor."""

    def __init__(self):
        from django.tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult, get_date_max

        from retaguarda.core.tasks import deliver_outbox as task

        meta = DBTaskResult._meta
        qn = connection.ops.quote_name
        pg = connection.vendor == "postgresql"
        # The row `enqueue()` writes; run_after "as soon as possible", as the backend's pre_save signal sets it.
        row = DBTaskResult(
            args_kwargs={"args": [], "kwargs": {}},
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            backend_name=task.backend,
            run_after=get_date_max(),
        )
        self.fresh = [meta.pk, meta.get_field("enqueued_at")]
        fields = self.fresh + [f for f in meta.concrete_fields if f not in self.fresh]
        # PostgreSQL types the SELECT's values from their casts (on SQLite a CAST would change a date).
        values = ", ".join(f"CAST(%s AS {f.db_type(connection)})" if pg else "%s" for f in fields)
        self.fixed = [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields[len(self.fresh) :]]
        waiting = {
            "status": TaskResultStatus.READY.value,
            "task_path": task.module_path,
            "queue_name": task.queue_name,
            "backend_name": task.backend,
            "run_after": row.run_after,
        }
        lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
        self.insert = (
            f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) SELECT {values} "
            f"WHERE NOT EXISTS (SELECT 1 FROM {qn(meta.db_table)} t WHERE "
            + " AND ".join(f"t.{qn(meta.get_field(name).column)} = %s" for name in waiting)
            + f" LIMIT 1{lock})"
        )
        self.fixed += [meta.get_field(name).get_db_prep_value(value, connection) for name, value in waiting.items()]


_wake_sql = per_vendor(_WakeSql)


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failure: 30 s, 1 min, 2 min, ... at most 6 h."""
    return min(BACKOFF_BASE * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def deliver_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Deliver every due delivery (up to `limit`); returns how many were delivered.

    Safe to run in several workers at once: each delivery is claimed under a lease first."""
    release_expired_leases(now=now)
    delivered = tried = 0
    seen: set[int] = set()
    while tried < limit:
        batch = list(
            OutboxDelivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now or timezone.now())
            .exclude(pk__in=seen)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[: min(BATCH, limit - tried)]
        )
        if not batch:
            break
        for pk in batch:
            seen.add(pk)
            tried += 1
            delivered += deliver(pk, now=now)
    return delivered


def deliver(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Claim one pending delivery and run its handler; True when it was delivered now."""
    claimed = _claim(delivery_id, now=now)
    if claimed is None:
        return False
    found = HANDLERS.get(claimed.handler)
    if found is None:
        _fail(claimed, "no handler registered under this name", now=now, final=True)
        return False
    try:
        if found.atomic:
            with transaction.atomic():
                found.function(claimed.event)
                if not _mark_done(claimed, now=now):
                    # Our lease expired and another worker took it: undo our writes.
                    raise _LeaseLost()
        else:
            found.function(claimed.event)
            _mark_done(claimed, now=now)
    except _LeaseLost:
        log.warning("outbox delivery %s outlived its lease; left to the worker that took it", claimed.pk)
        return False
    except Exception as exc:
        log.warning("outbox delivery %s (%s) failed: %s", claimed.pk, claimed.handler, exc)
        _fail(claimed, "".join(traceback.format_exception_only(exc)).strip(), now=now)
        return False
    return True


class _LeaseLost(Exception):
    pass


class _Statements:
    """The claim and the mark of a delivery, written by hand (`core.raw_rows`): every delivery of every
    event runs both, and through the ORM the claim was four round trips (BEGIN, SELECT ... FOR UPDATE,
    UPDATE, COMMIT) and both cost more CPU in the SQL compiler than in the database."""

    def __init__(self):
        qn = connection.ops.quote_name
        deliveries, events = qn(OutboxDelivery._meta.db_table), qn(OutboxEvent._meta.db_table)
        self.delivery = Columns(OutboxDelivery, "c")
        self.event = Columns(OutboxEvent, "e")
        returned = ", ".join(qn(f.column) for f in self.delivery.fields)
        # One statement, in autocommit: the UPDATE takes the row only while it is still pending and due,
        # so of two workers after the same delivery the second finds it running and claims nothing.
        update = (
            f"UPDATE {deliveries} SET {qn('state')} = %s, {qn('attempts')} = {qn('attempts')} + 1, "
            f"{qn('lease_until')} = %s, {qn('updated_at')} = %s "
            f"WHERE {qn('id')} = %s AND {qn('state')} = %s AND {qn('next_attempt_at')} <= %s RETURNING {returned}"
        )
        event_from = f"{events} e"
        if connection.vendor == "postgresql":  # the event comes back in the same round trip
            self.claim = (
                f"WITH c AS ({update}) SELECT {self.delivery.sql}, {self.event.sql} "
                f"FROM c INNER JOIN {event_from} ON e.{qn('id')} = c.{qn('event_id')}"
            )
            self.event_by_id = None
        else:  # SQLite takes no UPDATE in a WITH, nor another table in RETURNING: the event is read after
            self.claim = update
            self.event_by_id = f"SELECT {self.event.sql} FROM {event_from} WHERE e.{qn('id')} = %s"
        self.mark_done = (
            f"UPDATE {deliveries} SET {qn('state')} = %s, {qn('delivered_at')} = %s, {qn('lease_until')} = NULL, "
            f"{qn('last_error')} = '', {qn('updated_at')} = %s "
            f"WHERE {qn('id')} = %s AND {qn('state')} = %s AND {qn('attempts')} = %s"
        )


_statements = per_vendor(_Statements)


def _claim(delivery_id: int, *, now: datetime | None) -> OutboxDelivery | None:
    """Take a pending, due delivery under a lease, in one statement of its own."""
    now = now or timezone.now()
    st = _statements()
    with connection.cursor() as cursor:
        cursor.execute(st.claim, [State.RUNNING, now + DEFAULT_LEASE, timezone.now(), delivery_id, State.PENDING, now])
        row = cursor.fetchone()
        if row is None:
            return None
        n = len(st.delivery)
        if st.event_by_id is not None:
            cursor.execute(st.event_by_id, [row[st.delivery.attnames.index("event_id")]])
            row = (*row, *cursor.fetchone())
    delivery = st.delivery.build(row[:n])
    delivery.event = st.event.build(row[n:])
    found = HANDLERS.get(delivery.handler)
    if found is not None and found.lease != DEFAULT_LEASE:
        delivery.lease_until = now + found.lease
        OutboxDelivery.objects.filter(pk=delivery.pk).update(lease_until=delivery.lease_until)
    return delivery


def _mark_done(delivery: OutboxDelivery, *, now: datetime | None) -> bool:
    # Conditional on our own claim (same attempt, still running), so a worker whose lease expired
    # cannot mark a delivery another worker is running.
    at = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            _statements().mark_done, [State.DONE, now or at, at, delivery.pk, State.RUNNING, delivery.attempts]
        )
        return cursor.rowcount == 1


def _fail(delivery: OutboxDelivery, error: str, *, now: datetime | None, final: bool = False) -> None:
    now = now or timezone.now()
    gave_up = final or delivery.attempts >= MAX_ATTEMPTS
    OutboxDelivery.objects.filter(pk=delivery.pk, state=State.RUNNING, attempts=delivery.attempts).update(
        state=State.FAILED if gave_up else State.PENDING,
        next_attempt_at=now + backoff(delivery.attempts),
        lease_until=None,
        last_error=error[:4000],
        updated_at=timezone.now(),
    )


def release_expired_leases(*, now: datetime | None = None) -> int:
    """Deliveries whose worker died (or overran its lease) go back to pending, or to failed once
    they have used every attempt."""
    now = now or timezone.now()
    expired = OutboxDelivery.objects.filter(state=State.RUNNING, lease_until__lt=now)
    gave_up = expired.filter(attempts__gte=MAX_ATTEMPTS).update(
        state=State.FAILED, lease_until=None, last_error="worker stopped during delivery", updated_at=now
    )
    retried = expired.update(
        state=State.PENDING,
        lease_until=None,
        next_attempt_at=now,
        last_error="worker stopped during delivery",
        updated_at=now,
    )
    return gave_up + retried


def retry(delivery_id: int, *, actor: Actor, company_id: int | None = None) -> bool:
    """An administrator's "retry now": a failed or waiting delivery is due again (one more attempt
    past the limit). Audited; False when the delivery is not waiting (delivered or running)."""
    qs = OutboxDelivery.objects.select_related("event").filter(pk=delivery_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    with transaction.atomic():
        delivery = qs.select_for_update(of=("self",)).first()
        if delivery is None or delivery.state not in (State.FAILED, State.PENDING):
            return False
        OutboxDelivery.objects.filter(pk=delivery.pk).update(
            state=State.PENDING, next_attempt_at=timezone.now(), updated_at=timezone.now()
        )
        audit.record(
            actor,
            delivery,
            "retried",
            {"handler": delivery.handler, "event": str(delivery.event), "state": [delivery.state, State.PENDING]},
            company_id=delivery.company_id,
        )
        _deliver_after_commit()
    return True


def purge_delivered(*, now: datetime | None = None) -> int:
    """Forget events whose every delivery was done more than `KEEP_DELIVERED` ago."""
    cutoff = (now or timezone.now()) - KEEP_DELIVERED
    old = OutboxEvent.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__state__in=[State.PENDING, State.RUNNING, State.FAILED]
    )
    deleted, _per_model = old.delete()
    return deleted
