"""Weighted average cost: recomputed by moves entering the company, taken by every other move."""

from decimal import Decimal

from retaguarda.core.money import cost
from retaguarda.inventory.models import ProductCost


def lock_cost_rows(product_ids: set[int], company_by_product: dict[int, int]) -> dict[int, ProductCost]:
    """The products' cost rows, created when missing and locked in product order (after the balances)."""
    if not product_ids:
        return {}
    missing = product_ids - set(
        ProductCost.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )
    if missing:
        ProductCost.objects.bulk_create(
            [ProductCost(company_id=company_by_product[pid], product_id=pid) for pid in sorted(missing)],
            ignore_conflicts=True,
        )
    rows = ProductCost.objects.select_for_update().filter(product_id__in=product_ids).order_by("product_id")
    return {row.product_id: row for row in rows}


def incoming_average(basis: Decimal, average: Decimal, qty: Decimal, unit_cost: Decimal) -> Decimal:
    """Weighted average after `qty` arrive at `unit_cost` over `basis` units at `average`.

    With no stock (or negative stock) the incoming cost becomes the average."""
    if basis <= 0:
        return cost(unit_cost)
    return cost((basis * average + qty * unit_cost) / (basis + qty))
