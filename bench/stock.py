"""Seeding the stock ledger: one warehouse, the generated moves, and the projections they imply.

The moves are bulk inserted (1,000,000 through `post_moves()` would take far longer than a run may);
balances and average costs are written from the same plan, so `check-ledgers` finds no drift, and
every finished month is then closed through `close_periods` (its snapshots are what reads start from).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bench import bulk
from bench.dataset import Dataset, StockPlan

FIRST_DAY = dt.datetime(2024, 1, 1, 11, 0, tzinfo=dt.UTC)
SEED_SOURCE = "bench.seed"
LINES_PER_DOCUMENT = 100


@dataclass
class Stock:
    warehouse_id: int
    stock_location_id: int
    supplier_location_id: int
    customer_location_id: int
    moves: int
    products_with_stock: int


def locations(ds: Dataset):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory import services

    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    warehouse = services.create_warehouse(
        actor=actor, company_id=ds.company.pk, code="CD", name="Centro de Distribuição"
    )
    return (
        warehouse,
        services.stock_location(warehouse),
        services.virtual_location(ds.company.pk, "supplier"),
        services.virtual_location(ds.company.pk, "customer"),
    )


def load(ds: Dataset, count: int, log=print) -> int:
    from retaguarda.inventory.models import ProductCost, StockBalance, StockMove

    warehouse, stock, supplier, customer = locations(ds)
    plan = StockPlan(ds.seed, count, len(ds.products))
    products = ds.products
    company_id = ds.company.pk

    def rows():
        for n, move in enumerate(plan):
            yield {
                "company_id": company_id,
                "product_id": products[move.product],
                "from_location_id": supplier.pk if move.incoming else stock.pk,
                "to_location_id": stock.pk if move.incoming else customer.pk,
                "quantity": move.quantity,
                "unit_cost": move.unit_cost,
                "reason": "",
                "origin": "cli",
                "created_at": FIRST_DAY + dt.timedelta(days=move.day, seconds=n % 36_000),
                "source_type": SEED_SOURCE,
                "source_id": n // LINES_PER_DOCUMENT + 1,
                "source_line": n % LINES_PER_DOCUMENT + 1,
            }

    written = bulk.insert(StockMove, rows())
    bulk.insert(
        StockBalance,
        (
            {
                "company_id": company_id,
                "warehouse_id": warehouse.pk,
                "location_id": stock.pk,
                "product_id": products[p],
                "lot_id": None,
                "lot_key": 0,
                "on_hand": qty,
                "reserved": Decimal(0),
                "allow_negative": False,
            }
            for p, qty in sorted(plan.on_hand.items())
        ),
    )
    bulk.insert(
        ProductCost,
        (
            {"company_id": company_id, "product_id": products[p], "average_cost": avg, "quantity": plan.on_hand[p]}
            for p, avg in sorted(plan.average_cost.items())
        ),
    )
    close_periods(ds)
    _analyze()
    ds.stock = Stock(warehouse.pk, stock.pk, supplier.pk, customer.pk, written, len(plan.on_hand))
    return written


def close_periods(ds: Dataset) -> int:
    """Close every finished month of the seeded ledger through the service (month-end snapshots), so
    the reads at a date and the kardex start from the last snapshot as they do in production."""
    from django.utils import timezone

    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory import services

    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    return len(services.close_periods(ds.company.pk, until=timezone.localdate(), actor=actor))


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would give a long-lived database."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
