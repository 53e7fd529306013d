"""Stock counts (balanço): expected quantities taken when counting starts, counted quantities typed,
uploaded or scanned, and the differences posted as adjustment moves."""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.catalog.models import Product
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.decimals import read_decimal
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import QUANTITY_PLACES, QUANTITY_WHOLE_DIGITS, ZERO, quantity
from retaguarda.core.numbering import document_number
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.states import cancel, move, record_opened
from retaguarda.inventory.models import LocationKind, StockBalance, StockCount, StockCountLine
from retaguarda.inventory.services.balances import by_balance_key, lock_balances
from retaguarda.inventory.services.lots import check_lots
from retaguarda.inventory.services.posting import MoveIn, Source, post_moves
from retaguarda.inventory.services.products import check_stocked
from retaguarda.inventory.services.scope import warehouse_of
from retaguarda.inventory.services.warehouses import stock_location, virtual_location
from retaguarda.inventory.states import CountState


@dataclass(frozen=True)
class CountEntry:
    product_id: int
    quantity: Decimal
    lot_id: int | None = None


def create_count(
    *, actor: Actor, warehouse_id: int, product_ids: Sequence[int] | None = None, notes: str = ""
) -> StockCount:
    """A count of the whole warehouse (`product_ids` None) or of some products."""
    with transaction.atomic():
        warehouse = warehouse_of(actor, warehouse_id)
        count = StockCount.objects.create(
            company_id=warehouse.company_id,
            number=document_number("inventory.count", company_id=warehouse.company_id),
            warehouse=warehouse,
            whole_warehouse=not product_ids,
            notes=notes.strip()[:200],
            created_by_id=actor.user_id,
        )
        if product_ids:
            products = Product.objects.in_bulk(set(product_ids))
            check_stocked(products, set(product_ids), warehouse.company_id)
            StockCountLine.objects.bulk_create(
                [StockCountLine(count=count, product_id=pid) for pid in sorted(set(product_ids))]
            )
        record_opened(count, CountState.DRAFT, actor=actor)
    return count


def start_count(count_id: int, *, actor: Actor) -> StockCount:
    """Counting starts: one line per product and lot in stock (or selected), with the quantity expected."""
    with transaction.atomic():
        count = move(StockCount, count_id, CountState.COUNTING, actor=actor)
        location = stock_location(count.warehouse_id)
        balances = StockBalance.objects.filter(location=location)
        existing = list(count.lines.all())
        if not count.whole_warehouse:
            balances = balances.filter(product_id__in=[line.product_id for line in existing])
        else:
            balances = balances.exclude(on_hand=0, reserved=0)
        expected = {(b.product_id, b.lot_key): b for b in balances}
        by_key = {(line.product_id, line.lot_key): line for line in existing}
        new = []
        for (product_id, lot_key), b in sorted(expected.items()):
            line = by_key.get((product_id, lot_key))
            if line is None:
                new.append(
                    StockCountLine(
                        count=count, product_id=product_id, lot_id=b.lot_id, lot_key=lot_key, expected=b.on_hand
                    )
                )
            else:
                line.expected = b.on_hand
        StockCountLine.objects.bulk_update(
            [line for line in existing if (line.product_id, line.lot_key) in expected], ["expected"]
        )
        StockCountLine.objects.bulk_create(new)
    return count


def _count_of(actor: Actor, count_id: int, *, lock: bool = False) -> StockCount:
    qs = scoped(StockCount, actor)
    count = (qs.select_for_update() if lock else qs).filter(pk=count_id).first()
    if count is None:
        raise NotFound()
    return count


def _counting(count_id: int, actor: Actor) -> StockCount:
    count = _count_of(actor, count_id, lock=True)
    if count.state != CountState.COUNTING:
        raise ValidationFailed(_("Quantities can only be entered while counting."))
    return count


def record_counts(
    count_id: int, entries: Sequence[CountEntry], *, actor: Actor, add: bool = False
) -> list[StockCountLine]:
    """Set (typed, uploaded) or add to (scanned) the counted quantity of lines."""
    with transaction.atomic():
        count = _counting(count_id, actor)
        products = Product.objects.in_bulk({e.product_id for e in entries})
        check_stocked(products, {e.product_id for e in entries}, count.company_id)
        check_lots(entries, count.company_id)
        lines = {(line.product_id, line.lot_key): line for line in count.lines.select_for_update()}
        touched = {}
        problems = Problems()
        for e in entries:
            if not isinstance(e.quantity, Decimal) or e.quantity < 0 or quantity(e.quantity) != e.quantity:
                problems.add("quantity", _("Quantity cannot be negative (4 decimal places)."))
                continue
            key = (e.product_id, e.lot_id or 0)
            if e.lot_id is None and key not in lines:
                # Lot not named: the product's only line, when it has one.
                candidates = [line for (pid, _k), line in lines.items() if pid == e.product_id]
                if len(candidates) == 1:
                    key = (e.product_id, candidates[0].lot_key)
            line = lines.get(key)
            if line is None:
                if not count.whole_warehouse:
                    problems.add(
                        "product_id",
                        _("%(sku)s is not in this count.") % {"sku": products[e.product_id].sku},
                    )
                    continue
                line = StockCountLine.objects.create(
                    count=count, product_id=e.product_id, lot_id=e.lot_id, lot_key=e.lot_id or 0
                )
                lines[key] = line
            line.counted = (line.counted or ZERO) + e.quantity if add else e.quantity
            touched[line.pk] = line
        problems.raise_if_any()
        StockCountLine.objects.bulk_update(list(touched.values()), ["counted"])
    return list(touched.values())


def scan(count_id: int, code: str, *, actor: Actor) -> StockCountLine:
    """One barcode read: the product with this GTIN (or SKU) counts one more unit."""
    code = (code or "").strip()
    count = _count_of(actor, count_id)
    product = (
        Product.objects.filter(company_id=count.company_id, gtin=code).order_by("id").first()
        or Product.objects.filter(company_id=count.company_id, sku__iexact=code).order_by("id").first()
    )
    if product is None or not code:
        raise ValidationFailed(
            details=[{"field": "code", "message": _("No product with code %(code)s.") % {"code": code}}]
        )
    return record_counts(count_id, [CountEntry(product.pk, Decimal(1))], actor=actor, add=True)[0]


def parse_count_csv(count_id: int, text: str, *, actor: Actor) -> list[CountEntry]:
    """`SKU;quantity` per line (a header line and decimal commas are accepted); every error reported."""
    count = _count_of(actor, count_id)
    rows = []
    problems = Problems()
    for number, raw in enumerate(text.splitlines(), start=1):
        raw = raw.strip().lstrip("\ufeff")
        if not raw:
            continue
        parts = [p.strip() for p in raw.replace("\t", ";").split(";")]
        if len(parts) < 2:
            problems.add(f"line {number}", _("Expected SKU;quantity."))
            continue
        sku = parts[0]
        try:
            qty = read_decimal(parts[1], places=QUANTITY_PLACES, whole_digits=QUANTITY_WHOLE_DIGITS, typed=True)
        except ValueError as exc:
            if number == 1:
                continue  # a header line
            problems.add(
                f"line {number}", _("Invalid quantity %(value)s: %(reason)s") % {"value": parts[1], "reason": exc}
            )
            continue
        rows.append((number, sku, qty))
    skus = {sku.upper() for _n, sku, _q in rows}
    products = {
        p.sku.upper(): p.pk
        for p in Product.objects.filter(company_id=count.company_id, sku__in={s for _n, s, _q in rows})
    }
    if len(products) < len(skus):
        for p in Product.objects.filter(company_id=count.company_id).only("sku"):
            if p.sku.upper() in skus:
                products[p.sku.upper()] = p.pk
    entries = []
    for number, sku, qty in rows:
        pid = products.get(sku.upper())
        if pid is None:
            problems.add(f"line {number}", _("No product with SKU %(sku)s.") % {"sku": sku})
        else:
            entries.append(CountEntry(pid, qty))
    problems.raise_if_any()
    return entries


def post_count(count_id: int, *, actor: Actor) -> StockCount:
    """Post the differences of every counted line as adjustment moves; uncounted lines change nothing."""
    with transaction.atomic():
        count = move(StockCount, count_id, CountState.POSTED, actor=actor)
        location = stock_location(count.warehouse_id)
        adjustment = virtual_location(count.company_id, LocationKind.ADJUSTMENT)
        lines = [line for line in count.lines.all() if line.counted is not None]
        buckets = by_balance_key(lock_balances({(line.product_id, location.pk) for line in lines}))
        on_hand = {key: b.balance.on_hand for key, b in buckets.items()}
        moves = []
        for line in lines:
            line.difference = line.counted - on_hand.get((line.product_id, location.pk, line.lot_key), ZERO)
            if line.difference:
                entering = line.difference > 0
                moves.append(
                    MoveIn(
                        product_id=line.product_id,
                        quantity=abs(line.difference),
                        from_location_id=adjustment.pk if entering else location.pk,
                        to_location_id=location.pk if entering else adjustment.pk,
                        source=Source(StockCount.SOURCE_TYPE, count.pk, line.pk),
                        lot_id=line.lot_id,
                        reason=str(count),
                    )
                )
        # Lines without a lot must hit the stock without a lot, not FEFO: post them lot-exact.
        post_moves(moves, actor=actor, exact_lots=True)
        StockCountLine.objects.bulk_update(lines, ["difference"])
        count.posted_at = timezone.now()
        count.save(update_fields=["posted_at", "updated_at"])
        audit.record(actor, count, "posted", {"adjusted_lines": len(moves)})
    return count


def cancel_count(count_id: int, *, actor: Actor) -> StockCount:
    return cancel(StockCount, count_id, CountState.CANCELLED, actor=actor)
