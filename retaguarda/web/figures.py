"""The home page figures: real counts from the database, a fixed number of queries."""

from datetime import timedelta

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core.models import AuditRecord, WorkerHeartbeat
from retaguarda.core.scope import scoped


def home_figures(company) -> list[dict]:
    since = timezone.now() - timedelta(days=1)
    audit = scoped(AuditRecord, company).filter(created_at__gte=since)
    figures = [{"label": _("Changes in the last 24 h"), "value": audit.count()}]
    for model, label in (
        ("parties.Party", _("Customers and suppliers")),
        ("catalog.Product", _("Active products")),
        ("inventory.Warehouse", _("Warehouses")),
    ):
        try:
            Model = apps.get_model(model)
        except LookupError:
            continue
        qs = scoped(Model, company)
        if any(f.name == "is_active" for f in Model._meta.fields):
            qs = qs.filter(is_active=True)
        figures.append({"label": label, "value": qs.count()})
    beat = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    figures.append(
        {
            "label": _("Background processing"),
            "value": _("active") if beat and timezone.now() - beat < timedelta(minutes=2) else _("stopped"),
        }
    )
    return figures


def recent_activity(company, limit: int = 10):
    qs = scoped(AuditRecord, company).select_related("user").order_by("-id")
    return list(qs[:limit])
