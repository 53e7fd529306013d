"""The preview of an imported NF-e: the supplier by CNPJ, each item by the supplier's code memory,
then GTIN, then the user's answer; the unit conversion; the open order line it fulfils, with the
quantity and price differences; every problem that stops the confirmation.

A fixed number of queries whatever the number of items."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core.money import ZERO, cost, quantity
from retaguarda.parties.models import Party
from retaguarda.purchasing.models import CfopMapping, NfeImport, PurchaseOrderLine, SupplierProduct
from retaguarda.purchasing.nfe.cfop import entry_cfop
from retaguarda.purchasing.nfe.reader import Nfe, NfeItem, read_nfe
from retaguarda.purchasing.states import RECEIVABLE_STATES

NO_GTIN = {"", "SEM GTIN"}
# What the preview, its page and its answer read of a product (a narrow row: 500 of them per note).
PRODUCT_FIELDS = (
    "company_id",
    "sku",
    "name",
    "gtin",
    "product_type",
    "is_variant_parent",
    "unit",
    "purchase_unit",
    "purchase_factor",
)


@dataclass(frozen=True)
class Answer:
    """The user's choice for an item: which product, and how many stock units one of the supplier's units holds."""

    product_id: int
    factor: Decimal | None = None


@dataclass
class PreviewLine:
    item: NfeItem
    product: Product | None = None
    matched_by: str = ""  # "memory", "gtin", "answer" or "" (ask)
    factor: Decimal = Decimal(1)
    stock_quantity: Decimal = ZERO
    unit_cost: Decimal = ZERO  # landed per stock unit before charges, for the price comparison
    entry_cfop: str = ""
    order_line: PurchaseOrderLine | None = None
    order_price: Decimal | None = None  # the order's cost per stock unit
    deson: Decimal = ZERO  # exempted ICMS the note deducts from this item (enters as a discount)
    problems: list[str] = field(default_factory=list)  # stop the confirmation
    warnings: list[str] = field(default_factory=list)  # shown, do not stop it

    @property
    def price_difference(self) -> Decimal | None:
        return None if self.order_price is None else self.unit_cost - self.order_price


@dataclass
class Preview:
    nfe_import: NfeImport
    nfe: Nfe
    supplier: Party | None
    lines: list[PreviewLine]
    problems: list[str]

    @property
    def ready(self) -> bool:
        return not self.problems and all(line.product is not None and not line.problems for line in self.lines)


def preview(nfe_import: NfeImport, answers: dict[int, Answer] | None = None, *, nfe: Nfe | None = None) -> Preview:
    """`nfe`: the import's XML already read (right after the upload that read it), else read here."""
    answers = answers or {}
    nfe = nfe or read_nfe(bytes(nfe_import.xml))
    company_id = nfe_import.company_id
    supplier = Party.objects.filter(company_id=company_id, document=nfe.emitter.document).first()
    problems = []
    if supplier is None:
        problems.append(_("The supplier %(cnpj)s is not registered yet.") % {"cnpj": nfe.emitter.document})
    items_total = sum((i.goods for i in nfe.items if i.in_total), ZERO)
    deducted = deducted_deson(nfe)
    landed_total = sum(
        (i.goods - i.discount + i.freight + i.insurance + i.other + i.ipi + i.icms_st for i in nfe.items if i.in_total),
        ZERO,
    ) - sum(deducted.values(), ZERO)
    if items_total != nfe.totals["vProd"] or landed_total != nfe.total:
        problems.append(
            _(
                "The note's totals (products %(prod)s, note %(nf)s) do not add up from its items (%(items)s, %(landed)s)."
            )
            % {"prod": nfe.totals["vProd"], "nf": nfe.total, "items": items_total, "landed": landed_total}
        )
    if nfe.duplicates and sum((d.amount for d in nfe.duplicates), ZERO) != nfe.total:
        problems.append(_("The note's installments do not add up to its total."))

    memory = {}
    if supplier is not None:
        memory = {
            sp.supplier_code: sp
            for sp in SupplierProduct.objects.filter(supplier=supplier, supplier_code__in={i.code for i in nfe.items})
            .select_related("product")
            .only("supplier_code", "unit", "factor", *(f"product__{name}" for name in PRODUCT_FIELDS))
        }
    gtins = {i.gtin for i in nfe.items} - NO_GTIN
    by_gtin: dict[str, list[Product]] = {}
    for product in Product.objects.filter(company_id=company_id, gtin__in=gtins, is_active=True).only(*PRODUCT_FIELDS):
        by_gtin.setdefault(product.gtin, []).append(product)
    answered = (
        Product.objects.filter(company_id=company_id)
        .only(*PRODUCT_FIELDS)
        .in_bulk({a.product_id for a in answers.values()})
    )
    company_map = dict(
        CfopMapping.objects.filter(company_id=company_id, supplier_cfop__in={i.cfop for i in nfe.items}).values_list(
            "supplier_cfop", "entry_cfop"
        )
    )

    lines = []
    for item in nfe.items:
        line = PreviewLine(
            item=item, entry_cfop=entry_cfop(item.cfop, company_map), deson=deducted.get(item.number, ZERO)
        )
        answer = answers.get(item.number)
        remembered = memory.get(item.code)
        if answer is not None:
            line.product, line.matched_by = answered.get(answer.product_id), "answer"
            if line.product is None:
                line.problems.append(_("Product not found."))
            line.factor = answer.factor or _default_factor(item, line.product, remembered)
        elif remembered is not None:
            line.product, line.matched_by = remembered.product, "memory"
            line.factor = remembered.factor
        elif len(by_gtin.get(item.gtin, ())) == 1:
            line.product, line.matched_by = by_gtin[item.gtin][0], "gtin"
            line.factor = _default_factor(item, line.product, None)
        if line.product is not None and not line.product.is_stocked:
            line.problems.append(_("Only stocked products can be bought."))
        if line.factor <= 0 or quantity(line.factor) != line.factor:
            line.problems.append(_("The conversion must be positive (4 decimal places)."))
            line.factor = Decimal(1)
        line.problems += _lot_problems(item)
        line.stock_quantity = quantity(item.quantity * line.factor)
        if line.stock_quantity:
            line.unit_cost = cost((item.goods - item.discount - line.deson) / line.stock_quantity)
        lines.append(line)
    _match_orders(supplier, lines)
    return Preview(nfe_import, nfe, supplier, lines, problems)


def _lot_problems(item: NfeItem) -> list[str]:
    if not item.lots:
        return []
    if any(len(lot.code) > 40 for lot in item.lots):
        return [_("A lot code is longer than 40 characters.")]
    in_lots = sum((lot.quantity for lot in item.lots), ZERO)
    if in_lots != item.quantity:
        return [
            _("The note's lots add up to %(lots)s but the item has %(qty)s.")
            % {"lots": in_lots.normalize(), "qty": item.quantity.normalize()}
        ]
    return []


def deducted_deson(nfe: Nfe) -> dict[int, Decimal]:
    """The exempted ICMS (vICMSDeson) each item takes off the note's value, by item number.

    The layout's total is vNF = vProd - vDesc - vICMSDeson + vST + vFCPST + vFrete + vSeg + vOutro + vII + vIPI
    + ...; since NT 2023.004 an item's `indDeduzDeson` says whether its vICMSDeson is deducted (1) or not
    (0). Notes without the indicator (older, or issuers that omit it) are read the way their own vNF adds
    up: deducted when their total comes out net of it. The buyer pays the note's value, so what is
    deducted comes off the item's cost like a discount."""
    counted = [i for i in nfe.items if i.in_total and i.icms_deson]
    loose = [i for i in counted if i.deson_deducted is None]
    if loose:
        gross = sum(
            (
                i.goods - i.discount + i.freight + i.insurance + i.other + i.ipi + i.icms_st
                for i in nfe.items
                if i.in_total
            ),
            ZERO,
        ) - sum((i.icms_deson for i in counted if i.deson_deducted), ZERO)
        loose_deducted = gross - sum((i.icms_deson for i in loose), ZERO) == nfe.total
    else:
        loose_deducted = False
    return {
        i.number: i.icms_deson for i in counted if i.deson_deducted or (i.deson_deducted is None and loose_deducted)
    }


def _default_factor(item: NfeItem, product: Product | None, remembered: SupplierProduct | None) -> Decimal:
    """The remembered conversion for this unit; 1 when the supplier bills in our stock unit; else the
    product's purchase conversion when the units agree; else 1 (the user corrects it)."""
    if remembered is not None and remembered.unit == item.unit:
        return remembered.factor
    if product is None or item.unit == product.unit.upper():
        return Decimal(1)
    if item.unit == product.purchase_unit.upper():
        return product.purchase_factor
    return Decimal(1)


def _match_orders(supplier: Party | None, lines: list[PreviewLine]) -> None:
    """Each line takes the oldest open order line of its product from this supplier with room for it."""
    products = {line.product.pk for line in lines if line.product is not None}
    if supplier is None or not products:
        return
    open_lines = list(
        PurchaseOrderLine.objects.filter(
            order__supplier=supplier, order__state__in=RECEIVABLE_STATES, product_id__in=products
        )
        .select_related("order")
        .order_by("order_id", "id")
    )
    room = {ol.pk: (ol.quantity - ol.received_quantity) * ol.factor for ol in open_lines}  # stock units
    for line in lines:
        if line.product is None:
            continue
        candidates = [ol for ol in open_lines if ol.product_id == line.product.pk and room[ol.pk] > 0]
        fitting = [ol for ol in candidates if room[ol.pk] >= line.stock_quantity]
        if fitting:
            chosen = fitting[0]
            room[chosen.pk] -= line.stock_quantity
            line.order_line = chosen
            net = chosen.quantity * chosen.unit_cost - chosen.discount
            line.order_price = cost(net / (chosen.quantity * chosen.factor))
        elif candidates:
            line.warnings.append(_("More than is open on the order: it enters without an order."))
