"""What every product write shares: the fields a product has, how they are assigned, and the checks
of uniqueness and of fields that cannot be set."""

from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.catalog import validation
from retaguarda.catalog.models import Product
from retaguarda.core.problems import Problems
from retaguarda.core.validators import SEM_GTIN

# Fiscal data, units and measures: a variation child takes them from its parent when created and
# follows the parent when they change (see INHERITED).
_FISCAL_AND_UNITS = [
    "ncm",
    "cest",
    "origin",
    "unit",
    "tax_unit",
    "purchase_unit",
    "purchase_factor",
    "gross_weight",
    "net_weight",
    "height_cm",
    "width_cm",
    "length_cm",
]
PRODUCT_FIELDS = [
    "sku",
    "name",
    "description",
    "product_type",
    "gtin",
    *_FISCAL_AND_UNITS,
    "cost",
    "price",
    "minimum_stock",
    "maximum_stock",
    "category",
    "is_active",
]
EDITABLE = [f for f in PRODUCT_FIELDS if f != "product_type"]
# Fields a variation child takes from its parent when created, and follows when the parent changes.
INHERITED = ["description", *_FISCAL_AND_UNITS, "category"]
VARIANT_OWN = ["sku", "gtin", "price", "cost", "name", "minimum_stock", "maximum_stock", "is_active"]


def assign(product: Product, data: dict) -> None:
    for key, value in data.items():
        if key == "ncm":
            product.ncm_id = value
        elif key == "cest":
            product.cest_id = value or None
        elif key in validation.DECIMAL_FIELDS and isinstance(value, Decimal):
            # the scale the database keeps, so audit diffs compare like with like
            setattr(product, key, value.quantize(Decimal(1).scaleb(-validation.DECIMAL_FIELDS[key][0])))
        else:
            setattr(product, key, value)


def as_data(product: Product) -> dict:
    data = {k: getattr(product, k) for k in PRODUCT_FIELDS if k not in ("ncm", "cest")}
    data["ncm"] = product.ncm_id
    data["cest"] = product.cest_id
    return data


def unknown_fields(fields: Iterable[str], allowed: list[str]) -> Problems:
    """A collector holding a problem for each field the caller may not set."""
    problems = Problems()
    for name in sorted(set(fields) - set(allowed)):
        problems.add(name, _("This field cannot be set here."))
    return problems


def _taken(company_id: int, field: str, values: list[str], exclude: list[int]) -> set[str]:
    if not values:
        return set()
    qs = Product.objects.filter(company_id=company_id, **{f"{field}__in": values}).exclude(pk__in=exclude)
    return set(qs.values_list(field, flat=True))


def check_unique(company_id: int, products: list[tuple[str, dict]], exclude: Iterable[int] = ()) -> list:
    """SKU and GTIN unique in the company and among the products being written (prefix names the field)."""
    exclude = list(exclude)
    problems = Problems()
    taken_skus = _taken(company_id, "sku", [s for _p, d in products if (s := d.get("sku"))], exclude)
    taken_gtins = _taken(
        company_id, "gtin", [g for _p, d in products if (g := d.get("gtin")) and g != SEM_GTIN], exclude
    )
    seen_skus: set[str] = set()
    seen_gtins: set[str] = set()
    for prefix, data in products:
        sku, gtin = data.get("sku"), data.get("gtin")
        if sku and (sku in taken_skus or sku in seen_skus):
            problems.add(f"{prefix}sku", _("SKU %(sku)s is already used by another product.") % {"sku": sku})
        if gtin and gtin != SEM_GTIN and (gtin in taken_gtins or gtin in seen_gtins):
            problems.add(f"{prefix}gtin", _("GTIN %(gtin)s is already used by another product.") % {"gtin": gtin})
        seen_skus.add(sku)
        seen_gtins.add(gtin)
    return problems
