"""The product lines of the inventory forms (manual moves, transfers, count quantities).

Every line is read, every problem is kept beside its line, and what was typed is shown again as typed.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retaguarda.catalog.models import Product
from retaguarda.core.decimals import typed_decimal
from retaguarda.core.money import quantity as quantity_at_scale
from retaguarda.core.number_fields import plain_number

LINE_ROWS = 8

# The names a person reads beside a line's problem ("Linha 3 · quantidade: ...").
FIELD_LABELS = {
    "code": gettext_lazy("product"),
    "product_id": gettext_lazy("product"),
    "quantity": gettext_lazy("quantity"),
    "cost": gettext_lazy("unit cost"),
    "unit_cost": gettext_lazy("unit cost"),
    "lot": gettext_lazy("lot"),
    "expiry": gettext_lazy("expiry"),
    "location": gettext_lazy("warehouse"),
}


@dataclass
class TypedLine:
    """One row of a lines form: the text typed in each cell, and its problems by cell."""

    n: int
    values: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)
    product: Product | None = None
    quantity: Decimal | None = None
    cost: Decimal | None = None
    expiry: date | None = None

    @property
    def filled(self) -> bool:
        return any(self.values.values())

    def add_error(self, cell: str, message: str) -> None:
        self.errors.setdefault(cell, []).append(str(message))

    def messages(self) -> list[str]:
        """'Linha 3 · quantidade: ...' for each problem of the line."""
        return [
            _("Line %(n)s · %(field)s: %(message)s")
            % {"n": self.n, "field": FIELD_LABELS.get(cell, cell), "message": message}
            for cell, problems in self.errors.items()
            for message in problems
        ]


def number(text: str) -> Decimal:
    """A number as people type it (12,5 · 1.234,56 · 12.5); ValueError in Portuguese when it is not one."""
    return typed_decimal(text)


def products_by_code(company, codes: set[str]) -> dict[str, Product]:
    """Products by the SKU (any case) or, failing that, the GTIN typed; one query for all codes."""
    if not codes:
        return {}
    wanted = Q()
    for code in codes:
        wanted |= Q(sku__iexact=code) | Q(gtin=code)
    candidates = list(Product.objects.filter(company=company).filter(wanted).order_by("id"))
    found = {}
    for code in codes:
        product = next((p for p in candidates if p.sku.lower() == code.lower()), None) or next(
            (p for p in candidates if p.gtin == code), None
        )
        if product is not None:
            found[code] = product
    return found


def read_lines(post, company, *, cells: tuple[str, ...]) -> list[TypedLine]:
    """All LINE_ROWS rows of the form as typed, the filled ones checked cell by cell.

    `cells` are the columns the form has besides `code` and `quantity` (`cost`, `lot`, `expiry`)."""
    names = ("code", "quantity", *cells)
    lines = [TypedLine(n, {c: post.get(f"{c}_{n}", "").strip() for c in names}) for n in range(1, LINE_ROWS + 1)]
    products = products_by_code(company, {line.values["code"] for line in lines if line.values["code"]})
    for line in (line for line in lines if line.filled):
        code = line.values["code"]
        if not code:
            line.add_error("code", _("Type the product's SKU or GTIN."))
        else:
            line.product = products.get(code)
            if line.product is None:
                line.add_error("code", _("no product with code %(code)s.") % {"code": code})
        line.quantity = _positive_quantity(line, line.values["quantity"])
        if "cost" in cells and line.values["cost"]:
            try:
                line.cost = number(line.values["cost"])
            except ValueError as exc:
                line.add_error("cost", str(exc))
            else:
                if line.cost < 0:
                    line.add_error("cost", _("Cost cannot be negative."))
        if "expiry" in cells and line.values["expiry"]:
            try:
                line.expiry = datetime.strptime(line.values["expiry"], "%Y-%m-%d").date()
            except ValueError:
                line.add_error("expiry", _("Invalid date."))
    return lines


def _positive_quantity(line: TypedLine, text: str) -> Decimal | None:
    if not text:
        line.add_error("quantity", _("Type the quantity."))
        return None
    try:
        value = number(text)
    except ValueError as exc:
        line.add_error("quantity", str(exc))
        return None
    if value <= 0 or quantity_at_scale(value) != value:
        line.add_error("quantity", _("Quantity must be positive (4 decimal places)."))
        return None
    return value


def place_service_problems(lines: list[TypedLine], details: list) -> list[dict]:
    """Put a service's `lines.<i>.<field>` (or `moves.<i>.<field>`, one move per line) problems and stock shortfalls beside the form rows they came from.

    `lines` are the rows sent to the service, in order. Returns the problems that belong to no line."""
    rest = []
    for detail in details:
        if not isinstance(detail, dict):
            continue
        where = str(detail.get("field") or "").split(".")
        if len(where) == 3 and where[0] in ("lines", "moves") and where[1].isdigit() and int(where[1]) < len(lines):
            lines[int(where[1])].add_error(where[2], detail.get("message", ""))
        elif detail.get("product_id") and "requested" in detail:
            message = _("insufficient stock (available %(available)s, requested %(requested)s).") % {
                "available": plain_number(detail["available"]),
                "requested": plain_number(detail["requested"]),
            }
            for line in lines:
                if line.product is not None and line.product.pk == detail["product_id"]:
                    line.add_error("quantity", message)
        else:
            rest.append(detail)
    return rest
