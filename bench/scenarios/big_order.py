"""big-order: a 1,000-line order confirmed (every line reserved in one transaction) and invoiced (two NF-e,
990 + 10 items: taxes, XML, schema validation, signature, gapless numbers, queued for SEFAZ), in process.

Floors, measured in the same run: for the confirmation, the same reservation as hand-written SQL in one
transaction (lock the 1,000 stock rows in order, take each quantity, insert 1,000 reservation rows); for
the invoice, parsing the two finished notes, validating them against the same schema and one RSA
signature each (the part of the work no implementation can skip, as in `nfe`).
"""

import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import apps
from bench.floor import schema
from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.scenarios.nfe import _floor as xml_floor

LINES = 1000
UNITS = Decimal(1_000_000)


def _setup(ctx):
    """Fiscal settings with the test certificate, a channel, a customer with an address and no credit
    limit, ample stock for the products the lines use."""
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.fiscal import certificates
    from retaguarda.fiscal import services as fiscal
    from retaguarda.fiscal.models import FiscalSettings
    from retaguarda.inventory import services as inventory
    from retaguarda.parties.models import Party
    from retaguarda.sales import services as sales
    from retaguarda.sales.models import SalesChannel

    ds, st = ctx.dataset, ctx.dataset.stock
    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    fiscal.seed_company(ds.company, actor=actor)
    FiscalSettings.objects.filter(company=ds.company).update(uses_test_certificate=True)
    channel = SalesChannel.objects.filter(company=ds.company, code="BENCHBIG").first() or sales.create_channel(
        actor=actor, code="BENCHBIG", name="Atacado (bench)", kind="phone", warehouse_id=st.warehouse_id
    )
    customer = (
        Party.objects.filter(company=ds.company, is_customer=True, credit_limit=0, addresses__isnull=False)
        .order_by("pk")
        .first()
    )
    products = ds.products[:LINES]
    inventory.post_moves(
        [
            inventory.MoveIn(
                p,
                UNITS,
                st.supplier_location_id,
                st.stock_location_id,
                inventory.Source("bench.big_order_setup", 1, n),
                unit_cost=Decimal("10"),
            )
            for n, p in enumerate(products, 1)
        ],
        actor=actor,
    )
    return actor, channel, customer, products, certificates.test_certificate(ds.company)


def _order(actor, channel, customer, products):
    from retaguarda.sales import services as sales

    return sales.create_order(
        sales.OrderIn(
            channel_id=channel.pk,
            customer_id=customer.pk,
            freight=Decimal("150.00"),
            discount=Decimal("33.33"),
            payment_terms="30/60/90",
            lines=tuple(
                sales.LineIn(
                    quantity=Decimal(1 + n % 3), product_id=products[n % len(products)], unit_price=Decimal("19.90")
                )
                for n in range(LINES)
            ),
        ),
        actor=actor,
    )


def _timed(fn):
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    return result, seconds * 1000, len(captured.captured_queries)


def _confirm_floor(products) -> float:
    """The reservation as hand-written SQL: lock, take, insert, in one transaction."""
    from bench.floor.views import _lock_and_take

    schema.create(connection)
    schema.stock(connection, {p: UNITS for p in set(products)})
    wanted: dict[int, Decimal] = {}
    rows = []
    now = timezone.now()
    for n in range(LINES):
        p, q = products[n % len(products)], Decimal(1 + n % 3)
        wanted[p] = wanted.get(p, Decimal(0)) + q
        rows.append((p, q, n + 1, now))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        _lock_and_take(cur, wanted)
        cur.executemany(
            "INSERT INTO bench_floor_reservation (product_id, quantity, source_line, created_at) VALUES (%s, %s, %s, %s)",
            rows,
        )
    return (time.perf_counter() - started) * 1000


@scenario("big-order", "confirm (reserve) and invoice (two NF-e) a 1,000-line order, in process")
def run(ctx) -> Outcome:
    if not (apps.sales_ready() and apps.inventory_ready()) or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs sales, inventory and fiscal")
    from retaguarda.fiscal.models import FiscalDocument
    from retaguarda.sales import services as sales
    from retaguarda.sales.models import SalesOrder

    actor, channel, customer, products, certificate = _setup(ctx)
    if customer is None:
        return Outcome(status=NOT_LANDED, note="needs a customer with an address (parties)")
    rounds = 1 if ctx.quick else 3
    create_ms, confirm_ms, invoice_ms, queries = [], [], [], {}
    for _ in range(rounds):
        order, ms, queries["create"] = _timed(lambda: _order(actor, channel, customer, products))
        create_ms.append(ms)
        _, ms, queries["confirm"] = _timed(lambda o=order: sales.confirm_order(o.pk, actor=actor))
        confirm_ms.append(ms)
        _, ms, queries["invoice"] = _timed(
            lambda o=order: sales.invoice_order(o.pk, actor=actor, certificate=certificate)
        )
        invoice_ms.append(ms)
    notes = list(FiscalDocument.objects.filter(source_type=SalesOrder.SOURCE_TYPE, source_id=order.pk).order_by("pk"))
    items = [n.lines.count() for n in notes]
    errors = 0 if items == [990, 10] else 1
    confirm_floor = statistics.median(_confirm_floor(products) for _ in range(rounds))
    invoice_floor = statistics.median(
        sum(_xml_floor_ms(xml_floor, n.xml.encode(), certificate) for n in notes) for _ in range(rounds)
    )
    create, confirm, invoice = (statistics.median(t) for t in (create_ms, confirm_ms, invoice_ms))
    ctx.log(
        f"  1,000-line order: taken {create:,.0f} ms ({queries['create']} queries), confirmed {confirm:,.0f} ms "
        f"({queries['confirm']} queries; floor {confirm_floor:,.0f} ms), invoiced into {len(notes)} notes {items} "
        f"{invoice:,.0f} ms ({queries['invoice']} queries; floor {invoice_floor:,.0f} ms)"
    )
    detail = f"median of {rounds}"
    return Outcome(
        errors=errors,
        details={"notes_items": items, "queries": queries, "create_ms": create_ms, "confirm_ms": confirm_ms},
        figures=[
            Figure(
                "take a 1,000-line order (create_order)", create, "ms", detail=f"{detail}; {queries['create']} queries"
            ),
            Figure(
                "confirm a 1,000-line order (reserve every line)",
                confirm,
                "ms",
                floor=confirm_floor,
                target="< 1 s (PostgreSQL)",
                detail=f"{detail}; {queries['confirm']} queries",
            ),
            Figure(
                "invoice it: two NF-e (990 + 10 items) built, validated, signed, queued",
                invoice,
                "ms",
                floor=invoice_floor,
                target="< 3 s",
                detail=f"{detail}; {queries['invoice']} queries",
            ),
        ],
    )


def _xml_floor_ms(floor, xml: bytes, certificate) -> float:
    started = time.perf_counter()
    floor(xml, certificate)
    return (time.perf_counter() - started) * 1000
