"""Reorder suggestions the user selects become draft purchase orders, one per supplier and warehouse."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.scope import company_id_of
from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.services.orders import OrderIn, OrderLineIn, create_order


@dataclass(frozen=True)
class PickedSuggestion:
    product_id: int
    warehouse_id: int
    supplier_id: int | None
    quantity: Decimal  # stock units


def orders_from_suggestions(picked: Sequence[PickedSuggestion], *, actor: Actor) -> list[PurchaseOrder]:
    """Draft orders grouped by (supplier, warehouse), each line in the product's purchase unit at its cost."""
    company_id = company_id_of(actor)
    details = [
        {"field": f"suggestions.{i}.supplier_id", "message": _("Choose a supplier for this product.")}
        for i, p in enumerate(picked)
        if p.supplier_id is None
    ]
    if not picked:
        details.append({"field": "suggestions", "message": _("Select at least one suggestion.")})
    if details:
        raise ValidationFailed(details=details)
    products = Product.objects.filter(company_id=company_id).in_bulk({p.product_id for p in picked})
    groups: dict[tuple[int, int], list[OrderLineIn]] = defaultdict(list)
    for p in picked:
        product = products.get(p.product_id)
        factor = (product.purchase_factor if product else None) or Decimal(1)
        unit_cost = (product.cost if product else Decimal(0)) * factor
        groups[(p.supplier_id, p.warehouse_id)].append(
            OrderLineIn(
                p.product_id,
                (p.quantity / factor).quantize(Decimal("0.0001")),
                unit_cost.quantize(Decimal("0.0000000001")),
            )
        )
    with transaction.atomic():
        return [
            create_order(OrderIn(supplier_id, warehouse_id, lines), actor=actor)
            for (supplier_id, warehouse_id), lines in sorted(groups.items())
        ]
