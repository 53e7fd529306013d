"""Lines with costs, shared by orders and receipts: validation (every problem at once), the purchase
unit and its conversion, and each line's rounded value."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core.errors import missing_row
from retaguarda.core.money import PRICE_PLACES, ZERO, amount, quantity, quantize

MAX_LINES = 5000


@dataclass(frozen=True)
class CostLineIn:
    """A line as typed or imported. `unit`/`factor` default to the product's purchase unit; quantity and
    unit cost are in that unit; discount, IPI and ICMS-ST are the line's amounts."""

    product_id: int
    quantity: Decimal
    unit_cost: Decimal
    unit: str | None = None
    factor: Decimal | None = None
    discount: Decimal = ZERO
    ipi: Decimal = ZERO
    icms_st: Decimal = ZERO


def _is_decimal(value) -> bool:
    return isinstance(value, Decimal) and value.is_finite()


def line_problems(lines, products: dict[int, Product], company_id: int) -> list[dict]:
    """Every problem of the lines; a product of another company is not found."""
    details = []
    if not lines:
        details.append({"field": "lines", "message": _("Add at least one line.")})
    if len(lines) > MAX_LINES:
        details.append({"field": "lines", "message": _("At most %(n)s lines.") % {"n": MAX_LINES}})
    for i, line in enumerate(lines):
        where = f"lines.{i}"
        before = len(details)
        product = products.get(line.product_id)
        if product is None or product.company_id != company_id:
            details.append(missing_row(f"{where}.product_id", _("Product not found.")))
        elif not product.is_stocked:
            details.append({"field": f"{where}.product_id", "message": _("Only stocked products can be bought.")})
        if not _is_decimal(line.quantity) or line.quantity <= 0 or quantity(line.quantity) != line.quantity:
            details.append(
                {"field": f"{where}.quantity", "message": _("Quantity must be positive (4 decimal places).")}
            )
        elif line.quantity >= Decimal("1e10"):
            details.append({"field": f"{where}.quantity", "message": _("Quantity too large.")})
        if (
            not _is_decimal(line.unit_cost)
            or line.unit_cost < 0
            or quantize(line.unit_cost, PRICE_PLACES) != line.unit_cost
        ):
            details.append({"field": f"{where}.unit_cost", "message": _("Enter a cost of zero or more.")})
        elif line.unit_cost >= Decimal("1e11"):
            details.append({"field": f"{where}.unit_cost", "message": _("Cost too large.")})
        if line.factor is not None and (
            not _is_decimal(line.factor) or line.factor <= 0 or quantity(line.factor) != line.factor
        ):
            details.append(
                {"field": f"{where}.factor", "message": _("The conversion must be positive (4 decimal places).")}
            )
        if line.unit is not None and not (0 < len(line.unit.strip()) <= 6):
            details.append({"field": f"{where}.unit", "message": _("Unit: 1 to 6 characters.")})
        for name in ("discount", "ipi", "icms_st"):
            value = getattr(line, name)
            if not _is_decimal(value) or value < 0 or amount(value) != value or value >= Decimal("1e13"):
                details.append(
                    {"field": f"{where}.{name}", "message": _("Enter an amount of zero or more (2 decimal places).")}
                )
        if len(details) == before and line.discount > goods_value(line):
            details.append({"field": f"{where}.discount", "message": _("The discount cannot exceed the line's value.")})
    return details


def goods_value(line) -> Decimal:
    """The line's goods value: quantity times unit cost, rounded to the centavo (the XML's `vProd`)."""
    return amount(line.quantity * line.unit_cost)


def unit_and_factor(line: CostLineIn, product: Product) -> tuple[str, Decimal]:
    unit = (line.unit or product.purchase_unit or product.unit).strip().upper()
    factor = line.factor if line.factor is not None else (product.purchase_factor or Decimal(1))
    return unit, quantity(factor)


def load_products(lines) -> dict[int, Product]:
    ids = {line.product_id for line in lines if isinstance(line.product_id, int)}
    return Product.objects.only(
        "company_id", "sku", "name", "product_type", "is_variant_parent", "unit", "purchase_unit", "purchase_factor"
    ).in_bulk(ids)
