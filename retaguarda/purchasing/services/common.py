"""What the purchasing services share: the first timeline event, the supplier and warehouse of the
actor's company, payment terms."""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.money import ZERO, spread
from retaguarda.core.scope import scoped
from retaguarda.core.states import record_opened  # noqa: F401  (purchasing's services import it from here)
from retaguarda.inventory.models import Warehouse
from retaguarda.parties.models import Party

MAX_TERMS = 24


def supplier_problems(actor: Actor, supplier_id, field: str = "supplier_id") -> tuple[Party | None, list[dict]]:
    supplier = scoped(Party, actor).filter(pk=supplier_id).first() if isinstance(supplier_id, int) else None
    if supplier is None:
        return None, [missing_row(field, _("Supplier not found."))]
    if not supplier.is_supplier or not supplier.is_active:
        return supplier, [{"field": field, "message": _("This party is not an active supplier.")}]
    return supplier, []


def warehouse_problems(actor: Actor, warehouse_id, field: str = "warehouse_id") -> tuple[Warehouse | None, list]:
    warehouse = scoped(Warehouse, actor).filter(pk=warehouse_id).first() if isinstance(warehouse_id, int) else None
    if warehouse is None:
        return None, [missing_row(field, _("Warehouse not found."))]
    if not warehouse.is_active:
        return None, [{"field": field, "message": _("The warehouse is inactive.")}]
    return warehouse, []


def terms_days(terms: str) -> list[int]:
    """`"30/60/90"` (or `"30 60 90"`, `"30,60"`) as days; empty means cash (day 0)."""
    text = (terms or "").strip()
    if not text:
        return [0]
    parts = [p for p in re.split(r"[\s/,;\-]+", text) if p]
    if not parts or any(not p.isdigit() for p in parts) or len(parts) > MAX_TERMS:
        raise ValidationFailed(
            details=[{"field": "payment_terms", "message": _("Payment terms are days separated by /, e.g. 30/60/90.")}]
        )
    days = [int(p) for p in parts]
    if days != sorted(days) or len(set(days)) != len(days) or days[-1] > 3650:
        raise ValidationFailed(
            details=[
                {
                    "field": "payment_terms",
                    "message": _("Payment terms: the days must be in increasing order, e.g. 30/60/90."),
                }
            ]
        )
    return days


def installments_from_terms(total: Decimal, terms: str, start: date) -> list[tuple[date, Decimal]]:
    """The total split over the terms' days counted from `start`; centavos left over go to the first."""
    days = terms_days(terms)
    if total <= ZERO:
        return []
    parts = spread(total, [Decimal(1)] * len(days))
    return [(start + timedelta(days=d), part) for d, part in zip(days, parts, strict=True)]
