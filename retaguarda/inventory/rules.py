"""The inventory's watch rules (registered with `watch` from `InventoryConfig.ready`). Each finds every
offending object of one company in one query."""

import logging
from datetime import timedelta

from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from retaguarda.catalog.models import Product
from retaguarda.core.decimal_sql import DecimalSum
from retaguarda.core.money import amount
from retaguarda.inventory import selectors, touched
from retaguarda.inventory.models import (
    POSTED,
    Location,
    LocationKind,
    Lot,
    ManualOperation,
    Reservation,
    StockBalance,
    StockCount,
    StockMove,
    TransferOrder,
)
from retaguarda.inventory.states import CountState, ReservationState, TransferState
from retaguarda.watch.registry import (
    Finding,
    Param,
    current_document,
    day,
    integer,
    labels,
    link,
    money,
    on,
    qty,
    rule,
    shared,
    text,
)
from retaguarda.watch.states import Severity

STOCK = "stock"
log = logging.getLogger("retaguarda.inventory.tasks")


def _kardex():
    """The link of a finding: the product's kardex (built once per evaluation, see `link`)."""
    return link("inventory:kardex")


def _touched_by(company_id: int, document_type: str, document_id: int) -> touched.Touched:
    """The stock the document touched, read once for the triggers and rules of its evaluation."""
    key = ("inventory.touched", company_id, document_type, document_id)
    return shared(key, lambda: touched.read(company_id, document_type, document_id))


def _touched_now(company_id: int) -> touched.Touched | None:
    """The stock touched by the document whose change is being evaluated, if it is one that moves stock."""
    document = current_document()
    if document is None or document[0] not in touched.SOURCES:
        return None
    return _touched_by(company_id, *document)


def _products_of(document_type: str):
    def subjects(company_id: int, document_id: int) -> list[int]:
        return [p.pk for p in _touched_by(company_id, document_type, document_id).products]

    return subjects


def _balances_of(document_type: str):
    def subjects(company_id: int, document_id: int) -> list[int]:
        found = _touched_by(company_id, document_type, document_id)
        return [b.pk for rows in found.balances.values() for b in rows]

    return subjects


# Confirming, cancelling or invoicing an order reserves, releases or issues stock; posting or
# cancelling a receipt brings it in or takes it back; so do manual entries and exits, counts and transfers.
MOVING_STATES = {
    "sales.salesorder": ("confirmed", "cancelled", "invoiced", "shipped"),
    "purchasing.receipt": ("posted", "cancelled"),
    ManualOperation._meta.label_lower: (POSTED,),
    StockCount._meta.label_lower: (CountState.POSTED,),
    TransferOrder._meta.label_lower: (TransferState.SHIPPED, TransferState.RECEIVED),
}
PRODUCT_TRIGGERS = [on(doc, *states, subjects=_products_of(doc)) for doc, states in MOVING_STATES.items()]
BALANCE_TRIGGERS = [on(doc, *states, subjects=_balances_of(doc)) for doc, states in MOVING_STATES.items()]


@rule(
    "inventory.below_minimum",
    title=_("Stock below minimum"),
    department=STOCK,
    severity=Severity.MEDIUM,
    explanation=_("Available %(available)s against a minimum of %(minimum)s: %(shortage)s short."),
    steps=[
        _("Check purchase orders already on the way"),
        _("Order or transfer the shortage"),
        _("Review the minimum if sales changed"),
    ],
    triggers=PRODUCT_TRIGGERS,
)
def below_minimum(company_id: int, params, subjects=None) -> list[Finding]:
    url = _kardex()
    say = labels(available=_("Available"), minimum=_("Minimum stock"), shortage=_("Shortage"))
    touched_now = _touched_now(company_id) if subjects is not None else None
    if touched_now is not None:
        return [
            _short(p.pk, p.sku, p.name, p.minimum_stock, available, p.minimum_stock - available, url, say)
            for p in touched_now.products
            if str(p.pk) in subjects and p.is_active and p.is_stocked and p.minimum_stock > 0
            for available in [touched_now.available(p.pk)]
            if available < p.minimum_stock
        ]
    products = selectors.below_minimum_products(company_id)
    if subjects is not None:
        products = products.filter(pk__in=subjects)
    return [
        _short(pk, sku, name, minimum, available, shortage, url, say)
        for pk, sku, name, minimum, available, shortage in products.order_by().values_list(
            "id", "sku", "name", "minimum_stock", "available", "shortage"
        )
    ]


def _short(pk, sku, name, minimum, available, shortage, url, say) -> Finding:
    return Finding(
        "catalog.product",
        pk,
        f"{sku} {name}",
        {
            "available": qty(available, say["available"]),
            "minimum": qty(minimum, say["minimum"]),
            "shortage": qty(shortage, say["shortage"]),
        },
        url(pk),
    )


def _balances(company_id: int, subjects, condition: Q, test) -> list[tuple]:
    """Internal balances meeting `condition` (of `subjects` only, when given) as plain rows: id, on hand,
    reserved, product id, and a label naming the product, the place and the lot. In the evaluation of a
    document that moved stock, `test(on_hand, reserved)` judges the balances it touched instead."""
    lot = str(_("lot"))
    touched_now = _touched_now(company_id) if subjects is not None else None
    if touched_now is not None:
        return [
            (b.pk, b.on_hand, b.reserved, p.pk, f"{p.sku} {p.name} · {b.warehouse.code} {b.location.name}"
             + (f" · {lot} {b.lot.code}" if b.lot else ""))
            for p in touched_now.products
            for b in touched_now.internal(p.pk)
            if str(b.pk) in subjects and test(b.on_hand, b.reserved)
        ]  # fmt: skip
    rows = StockBalance.objects.filter(condition, company_id=company_id, location__kind=LocationKind.INTERNAL)
    if subjects is not None:
        rows = rows.filter(pk__in=subjects)
    return [
        (pk, on_hand, reserved, product_id, f"{sku} {name} · {warehouse} {location}" + (f" · {lot} {code}" if code else ""))
        for pk, on_hand, reserved, product_id, sku, name, warehouse, location, code in rows.values_list(
            "id", "on_hand", "reserved", "product_id", "product__sku", "product__name", "warehouse__code",
            "location__name", "lot__code",
        )
    ]  # fmt: skip


@rule(
    "inventory.negative_stock",
    title=_("Negative stock"),
    department=STOCK,
    severity=Severity.HIGH,
    explanation=_("On hand %(on_hand)s: more was issued than the ledger holds."),
    steps=[
        _("Find the issue that had no stock (kardex)"),
        _("Post the missing receipt or count the location"),
    ],
    triggers=BALANCE_TRIGGERS,
)
def negative_stock(company_id: int, params, subjects=None) -> list[Finding]:
    url, on_hand_label = _kardex(), str(_("On hand"))
    return [
        Finding("inventory.balance", pk, label, {"on_hand": qty(on_hand, on_hand_label)}, url(product_id))
        for pk, on_hand, _reserved, product_id, label in _balances(
            company_id, subjects, Q(on_hand__lt=0), lambda on_hand, _r: on_hand < 0
        )
    ]


@rule(
    "inventory.reserved_above_on_hand",
    title=_("Reserved above on hand"),
    department=STOCK,
    severity=Severity.CRITICAL,
    explanation=_("Reserved %(reserved)s but only %(on_hand)s on hand: orders promised stock that is not there."),
    steps=[
        _("List the reservations of the product"),
        _("Release or move the reservations that cannot be served"),
        _("Tell sales which orders will be late"),
    ],
    triggers=BALANCE_TRIGGERS,
)
def reserved_above_on_hand(company_id: int, params, subjects=None) -> list[Finding]:
    url, say = _kardex(), labels(reserved=_("Reserved"), on_hand=_("On hand"))
    return [
        Finding(
            "inventory.balance",
            pk,
            label,
            {"reserved": qty(reserved, say["reserved"]), "on_hand": qty(on_hand, say["on_hand"])},
            url(product_id),
        )
        for pk, on_hand, reserved, product_id, label in _balances(
            company_id, subjects, Q(reserved__gt=F("on_hand")), lambda on_hand, reserved: reserved > on_hand
        )
    ]


@rule(
    "inventory.stale_reservation",
    title=_("Stale reservation"),
    department=STOCK,
    severity=Severity.LOW,
    explanation=_("%(quantity)s reserved since %(since)s for %(source)s: %(days)s days holding stock."),
    steps=[
        _("Check whether the document still needs the stock"),
        _("Release the reservation or ship the order"),
    ],
    params=[Param("days", _("Days before a reservation is stale"), 7, minimum=1)],
)
def stale_reservation(company_id: int, params) -> list[Finding]:
    now = timezone.now()
    cutoff = now - timedelta(days=params["days"])
    rows = Reservation.objects.filter(
        company_id=company_id, state=ReservationState.ACTIVE, created_at__lt=cutoff
    ).values_list("id", "quantity", "created_at", "source_type", "source_id", "product_id", "product__sku",
                  "product__name")  # fmt: skip
    url = _kardex()
    say = labels(quantity=_("Quantity"), since=_("Reserved on"), days=_("Days"), source=_("Document"))
    return [
        Finding(
            "inventory.reservation",
            pk,
            f"{sku} {name} · {source_type} {source_id}",
            {
                "quantity": qty(quantity, say["quantity"]),
                "since": day(timezone.localdate(created_at), say["since"]),
                "days": integer((now - created_at).days, say["days"]),
                "source": text(f"{source_type} {source_id}", say["source"]),
            },
            url(product_id),
        )
        for pk, quantity, created_at, source_type, source_id, product_id, sku, name in rows
    ]


LEDGER_DRIFT = "inventory.ledger_drift"


@rule(
    LEDGER_DRIFT,
    title=_("Stock ledger drift"),
    department=STOCK,
    severity=Severity.CRITICAL,
    explanation=_("%(field)s is stored as %(stored)s but the moves add up to %(expected)s."),
    steps=[
        _("Stop posting to this product until it is understood"),
        _("Compare the kardex with the balance"),
        _("Report it to the system administrator with this occurrence"),
    ],
    on_schedule=False,  # the hourly ledger check evaluates it (it recomputes every balance from every move)
)
def ledger_drift(company_id: int, params) -> list[Finding]:
    """Every projection that disagrees with the ledger (`check-ledgers`), as one finding each."""
    drifts = selectors.drift(company_id)
    products = dict(Product.objects.filter(pk__in={d.product_id for d in drifts}).values_list("pk", "sku"))
    locations = dict(Location.objects.filter(pk__in={d.location_id for d in drifts}).values_list("pk", "name"))
    found, url = [], _kardex()
    for d in drifts:
        log.error(
            "stock ledger drift: company=%s location=%s product=%s lot=%s %s stored=%s expected=%s",
            company_id,
            d.location_id,
            d.product_id,
            d.lot_key,
            d.field,
            d.stored,
            d.expected,
        )
        where = locations.get(d.location_id, "")
        found.append(
            Finding(
                "inventory.ledger",
                f"{d.location_id}:{d.product_id}:{d.lot_key}:{d.field}",
                " · ".join(p for p in (products.get(d.product_id, str(d.product_id)), where, d.field) if p),
                {
                    "field": text(d.field, _("Figure")),
                    "stored": qty(d.stored, _("Stored")),
                    "expected": qty(d.expected, _("From the moves")),
                },
                url(d.product_id),
            )
        )
    return found


@rule(
    "inventory.lot_expiring",
    title=_("Lot expiring"),
    department=STOCK,
    severity=Severity.MEDIUM,
    explanation=_("%(on_hand)s in stock of lot %(lot)s expire on %(expiry)s (%(days)s days)."),
    steps=[
        _("Put the lot first in picking (first to expire, first out)"),
        _("Offer it in a promotion or return it to the supplier"),
        _("Scrap what expired"),
    ],
    params=[Param("days", _("Days before the expiry to warn"), 30, minimum=1, maximum=365)],
)
def lot_expiring(company_id: int, params) -> list[Finding]:
    today = timezone.localdate()
    stocked = (
        StockBalance.objects.filter(lot=OuterRef("pk"), location__kind=LocationKind.INTERNAL)
        .values("lot")
        .annotate(t=DecimalSum("on_hand"))
        .values("t")
    )
    rows = (
        Lot.objects.filter(company_id=company_id, expiry__lte=today + timedelta(days=params["days"]))
        .annotate(on_hand=Subquery(stocked, output_field=selectors.QTY))
        .filter(on_hand__gt=0)
        .select_related("product")
        .only("id", "code", "expiry", "product", "product__id", "product__sku", "product__name")
    )
    url = _kardex()
    return [
        Finding(
            "inventory.lot",
            lot.pk,
            f"{lot.product.sku} {lot.product.name} · {_('lot')} {lot.code}",
            {
                "on_hand": qty(lot.on_hand, _("On hand")),
                "lot": text(lot.code, _("Lot")),
                "expiry": day(lot.expiry, _("Expiry date")),
                "days": integer((lot.expiry - today).days, _("Days left")),
            },
            url(lot.product_id),
        )
        for lot in rows
    ]


@rule(
    "inventory.dead_stock",
    title=_("Stock without movement"),
    department=STOCK,
    severity=Severity.LOW,
    explanation=_("%(on_hand)s in stock, worth %(value)s at average cost, without a move since %(last_move)s."),
    steps=[
        _("Check whether the product still sells (channels, price)"),
        _("Plan a promotion, a transfer or a return to the supplier"),
    ],
    params=[Param("days", _("Days without a move"), 90, minimum=7)],
)
def dead_stock(company_id: int, params) -> list[Finding]:
    """Products with stock and no move since the cutoff: a NOT EXISTS probe of the company-product-date
    index per product, and the latest move's date read only for the products found."""
    cutoff = timezone.now() - timedelta(days=params["days"])
    moves = StockMove.objects.filter(company_id=company_id, product=OuterRef("pk"))
    stocked = (
        StockBalance.objects.filter(product=OuterRef("pk"), location__kind=LocationKind.INTERNAL)
        .values("product")
        .annotate(t=DecimalSum("on_hand"))
        .values("t")
    )
    rows = (
        Product.objects.filter(company_id=company_id)
        .filter(~Exists(moves.filter(created_at__gte=cutoff)))
        .annotate(on_hand=Subquery(stocked, output_field=selectors.QTY))
        .filter(on_hand__gt=0)
        .annotate(last_move=Subquery(moves.order_by("-created_at").values("created_at")[:1]))
        .order_by()
        .values_list("id", "sku", "name", "on_hand", "last_move", "stock_cost__average_cost")
    )
    url, tz = _kardex(), timezone.get_current_timezone()
    say = labels(on_hand=_("On hand"), value=_("Value at average cost"), last_move=_("Last move"))
    return [
        Finding(
            "catalog.product",
            pk,
            f"{sku} {name}",
            {
                "on_hand": qty(on_hand, say["on_hand"]),
                "value": money(amount(on_hand * (average_cost or 0)), say["value"]),
                "last_move": day(last_move.astimezone(tz).date() if last_move else None, say["last_move"]),
            },
            url(pk),
        )
        for pk, sku, name, on_hand, last_move, average_cost in rows
    ]
