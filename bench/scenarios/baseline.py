"""baseline: the database's own limit, and the stack's floor for an order of 5 lines."""

import json
import random
import time
from decimal import Decimal

from django.conf import settings
from django.db import connection

from bench import limits, servers
from bench.floor import schema
from bench.load import Request, run_load
from bench.registry import Figure, Outcome, scenario

ORDER_LINES = 5
FLOOR_PRODUCTS = 1000


def order_requests(seed: int, products: list[int], prices: dict[int, Decimal], customers: list[int], path: str):
    """Build each client's stream of 5-line orders; same seed, same stream."""
    streams: dict[int, random.Random] = {}

    def next_request(client: int, n: int) -> Request:
        rng = streams.setdefault(client, random.Random(f"orders-{seed}-{client}"))
        picked = rng.sample(products, ORDER_LINES)
        body = {
            "customer": rng.choice(customers),
            "lines": [{"product": p, "quantity": str(rng.randint(1, 3)), "price": str(prices[p])} for p in picked],
        }
        return Request("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json"})

    return next_request


def measure_floor(ctx) -> tuple[float, dict, int]:
    """The bare-Django floor for a 5-line order (its own tables, ample stock for the first products of the
    dataset), closed loop at the run's client count; kept in `ctx.limits` for the scenarios that compare
    to it (`intake`). Returns (orders per second, latency summary, errors)."""
    ds = ctx.dataset
    from retaguarda.catalog.models import Product

    products = ds.products[:FLOOR_PRODUCTS]
    prices = dict(Product.objects.filter(pk__in=products).values_list("pk", "price"))
    schema.create(connection)
    schema.stock(connection, {p: Decimal(10**9) for p in products})
    customers = ds.customers or list(range(1, 101))
    server = ctx.floor_server()
    make = order_requests(ctx.seed, products, prices, customers, "/floor/orders")
    run_load(server.host, server.port, make, clients=ctx.clients, seconds=ctx.warmup_seconds, classify=classify_floor)
    started = time.perf_counter()
    meter = servers.CpuMeter(server, connection)
    result = run_load(server.host, server.port, make, clients=ctx.clients, seconds=ctx.seconds, classify=classify_floor)
    cpu = meter.per_request_ms(result.completed)
    summary = result.summary()
    rate = result.ok / result.seconds
    ctx.limits["floor_orders_per_s"] = rate
    ctx.limits["floor_order_p99_ms"] = summary["p99_ms"]
    ctx.limits["floor_order_cpu_ms"] = cpu
    ctx.log(
        f"  floor: {rate:,.0f} orders/s of {ORDER_LINES} lines, p50 {summary['p50_ms']} ms, p99 {summary['p99_ms']} ms, "
        f"{result.errors} errors, CPU per order: server {cpu[0]} ms + database {cpu[1]} ms "
        f"({time.perf_counter() - started:.1f} s)"
    )
    return rate, summary, result.errors


def classify_floor(req, status, body) -> str:
    """The floor's stock is ample: any answer but 201 is an error, a refusal included."""
    return "ok" if status == 201 else "error"


@scenario("baseline", "database limit (pgbench -N / single-row commits) and the bare-Django floor for a 5-line order")
def run(ctx) -> Outcome:
    out = Outcome()
    limit_seconds = 3 if ctx.quick else 12
    if ctx.target.vendor == "postgres":
        # 2 clients is pgbench's usual figure; at the load's client count commits group as they do under
        # the HTTP load, so that one is the limit the ratios use.
        counts = sorted({2, ctx.clients})
        db = limits.pgbench_tps(ctx.target, limit_seconds, clients=tuple(counts))
        for n in counts:
            tps = db["tps_by_clients"][n]
            ctx.log(f"  database limit: {tps:,.0f} tx/s (pgbench -N, {n} clients)")
            out.figures.append(
                Figure("database limit", tps, "tx/s", higher_is_better=True, detail=f"pgbench -N, {n} clients")
            )
        db["tps"] = db["tps_by_clients"][ctx.clients]
    else:
        init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
        db = limits.sqlite_commits(ctx.target.data_dir, limit_seconds, init)
        ctx.log(f"  database limit: {db['tps']:,.0f} tx/s ({db['tool']})")
        out.figures.append(Figure("database limit", db["tps"], "tx/s", higher_is_better=True, detail=db["tool"]))
    ctx.limits["db_tps"] = db["tps"]
    out.details["db_limit"] = db

    rate, summary, errors = measure_floor(ctx)
    out.details["floor_orders"] = summary
    out.errors += errors
    out.figures += [
        Figure(
            f"floor: {ORDER_LINES}-line orders/s",
            rate,
            "req/s",
            higher_is_better=True,
            db_limit=db["tps"],
            detail=f"{ctx.clients} clients, bare Django + gunicorn",
        ),
        Figure("floor: order p50", summary["p50_ms"], "ms"),
        Figure("floor: order p95", summary["p95_ms"], "ms"),
        Figure("floor: order p99", summary["p99_ms"], "ms"),
    ]
    return out
