"""receipt: post a 1,000-line receipt through inventory's `post_moves()`, against one hand-written SQL batch."""

import random
import statistics
import time
from decimal import Decimal

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import apps
from bench.registry import NOT_LANDED, Figure, Outcome, scenario

LINES = 1000
TARGET = "< 1 s (PostgreSQL)"


def receipt_lines(seed: int, products: list[int], number: int) -> list[tuple[int, Decimal, Decimal]]:
    """(product id, quantity, unit cost) for receipt `number`: distinct products while there are enough."""
    rng = random.Random(f"receipt-{seed}-{number}")
    picked = rng.sample(products, LINES) if len(products) >= LINES else [rng.choice(products) for _ in range(LINES)]
    return [(p, Decimal(rng.randint(1, 50)), (Decimal(rng.randint(100, 50_000)) / 100)) for p in picked]


def post_through_service(ctx, number: int, lines) -> None:
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory.services import MoveIn, Source, post_moves

    st = ctx.dataset.stock
    actor = Actor(ctx.dataset.user, Origin.CLI, ctx.dataset.company.pk)
    post_moves(
        [
            MoveIn(
                product_id=p,
                quantity=q,
                from_location_id=st.supplier_location_id,
                to_location_id=st.stock_location_id,
                source=Source("bench.receipt", number, n),
                unit_cost=c,
            )
            for n, (p, q, c) in enumerate(lines, 1)
        ],
        actor=actor,
    )


def post_by_hand(ctx, number: int, lines) -> None:
    """The floor: the same rows written with a handful of hand-written statements in one transaction."""
    st, company = ctx.dataset.stock, ctx.dataset.company.pk
    per_product: dict[int, tuple[Decimal, Decimal]] = {}
    for p, q, c in lines:
        old_q, old_v = per_product.get(p, (Decimal(0), Decimal(0)))
        per_product[p] = (old_q + q, old_v + q * c)
    ids = sorted(per_product)
    now = timezone.now()

    def values(rows, marks):
        return ", ".join([f"({marks})"] * len(rows)), [x for r in rows for x in r]

    with transaction.atomic(), connection.cursor() as cur:
        sql, params = values(
            [(company, st.warehouse_id, st.stock_location_id, p) for p in ids], "%s, %s, %s, %s, NULL, 0, 0, 0, FALSE"
        )
        cur.execute(
            "INSERT INTO inventory_stockbalance (company_id, warehouse_id, location_id, product_id, lot_id, lot_key, "
            f"on_hand, reserved, allow_negative) VALUES {sql} ON CONFLICT (location_id, product_id, lot_key) DO NOTHING",
            params,
        )
        sql, params = values([(company, p, now) for p in ids], "%s, %s, 0, 0, %s")
        cur.execute(
            "INSERT INTO inventory_productcost (company_id, product_id, average_cost, quantity, updated_at) "
            f"VALUES {sql} ON CONFLICT (product_id) DO NOTHING",
            params,
        )
        if connection.vendor == "postgresql":
            marks = ", ".join(["%s"] * len(ids))
            cur.execute(
                f"SELECT id FROM inventory_stockbalance WHERE location_id = %s AND product_id IN ({marks}) "
                "ORDER BY product_id, location_id, lot_key FOR UPDATE",
                [st.stock_location_id, *ids],
            )
            cur.execute(
                f"SELECT id FROM inventory_productcost WHERE product_id IN ({marks}) ORDER BY product_id FOR UPDATE",
                ids,
            )
        sql, params = values(
            [
                (company, p, st.supplier_location_id, st.stock_location_id, q, c, now, number, n)
                for n, (p, q, c) in enumerate(lines, 1)
            ],
            "%s, %s, NULL, %s, %s, %s, %s, '', NULL, 'cli', %s, 'bench.floor_receipt', %s, %s",
        )
        cur.execute(
            "INSERT INTO inventory_stockmove (company_id, product_id, lot_id, from_location_id, to_location_id, quantity, "
            f"unit_cost, reason, user_id, origin, created_at, source_type, source_id, source_line) VALUES {sql}",
            params,
        )
        sql, params = values(
            [(p, per_product[p][0], per_product[p][1]) for p in ids],
            "CAST(%s AS BIGINT), CAST(%s AS NUMERIC), CAST(%s AS NUMERIC)",
        )
        cur.execute(
            f"WITH v (product_id, q, value) AS (VALUES {sql}) "
            "UPDATE inventory_stockbalance SET on_hand = on_hand + v.q FROM v "
            "WHERE inventory_stockbalance.product_id = v.product_id AND location_id = %s AND lot_key = 0",
            [*params, st.stock_location_id],
        )
        cur.execute(
            f"WITH v (product_id, q, value) AS (VALUES {sql}) "
            "UPDATE inventory_productcost SET "
            "average_cost = CASE WHEN quantity <= 0 THEN ROUND(v.value / v.q, 6) "
            "ELSE ROUND((quantity * average_cost + v.value) / (quantity + v.q), 6) END, "
            "quantity = quantity + v.q, updated_at = %s FROM v WHERE inventory_productcost.product_id = v.product_id",
            [*params, now],
        )


def _measure(fn, ctx, numbers, lines_for) -> tuple[list[float], int]:
    times, queries = [], 0
    for number in numbers:
        lines = lines_for(number)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn(ctx, number, lines)
            times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return times, queries


@scenario("receipt", "post a 1,000-line receipt through post_moves(), beside one hand-written SQL batch")
def run(ctx) -> Outcome:
    if not apps.inventory_ready() or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs inventory")
    rounds = 1 if ctx.quick else 3
    products = ctx.dataset.products
    ours, our_queries = _measure(
        post_through_service, ctx, range(1, rounds + 1), lambda n: receipt_lines(ctx.seed, products, n)
    )
    floor, floor_queries = _measure(
        post_by_hand, ctx, range(1, rounds + 1), lambda n: receipt_lines(ctx.seed, products, n)
    )
    ours_ms, floor_ms = statistics.median(ours) * 1000, statistics.median(floor) * 1000
    ctx.log(
        f"  post_moves: {ours_ms:,.0f} ms, {our_queries} queries; hand-written SQL: {floor_ms:,.0f} ms, {floor_queries} queries"
    )
    return Outcome(
        figures=[
            Figure(
                f"{LINES:,}-line receipt, post_moves()",
                ours_ms,
                "ms",
                floor=floor_ms,
                target=TARGET,
                detail=f"median of {rounds}",
            ),
            Figure("receipt: queries", our_queries, "queries", floor=floor_queries),
        ],
        details={"post_moves_s": ours, "floor_s": floor, "queries": our_queries, "floor_queries": floor_queries},
    )
