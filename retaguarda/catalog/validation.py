"""Product field rules shared by the services and the spreadsheet importer.

`product_problems` checks one product's own fields (not uniqueness, which needs the database or
the whole file) and returns them in a `core.problems.Problems`. NCM and CEST are looked up in a
`References`: one query per code for a single product, or everything loaded once for an import.
"""

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Cest, Ncm
from retaguarda.catalog.models import GoodsOrigin, ProductType
from retaguarda.core.decimals import typed_decimal
from retaguarda.core.problems import Problems
from retaguarda.core.validators import SEM_GTIN, is_valid_gtin, only_digits

DECIMAL_FIELDS = {
    # field: (decimal places, largest integer digits, may be zero)
    "purchase_factor": (4, 14, False),
    "gross_weight": (4, 14, True),
    "net_weight": (4, 14, True),
    "height_cm": (4, 14, True),
    "width_cm": (4, 14, True),
    "length_cm": (4, 14, True),
    "cost": (6, 14, True),
    "price": (10, 12, True),
    "minimum_stock": (4, 14, True),
    "maximum_stock": (4, 14, True),
}
TEXT_LIMITS = {"sku": 60, "name": 120, "category": 60}
UNIT_FIELDS = ("unit", "tax_unit", "purchase_unit")
_UNIT = re.compile(r"^[A-Z0-9]{1,6}$")
_SKU = re.compile(r"^[^\s](.*[^\s])?$")


class References:
    """NCM codes and CEST prefixes; `preload()` for many products, plain for one.

    A code the official table retired (`is_active=False`) is refused, except one in `keep`: the codes
    the product being edited already has, so its other fields can still change."""

    def __init__(
        self,
        ncm_codes: dict[str, bool] | None = None,
        cests: dict[str, tuple[str, bool]] | None = None,
        keep: tuple = (),
    ):
        self._ncm_codes = ncm_codes
        self._cests = cests
        self.keep = {code for code in keep if code}

    @classmethod
    def preload(cls) -> "References":
        return cls(
            dict(Ncm.objects.values_list("code", "is_active")),
            {
                code: (prefixes, active)
                for code, prefixes, active in Cest.objects.values_list("code", "ncm_prefixes", "is_active")
            },
        )

    def ncm_status(self, code: str) -> bool | None:
        """None: no such NCM; False: retired (and not kept); True: usable."""
        if self._ncm_codes is not None:
            active = self._ncm_codes.get(code)
        else:
            active = Ncm.objects.filter(code=code).values_list("is_active", flat=True).first()
        return None if active is None else bool(active) or code in self.keep

    def ncm_exists(self, code: str) -> bool:
        return self.ncm_status(code) is not None

    def cest(self, code: str) -> tuple[list[str], bool] | None:
        """The CEST's NCM prefixes and whether it is usable; None when there is no such CEST."""
        if self._cests is not None:
            found = self._cests.get(code)
        else:
            found = Cest.objects.filter(code=code).values_list("ncm_prefixes", "is_active").first()
        if found is None:
            return None
        raw, active = found
        return [p for p in raw.split(";") if p], bool(active) or code in self.keep

    def cest_prefixes(self, code: str) -> list[str] | None:
        found = self.cest(code)
        return None if found is None else found[0]


def normalize_gtin(value: Any) -> str:
    text = str(value or "").strip()
    if not text or text.upper().replace("_", " ") == SEM_GTIN:
        return SEM_GTIN
    return text


def normalize(data: dict) -> dict:
    """Strip masks and spaces in place: NCM/CEST digits only, units upper case, GTIN or SEM GTIN."""
    for key in ("sku", "name", "category"):
        if isinstance(data.get(key), str):
            data[key] = data[key].strip()
    if "ncm" in data:
        data["ncm"] = only_digits(str(data["ncm"] or ""))
    if "cest" in data:
        data["cest"] = only_digits(str(data["cest"] or "")) or None
    if "gtin" in data:
        data["gtin"] = normalize_gtin(data["gtin"])
    for key in UNIT_FIELDS:
        if isinstance(data.get(key), str):
            data[key] = data[key].strip().upper()
    for key in DECIMAL_FIELDS:
        value = data.get(key)
        if value is not None and not isinstance(value, Decimal):
            if isinstance(value, float):
                raise TypeError("money and quantities are Decimal, never float")
            try:
                data[key] = typed_decimal(value)
            except ValueError:
                data[key] = value  # product_problems reports it
    return data


def product_problems(data: dict, refs: References) -> Problems:
    """Every problem in one product's fields. `data` holds the fields as the service receives them."""
    problems = Problems()
    add = problems.add

    for key in ("sku", "name"):
        if key in data and not data[key]:
            add(key, _("Required field."))
    for key, limit in TEXT_LIMITS.items():
        value = data.get(key) or ""
        if len(value) > limit:
            add(key, _("At most %(limit)d characters.") % {"limit": limit})
    if data.get("sku") and not _SKU.match(data["sku"]):
        add("sku", _("The SKU cannot start or end with a space."))
    if "product_type" in data and data["product_type"] not in ProductType.values:
        add("product_type", _("Unknown type: use goods, service or kit."))
    if "gtin" in data and data["gtin"] != SEM_GTIN and not is_valid_gtin(data["gtin"]):
        add(
            "gtin",
            _("Invalid GTIN %(value)s: use 8, 12, 13 or 14 digits with the right check digit, or SEM GTIN.")
            % {"value": data["gtin"]},
        )
    ncm = data.get("ncm")
    ncm_ok = False
    if "ncm" in data:
        if not ncm:
            add("ncm", _("Required field."))
        elif len(ncm) != 8:
            add("ncm", _("The NCM has 8 digits; got %(value)s.") % {"value": ncm})
        elif (status := refs.ncm_status(ncm)) is None:
            add("ncm", _("NCM %(value)s does not exist in the NCM table.") % {"value": ncm})
        elif not status:
            add(
                "ncm",
                _("NCM %(value)s was retired from the official table: choose the code that replaced it.")
                % {"value": ncm},
            )
        else:
            ncm_ok = True
    cest = data.get("cest")
    if cest:
        found = refs.cest(cest) if len(cest) == 7 else None
        prefixes = found[0] if found else None
        if len(cest) != 7:
            add("cest", _("The CEST has 7 digits; got %(value)s.") % {"value": cest})
        elif found is None:
            add("cest", _("CEST %(value)s does not exist in the CEST table.") % {"value": cest})
        elif not found[1]:
            add(
                "cest",
                _("CEST %(value)s was retired from the official table: choose the code that replaced it.")
                % {"value": cest},
            )
        elif ncm_ok and not any(ncm.startswith(p) for p in prefixes):
            add(
                "cest",
                _("CEST %(cest)s does not apply to NCM %(ncm)s (it covers NCMs starting with %(prefixes)s).")
                % {"cest": cest, "ncm": ncm, "prefixes": ", ".join(prefixes[:6])},
            )
    if "origin" in data:
        origin = data["origin"]
        if not isinstance(origin, int) or isinstance(origin, bool) or origin not in GoodsOrigin.values:
            add("origin", _("The origin is a code from 0 to 8."))
    for key in UNIT_FIELDS:
        if key in data and not _UNIT.match(data[key] or ""):
            add(key, _("Use 1 to 6 letters or digits, such as UN, KG, CX."))
    for key, (places, digits, zero_ok) in DECIMAL_FIELDS.items():
        if key not in data or data[key] is None:
            continue
        value = data[key]
        if not isinstance(value, Decimal) or not value.is_finite():
            add(key, _("Invalid number."))
        elif value < 0 or (value == 0 and not zero_ok):
            add(key, _("Must be greater than zero.") if not zero_ok else _("Cannot be negative."))
        elif value >= Decimal(10) ** digits:
            add(key, _("Value too large."))
        elif value != value.quantize(Decimal(1).scaleb(-places)):
            add(key, _("At most %(places)d decimal places.") % {"places": places})
    gross, net = data.get("gross_weight"), data.get("net_weight")
    if isinstance(gross, Decimal) and isinstance(net, Decimal) and gross > 0 and net > gross:
        add("net_weight", _("The net weight cannot exceed the gross weight."))
    low, high = data.get("minimum_stock"), data.get("maximum_stock")
    if isinstance(low, Decimal) and isinstance(high, Decimal) and high > 0 and low > high:
        add("maximum_stock", _("The maximum stock cannot be below the minimum stock."))
    return problems
