"""reserve: concurrent reservations through `POST /api/v1/inventory/reservations` on the real server.

Scarce stock on purpose: the requests pick among the products with the least available stock, so a
good share are refused (409 `inventory.insufficient_stock`) and an oversell would show. Two phases on
the app: paced at the issue's 50 requests/s, then closed loop for the most it gives; the floor runs the
same closed loop on its own copy of the stock. Afterwards the balances are checked: no product may
have granted more than it had, and `reserved` must equal the sum of the granted reservations.
"""

import itertools
import json
import random
import threading
import time
from collections import Counter
from decimal import Decimal

from django.db import connection

from bench import apps, servers
from bench.floor import schema
from bench.load import Request, run_load
from bench.registry import NOT_LANDED, Figure, Outcome, scenario

HOT_PRODUCTS = 40
TARGET_RATE = 50.0
SOURCE_TYPE = "manual.bench"  # the public reservation API takes manual.* only


class Ledger:
    """What the answers granted, per product, counted by the clients."""

    def __init__(self):
        self.granted: Counter = Counter()
        self.lock = threading.Lock()

    def grant(self, product: int, qty: int) -> None:
        with self.lock:
            self.granted[product] += qty


def requests(seed: str, products: list[int], warehouse: int, headers: dict, path: str, floor: bool, ids):
    streams: dict[int, random.Random] = {}

    def next_request(client: int, n: int) -> Request:
        rng = streams.setdefault(client, random.Random(f"reserve-{seed}-{client}"))
        product, qty = rng.choice(products), rng.randint(1, 3)
        source_id = next(ids)
        if floor:
            body = {"product": product, "quantity": str(qty), "source_line": source_id}
        else:
            body = {
                "source_type": SOURCE_TYPE,
                "source_id": source_id,
                "lines": [{"line": 1, "product_id": product, "warehouse_id": warehouse, "quantity": str(qty)}],
            }
        hdrs = dict(headers)
        if not floor:
            hdrs["Idempotency-Key"] = f"bench-reserve-{source_id}"
        return Request("POST", path, json.dumps(body).encode(), hdrs, tag=(product, qty))

    return next_request


def classifier(ledger: Ledger):
    def classify(req: Request, status: int, body: bytes) -> str:
        if status == 201:
            ledger.grant(*req.tag)
            return "ok"
        if status == 409:
            try:
                code = json.loads(body).get("code", "")
            except ValueError:
                code = ""
            if code.endswith("insufficient_stock"):
                return "refused"
        return "error"

    return classify


def oversells(initial: dict[int, Decimal], final: dict[int, tuple[Decimal, Decimal]], ledger: Ledger) -> dict:
    """Products that granted more than they had, went below zero, or whose reserved drifted from the answers."""
    over, negative, mismatched = [], [], []
    for product, available in initial.items():
        granted = Decimal(ledger.granted.get(product, 0))
        on_hand, reserved = final[product]
        if granted > available:
            over.append(product)
        if on_hand - reserved < 0:
            negative.append(product)
        if reserved != granted:
            mismatched.append(product)
    return {
        "granted_more_than_available": over,
        "negative_available": negative,
        "reserved_differs_from_granted": mismatched,
    }


def prepare_stock(ctx, rate: float, seconds: float) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Through post_moves(): a scarce set (about half of what the paced phase will ask for) and an ample set.

    Returns {product: available} for each set, as the database holds it before the load.
    """
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory import services
    from retaguarda.inventory.models import StockBalance

    st, ds = ctx.dataset.stock, ctx.dataset
    actor = Actor(ds.user, Origin.CLI, ds.company.pk)
    free = StockBalance.objects.filter(location_id=st.stock_location_id, on_hand__gt=0, reserved=0)
    ample = list(free.order_by("-on_hand", "product_id").values_list("product_id", flat=True)[:HOT_PRODUCTS])
    scarce = list(
        free.exclude(product_id__in=ample)
        .order_by("on_hand", "product_id")
        .values_list("product_id", "on_hand")[:HOT_PRODUCTS]
    )
    rng = random.Random(f"reserve-stock-{ctx.seed}")
    per_product = rate * seconds / max(1, len(scarce))  # ~2 units asked per request: half of the demand fits
    adjustment = services.virtual_location(ds.company.pk, "adjustment")
    moves = []
    for n, (product, on_hand) in enumerate(scarce, 1):
        keep = Decimal(max(2, round(per_product * rng.uniform(0.5, 1.5))))
        delta = Decimal(on_hand) - keep
        if delta:
            src, dst = (st.stock_location_id, adjustment.pk) if delta > 0 else (adjustment.pk, st.stock_location_id)
            moves.append(services.MoveIn(product, abs(delta), src, dst, services.Source("bench.reserve_setup", 1, n)))
    for n, product in enumerate(ample, 1):
        moves.append(
            services.MoveIn(
                product,
                Decimal(1_000_000),
                st.supplier_location_id,
                st.stock_location_id,
                services.Source("bench.reserve_setup", 2, n),
            )
        )
    services.post_moves(moves, actor=actor)
    stock = dict(
        StockBalance.objects.filter(
            location_id=st.stock_location_id, product_id__in=[*ample, *(p for p, _ in scarce)]
        ).values_list("product_id", "on_hand")
    )
    return {p: stock[p] for p, _ in scarce}, {p: stock[p] for p in ample}


def final_balances(ctx, products) -> dict[int, tuple[Decimal, Decimal]]:
    from retaguarda.inventory.models import StockBalance

    rows = StockBalance.objects.filter(location_id=ctx.dataset.stock.stock_location_id, product_id__in=list(products))
    return {p: (on_hand, reserved) for p, on_hand, reserved in rows.values_list("product_id", "on_hand", "reserved")}


def queries_per_request(ctx, product: int, ids, ledger: Ledger) -> tuple[int, int]:
    """Statements one 1-line reservation sends, ours (the load's request, with its `Idempotency-Key`,
    through every layer, in process) and the floor's (its view on the same connection). BEGIN and
    COMMIT count for both, as Django logs them; a savepoint is two statements."""
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext

    from bench.floor import views as floor_views

    warehouse = ctx.dataset.stock.warehouse_id
    source_id = next(ids)
    body = {
        "source_type": SOURCE_TYPE,
        "source_id": source_id,
        "lines": [{"line": 1, "product_id": product, "warehouse_id": warehouse, "quantity": "1"}],
    }
    client = Client(HTTP_HOST="127.0.0.1", headers={"Authorization": f"Bearer {ctx.token()}"})
    with CaptureQueriesContext(connection) as ours:
        response = client.post(
            "/api/v1/inventory/reservations",
            json.dumps(body),
            content_type="application/json",
            headers={"Idempotency-Key": f"bench-reserve-{source_id}"},
        )
    if response.status_code != 201:
        raise RuntimeError(f"in-process reservation answered {response.status_code}: {response.content[:200]!r}")
    ledger.grant(product, 1)
    floor_body = json.dumps({"product": product, "quantity": "1", "source_line": next(ids)}).encode()
    request = RequestFactory().post("/floor/reservations", floor_body, content_type="application/json")
    with CaptureQueriesContext(connection) as floor:
        floor_views.reserve(request)
    return len(ours.captured_queries), len(floor.captured_queries)


@scenario(
    "reserve", "concurrent reservations through the API (paced at 50/s on scarce stock, then saturated), oversell check"
)
def run(ctx) -> Outcome:
    if not apps.inventory_ready() or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs inventory")
    from retaguarda.inventory import selectors

    st, company = ctx.dataset.stock, ctx.dataset.company
    scarce, ample = prepare_stock(ctx, TARGET_RATE, ctx.seconds)
    out = Outcome(
        details={"scarce_products": len(scarce), "scarce_units": sum(scarce.values()), "ample_products": len(ample)}
    )
    ids = itertools.count(1)
    json_headers = {"Content-Type": "application/json"}

    # The floor: the ample products with the same stock, the same closed loop, bare Django.
    schema.create(connection)
    schema.stock(connection, ample)
    floor_ledger = Ledger()
    server = ctx.floor_server()
    make = requests(ctx.seed, sorted(ample), st.warehouse_id, json_headers, "/floor/reservations", True, ids)
    run_load(server.host, server.port, make, clients=2, seconds=ctx.warmup_seconds, classify=classifier(floor_ledger))
    meter = servers.CpuMeter(server, connection)  # after a warm-up: every worker thread holds its database connection
    floor = run_load(
        server.host, server.port, make, clients=ctx.clients, seconds=ctx.seconds, classify=classifier(floor_ledger)
    )
    floor_cpu = meter.per_request_ms(floor.completed)
    floor_check = oversells(ample, schema.reserved(connection), floor_ledger)
    fs = floor.summary()
    out.details["floor"] = {**fs, "check": floor_check}
    floor_rate = floor.completed / floor.seconds
    ctx.log(
        f"  floor, saturated: {floor_rate:,.0f} req/s, p50 {fs['p50_ms']} ms, p99 {fs['p99_ms']} ms, {floor.errors} errors"
    )

    # The app, started the README's way.
    server = ctx.app_server()
    headers = ctx.api_headers()
    ledger = Ledger()
    classify = classifier(ledger)
    path = "/api/v1/inventory/reservations"
    warm = requests(f"{ctx.seed}-warm", sorted(ample), st.warehouse_id, headers, path, False, ids)
    run_load(server.host, server.port, warm, clients=2, seconds=ctx.warmup_seconds, classify=classify)
    make = requests(ctx.seed, sorted(scarce), st.warehouse_id, headers, path, False, ids)
    paced = run_load(
        server.host, server.port, make, clients=ctx.clients, seconds=ctx.seconds, rate=TARGET_RATE, classify=classify
    )
    ps = paced.summary()
    ctx.log(
        f"  paced at {TARGET_RATE:g}/s on scarce stock: {ps['req_per_s']} answered/s, p50 {ps['p50_ms']} ms, "
        f"p99 {ps['p99_ms']} ms; {paced.ok} granted, {paced.refused} refused, {paced.errors} errors"
    )
    make = requests(ctx.seed, sorted(ample), st.warehouse_id, headers, path, False, ids)
    meter = servers.CpuMeter(server, connection)
    saturated = run_load(server.host, server.port, make, clients=ctx.clients, seconds=ctx.seconds, classify=classify)
    app_cpu = meter.per_request_ms(saturated.completed)
    ss = saturated.summary()
    rate = saturated.completed / saturated.seconds
    ctx.log(f"  saturated: {rate:,.0f} req/s, p50 {ss['p50_ms']} ms, p99 {ss['p99_ms']} ms, {saturated.errors} errors")
    ctx.log(
        f"  CPU per request, saturated: server {app_cpu[0]} ms + database {app_cpu[1]} ms "
        f"(floor {floor_cpu[0]} + {floor_cpu[1]} ms)"
    )
    ctx.current_app_memory()
    ours, floor_queries = queries_per_request(ctx, min(ample), ids, ledger)
    ctx.log(f"  queries per 1-line reservation: {ours} (floor {floor_queries})")

    initial = {**scarce, **ample}
    check = oversells(initial, final_balances(ctx, initial), ledger)
    started = time.perf_counter()
    drift = [d for d in selectors.drift(company.pk) if d.field == "reserved"]
    out.details.update(
        paced=ps,
        saturated=ss,
        check=check,
        reserved_drift=len(drift),
        drift_seconds=round(time.perf_counter() - started, 1),
    )
    out.oversells = len(check["granted_more_than_available"]) + len(check["negative_available"])
    out.errors = (
        paced.errors + saturated.errors + floor.errors + len(check["reserved_differs_from_granted"]) + len(drift)
    )
    if out.oversells or out.errors:
        ctx.log(f"  CHECK FAILED: {check}, reserved drift rows {len(drift)}")
    else:
        ctx.log(f"  check: 0 oversells; reserved = granted on all {len(initial)} products; no drift")
    out.figures = [
        Figure(
            "reservations/s, saturated",
            rate,
            "req/s",
            higher_is_better=True,
            floor=floor_rate,
            db_limit=ctx.limits.get("db_tps"),
            detail=f"{ctx.clients} clients",
        ),
        Figure("oversells", out.oversells, "", target="0"),
        Figure("errors", out.errors, "", target="0", detail="failed requests, reserved ≠ granted, drift"),
        Figure(
            "queries per reservation",
            ours,
            "queries",
            floor=floor_queries,
            detail="1 line, with its Idempotency-Key, in process; BEGIN and COMMIT included",
        ),
        Figure(
            "CPU per reservation, saturated: server + database",
            round(sum(app_cpu), 2),
            "ms",
            floor=round(sum(floor_cpu), 2),
            detail=f"server {app_cpu[0]} + database {app_cpu[1]} ms (floor {floor_cpu[0]} + {floor_cpu[1]})",
        ),
        Figure("reservation p50, saturated", ss["p50_ms"], "ms", floor=fs["p50_ms"]),
        Figure("reservation p99, saturated", ss["p99_ms"], "ms", floor=fs["p99_ms"]),
        Figure(
            f"paced at {TARGET_RATE:g}/s, scarce stock: answered/s",
            ps["req_per_s"],
            "req/s",
            higher_is_better=True,
            target=f"≥ {TARGET_RATE:g}/s, 0 oversells, 0 errors",
            detail=f"p50 {ps['p50_ms']} ms, p99 {ps['p99_ms']} ms; {paced.ok} granted, {paced.refused} refused",
        ),
    ]
    return out
