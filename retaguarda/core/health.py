from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from ninja import Router, Schema, Status

from retaguarda.core.models import WorkerHeartbeat

router = Router(tags=["health"])


class HealthOut(Schema):
    status: str
    database: bool
    migrations_applied: bool
    pending_migrations: int
    worker_heartbeat_age_seconds: float | None


@router.get("/health", response={200: HealthOut, 503: HealthOut}, auth=None)
def health(request):
    """Database reachable, migrations applied, seconds since the background worker last reported."""
    try:
        with connection.cursor() as cur:
            cur.execute("SELECT 1")
        database = True
        pending = len(
            MigrationExecutor(connection).migration_plan(MigrationExecutor(connection).loader.graph.leaf_nodes())
        )
        beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception:
        database, pending, beat = False, -1, None
    age = (timezone.now() - beat).total_seconds() if beat else None
    ok = database and pending == 0
    body = {
        "status": "ok" if ok else "degraded",
        "database": database,
        "migrations_applied": pending == 0,
        "pending_migrations": max(pending, 0),
        "worker_heartbeat_age_seconds": round(age, 1) if age is not None else None,
    }
    return Status(200 if ok else 503, body)
