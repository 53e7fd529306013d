"""Plain forms for the catalog pages; the services do the business validation."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from retaguarda.br_tables.widgets import LookupField, NcmWidget
from retaguarda.catalog.models import GoodsOrigin, PriceList, Product, ProductType
from retaguarda.core.decimals import typed_decimal
from retaguarda.core.number_fields import NumberField
from retaguarda.core.text_limits import model_text_field

ATTRIBUTE_ROWS = 3
COMPONENT_ROWS = 6
ITEM_ROWS = 8


def _decimal(label, required=False, min_places=0, **kwargs):
    return NumberField(label=label, required=required, min_places=min_places, **kwargs)


class ProductForm(forms.Form):
    # Required fields and numbers are checked by the service, with every other problem, in one round.
    sku = model_text_field(Product, "sku", label=_("SKU"), required=False)
    name = model_text_field(Product, "name", label=_("name"), required=False)
    product_type = forms.ChoiceField(label=_("type"), choices=ProductType.choices, initial=ProductType.GOODS)
    gtin = model_text_field(Product, "gtin", label=_("GTIN"), required=False, help_text=_("Barcode, or SEM GTIN."))
    ncm = model_text_field(
        Product, "ncm", typed=True, label=_("NCM"), widget=NcmWidget(), required=False, field_class=LookupField
    )
    cest = model_text_field(Product, "cest", typed=True, label=_("CEST"), required=False)
    origin = forms.TypedChoiceField(
        label=_("origin"), choices=GoodsOrigin.choices, coerce=int, initial=GoodsOrigin.NATIONAL
    )
    category = model_text_field(Product, "category", label=_("category"), required=False)
    unit = model_text_field(Product, "unit", label=_("commercial unit"), initial="UN")
    tax_unit = model_text_field(Product, "tax_unit", label=_("tax unit"), initial="UN")
    purchase_unit = model_text_field(Product, "purchase_unit", label=_("purchase unit"), initial="UN")
    purchase_factor = _decimal(_("units per purchase unit"), initial=1)
    cost = _decimal(_("cost"), initial=0, min_places=2)
    price = _decimal(_("sale price"), initial=0, min_places=2)
    gross_weight = _decimal(_("gross weight (kg)"), initial=0)
    net_weight = _decimal(_("net weight (kg)"), initial=0)
    height_cm = _decimal(_("height (cm)"), initial=0)
    width_cm = _decimal(_("width (cm)"), initial=0)
    length_cm = _decimal(_("length (cm)"), initial=0)
    minimum_stock = _decimal(_("minimum stock"), initial=0)
    maximum_stock = _decimal(_("maximum stock"), initial=0)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["product_type"]

    def service_fields(self) -> dict:
        """What was read, for the service; after a form error only the fields that were read."""
        data = {k: v for k, v in self.cleaned_data.items() if v is not None}
        data["cest"] = self.cleaned_data.get("cest") or None
        for key in ("sku", "name", "ncm"):
            data.setdefault(key, "")
        return data


def variations_from(post) -> dict[str, list[str]] | None:
    """`attr_name_N` / `attr_values_N` rows of the variations editor: {"Tamanho": ["P", "M"]}."""
    result = {}
    for i in range(ATTRIBUTE_ROWS):
        name = (post.get(f"attr_name_{i}") or "").strip()
        values = [v.strip() for v in (post.get(f"attr_values_{i}") or "").replace(";", ",").split(",") if v.strip()]
        if name:
            result[name] = values
    return result or None


def variants_from(post) -> list[dict]:
    """The editable rows of the generated variations (SKU, GTIN, price per combination)."""
    rows = []
    count = int(post.get("variant_count") or 0) if str(post.get("variant_count") or "0").isdigit() else 0
    for i in range(min(count, 400)):
        attributes = {}
        for key, value in post.items():
            prefix = f"variant_{i}_attr_"
            if key.startswith(prefix):
                attributes[key[len(prefix) :]] = value
        row = {"attributes": attributes}
        for field in ("sku", "gtin", "price"):
            value = (post.get(f"variant_{i}_{field}") or "").strip()
            if value:
                if field == "price":
                    try:
                        value = typed_decimal(value)
                    except ValueError:
                        value = Decimal("NaN")  # refused by the validation beside the row, not dropped
                row[field] = value
        rows.append(row)
    return rows


def components_from(post) -> list[dict]:
    rows = []
    for i in range(COMPONENT_ROWS):
        sku = (post.get(f"component_sku_{i}") or "").strip()
        quantity = (post.get(f"component_qty_{i}") or "").strip()
        if sku:
            try:
                amount = typed_decimal(quantity or "1")
            except ValueError:
                amount = None
            rows.append({"sku": sku, "quantity": amount})
    return rows


class PriceListForm(forms.Form):
    name = model_text_field(PriceList, "name", label=_("name"))
    channel = model_text_field(PriceList, "channel", label=_("sales channel"), required=False)
    customer_group = model_text_field(PriceList, "customer_group", label=_("customer group"), required=False)
    valid_from = forms.DateField(label=_("valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


def items_from(post) -> tuple[list[dict], list[str]]:
    """`item_sku_N`, `item_kind_N` (fixed / percentage), `item_value_N` rows of the price list form."""
    items, problems = [], []
    count = int(post.get("item_count") or ITEM_ROWS) if str(post.get("item_count") or "").isdigit() else ITEM_ROWS
    for i in range(min(count, 500)):
        sku = (post.get(f"item_sku_{i}") or "").strip()
        if not sku:
            continue
        raw = (post.get(f"item_value_{i}") or "").strip()
        try:
            value = typed_decimal(raw)
        except ValueError:
            problems.append(_("%(sku)s: invalid number %(value)s.") % {"sku": sku, "value": raw})
            continue
        kind = post.get(f"item_kind_{i}") or "fixed"
        items.append({"sku": sku, "percentage" if kind == "percentage" else "fixed_price": value})
    return items, problems
