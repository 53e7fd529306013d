"""intake: 5-line orders created and confirmed in one call (`POST /api/v1/sales/orders?confirm=true`), the
way a channel connector sends them, by N clients on the real server, beside the floor's 5-line order.

Each request carries its own `Idempotency-Key` and the channel's external order id. The products get
ample stock first (through `post_moves`, so the ledger stays whole): every order should be confirmed,
and any refusal or other answer is an error. Afterwards the balances are checked: what each product
reserved must equal what the answers confirmed, and nothing may go below zero.
"""

import itertools
import json
import random
import threading
from collections import Counter
from decimal import Decimal

from django.db import connection

from bench import apps, servers
from bench.load import Request, run_load
from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.scenarios.baseline import ORDER_LINES, measure_floor

PRODUCTS = 200
UNITS = Decimal(1_000_000)
PATH = "/api/v1/sales/orders?confirm=true"
TARGET_RATIO = {"postgres": 0.5, "sqlite": 0.3}


class Granted:
    """What the 201 answers confirmed, per product, as the clients counted it."""

    def __init__(self):
        self.units: Counter = Counter()
        self.orders = 0
        self.lock = threading.Lock()

    def add(self, lines) -> None:
        with self.lock:
            self.orders += 1
            for product, qty in lines:
                self.units[product] += qty


def prepare(ctx):
    """A channel on the dataset's warehouse, `PRODUCTS` products with ample stock, customers without a
    credit limit (the confirmation checks it). Returns (channel, {product id: sku}, customers, before)."""
    from retaguarda.catalog.models import Product
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory import services as inventory
    from retaguarda.parties.models import Party
    from retaguarda.sales import services as sales
    from retaguarda.sales.models import SalesChannel

    ds, st = ctx.dataset, ctx.dataset.stock
    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    channel = SalesChannel.objects.filter(company=ds.company, code="BENCH").first() or sales.create_channel(
        actor=actor, code="BENCH", name="Loja virtual (bench)", kind="online_store", warehouse_id=st.warehouse_id
    )
    step = max(1, len(ds.products) // PRODUCTS)
    picked = ds.products[::step][:PRODUCTS]
    skus = dict(Product.objects.filter(pk__in=picked).values_list("pk", "sku"))
    moves = [
        inventory.MoveIn(
            p,
            UNITS,
            st.supplier_location_id,
            st.stock_location_id,
            inventory.Source("bench.intake_setup", 1, n),
            unit_cost=Decimal("10"),
        )
        for n, p in enumerate(picked, 1)
    ]
    inventory.post_moves(moves, actor=actor)
    customers = list(
        Party.objects.filter(pk__in=ds.customers, credit_limit=0).order_by("pk").values_list("pk", flat=True)[:200]
    )
    return channel, skus, customers, balances(ctx, picked)


def balances(ctx, products) -> dict[int, tuple[Decimal, Decimal]]:
    from retaguarda.inventory.models import StockBalance

    rows = StockBalance.objects.filter(location_id=ctx.dataset.stock.stock_location_id, product_id__in=list(products))
    return {p: (on_hand, reserved) for p, on_hand, reserved in rows.values_list("product_id", "on_hand", "reserved")}


def order_body(rng: random.Random, channel_id: int, skus: dict[int, str], customers: list[int], n: int) -> dict:
    picked = rng.sample(sorted(skus), ORDER_LINES)
    return {
        "channel_id": channel_id,
        "external_id": f"BENCH-{n}",
        "customer_id": rng.choice(customers),
        "freight": "12.90",
        "payment_terms": "30/60",
        "lines": [{"sku": skus[p], "quantity": str(rng.randint(1, 3))} for p in picked],
    }


def requests(seed, channel_id, skus, customers, headers, ids):
    streams: dict[int, random.Random] = {}
    by_sku = {sku: p for p, sku in skus.items()}

    def next_request(client: int, n: int) -> Request:
        rng = streams.setdefault(client, random.Random(f"intake-{seed}-{client}"))
        serial = next(ids)
        body = order_body(rng, channel_id, skus, customers, serial)
        tag = [(by_sku[line["sku"]], int(line["quantity"])) for line in body["lines"]]
        hdrs = {**headers, "Idempotency-Key": f"bench-intake-{serial}"}
        return Request("POST", PATH, json.dumps(body).encode(), hdrs, tag=tag)

    return next_request


def classifier(granted: Granted):
    def classify(req: Request, status: int, body: bytes) -> str:
        if status == 201:
            try:
                answer = json.loads(body)
            except ValueError:
                return "error"
            if answer.get("state") != "confirmed" or len(answer.get("lines", ())) != ORDER_LINES:
                return "error"
            granted.add(req.tag)
            return "ok"
        return "error"  # stock is ample: a refusal is an error too

    return classify


def check(before, after, granted: Granted, confirmed_orders: int) -> dict:
    over, mismatched = [], []
    for product, (on_hand, reserved) in after.items():
        if on_hand - reserved < 0:
            over.append(product)
        if reserved - before[product][1] != granted.units.get(product, 0):
            mismatched.append(product)
    return {
        "negative_available": over,
        "reserved_differs_from_confirmed": mismatched,
        "orders_answered": granted.orders,
        "orders_confirmed_in_database": confirmed_orders,
    }


def queries_per_intake(ctx, channel_id, skus, customers, ids, granted: Granted) -> int:
    """Statements one 5-line intake with confirmation sends, in process, through every layer (BEGIN and
    COMMIT included, as Django logs them)."""
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    serial = next(ids)
    body = order_body(random.Random(f"intake-q-{ctx.seed}"), channel_id, skus, customers, serial)
    client = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": f"Bearer {ctx.token()}"})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            PATH,
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": f"bench-intake-{serial}"},
        )
    if response.status_code != 201:
        raise RuntimeError(f"in-process intake answered {response.status_code}: {response.content[:300]!r}")
    by_sku = {sku: p for p, sku in skus.items()}
    granted.add([(by_sku[line["sku"]], int(line["quantity"])) for line in body["lines"]])
    return len(captured.captured_queries)


@scenario("intake", "5-line orders created and confirmed through the HTTP API by N clients, beside the floor")
def run(ctx) -> Outcome:
    if not (apps.sales_ready() and apps.inventory_ready()) or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs sales and inventory")
    from retaguarda.sales.models import SalesOrder

    channel, skus, customers, before = prepare(ctx)
    if not customers:
        return Outcome(status=NOT_LANDED, note="needs customers without a credit limit (parties)")
    out = Outcome(details={"products": len(skus), "customers": len(customers)})
    if "floor_orders_per_s" not in ctx.limits:
        measure_floor(ctx)
    floor_rate, floor_p99 = ctx.limits["floor_orders_per_s"], ctx.limits.get("floor_order_p99_ms")

    server = ctx.app_server()
    headers = ctx.api_headers()
    ids = itertools.count(1)
    granted = Granted()
    classify = classifier(granted)
    warm = requests(f"{ctx.seed}-warm", channel.pk, skus, customers, headers, ids)
    warmup = run_load(server.host, server.port, warm, clients=2, seconds=ctx.warmup_seconds, classify=classify)
    make = requests(ctx.seed, channel.pk, skus, customers, headers, ids)
    meter = servers.CpuMeter(server, connection)
    result = run_load(server.host, server.port, make, clients=ctx.clients, seconds=ctx.seconds, classify=classify)
    cpu = meter.per_request_ms(result.completed)
    floor_cpu = ctx.limits.get("floor_order_cpu_ms")
    summary = result.summary()
    rate = result.ok / result.seconds
    ctx.log(
        f"  {rate:,.1f} orders/s of {ORDER_LINES} lines created and confirmed, p50 {summary['p50_ms']} ms, "
        f"p99 {summary['p99_ms']} ms, {result.errors} errors (floor {floor_rate:,.0f}/s, p99 {floor_p99} ms)"
    )
    ctx.log(
        f"  CPU per order: server {cpu[0]} ms + database {cpu[1]} ms"
        + (f" (floor {floor_cpu[0]} + {floor_cpu[1]} ms)" if floor_cpu else "")
    )
    if result.error_samples:
        ctx.log(f"  first errors: {result.error_samples[:2]}")
    ctx.current_app_memory()
    queries = queries_per_intake(ctx, channel.pk, skus, customers, ids, granted)
    ctx.log(f"  queries per {ORDER_LINES}-line intake with confirmation: {queries}")

    confirmed = SalesOrder.objects.filter(channel=channel, state="confirmed").count()
    checked = check(before, balances(ctx, skus), granted, confirmed)
    out.oversells = len(checked["negative_available"])
    out.errors = (
        result.errors
        + warmup.errors
        + len(checked["reserved_differs_from_confirmed"])
        + abs(confirmed - granted.orders)
    )
    if out.oversells or out.errors:
        ctx.log(f"  CHECK FAILED: {checked}")
    else:
        ctx.log(f"  check: 0 oversells; reserved = confirmed on all {len(skus)} products; {confirmed} orders confirmed")
    out.details.update(load=summary, check=checked, queries=queries, cpu_ms=cpu, floor_cpu_ms=floor_cpu)
    ratio = TARGET_RATIO.get(ctx.target.vendor, 0.3)
    out.figures = [
        Figure(
            f"{ORDER_LINES}-line orders created + confirmed/s",
            rate,
            "req/s",
            higher_is_better=True,
            floor=floor_rate,
            db_limit=ctx.limits.get("db_tps"),
            target=f"≥ {ratio:g}x floor",
            detail=f"{ctx.clients} clients, ?confirm=true, Idempotency-Key",
        ),
        Figure(
            "CPU per intake, saturated: server + database",
            round(sum(cpu), 2),
            "ms",
            floor=round(sum(floor_cpu), 2) if floor_cpu else None,
            detail=f"server {cpu[0]} + database {cpu[1]} ms"
            + (f" (floor {floor_cpu[0]} + {floor_cpu[1]})" if floor_cpu else ""),
        ),
        Figure("intake p50", summary["p50_ms"], "ms"),
        Figure("intake p99", summary["p99_ms"], "ms", floor=floor_p99, target="≤ 3x floor"),
        Figure("oversells", out.oversells, "", target="0"),
        Figure("errors", out.errors, "", target="0", detail="failed or refused requests, reserved ≠ confirmed"),
        Figure(
            f"queries per {ORDER_LINES}-line intake + confirm",
            queries,
            "queries",
            detail="in process, Idempotency-Key, BEGIN and COMMIT included",
        ),
    ]
    return out
