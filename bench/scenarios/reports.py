"""reports: the inventory reads on the full ledger (stock valuation, balance list, kardex), each beside one
hand-written SQL query computing the same result (the floor). Times are server-side: the selector
the page calls, in process, with its query count; pages and API routes are added as they land.
"""

import base64
import json
import statistics
import time
from decimal import Decimal

from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from bench import apps
from bench.registry import NOT_LANDED, Figure, Outcome, scenario

PAGE = 50
TARGET = "< 100 ms"


def cursor_after(move_id: int) -> str:
    """The keyset cursor (core.pagination) of a page ordered by id starting after `move_id`."""
    return base64.urlsafe_b64encode(json.dumps([move_id]).encode()).decode().rstrip("=")


def timed(fn, repeats: int) -> tuple[float, int]:
    """Median milliseconds of `repeats` calls after one warm-up, and the queries of one call."""
    fn()
    samples = []
    queries = 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return statistics.median(samples) * 1000, queries


def sql(query: str, params) -> list:
    with connection.cursor() as cur:
        cur.execute(query, params)
        return cur.fetchall()


VALUATION_SQL = """
SELECT b.warehouse_id, SUM(b.on_hand), SUM(b.on_hand * COALESCE(c.average_cost, 0)),
       SUM(CASE WHEN b.on_hand <> 0 THEN 1 ELSE 0 END)
FROM inventory_stockbalance b
JOIN inventory_location l ON l.id = b.location_id AND l.kind = 'internal'
LEFT JOIN inventory_productcost c ON c.product_id = b.product_id
WHERE b.company_id = %s
GROUP BY b.warehouse_id ORDER BY b.warehouse_id"""

BALANCES_SQL = """
SELECT p.sku, p.name, b.product_id, b.warehouse_id,
       SUM(CASE WHEN l.kind = 'internal' THEN b.on_hand ELSE 0 END) AS on_hand,
       SUM(CASE WHEN l.kind = 'internal' THEN b.reserved ELSE 0 END) AS reserved,
       SUM(CASE WHEN l.kind = 'transit' THEN b.on_hand ELSE 0 END) AS in_transit,
       MAX(COALESCE(c.average_cost, 0)) AS average_cost
FROM inventory_stockbalance b
JOIN inventory_location l ON l.id = b.location_id
JOIN catalog_product p ON p.id = b.product_id
LEFT JOIN inventory_productcost c ON c.product_id = b.product_id
WHERE b.company_id = %s
GROUP BY p.sku, p.name, b.product_id, b.warehouse_id
HAVING SUM(b.on_hand) <> 0 OR SUM(b.reserved) <> 0
ORDER BY p.sku, b.product_id, b.warehouse_id
LIMIT %s"""

SIGNED = """CASE WHEN to_location_id = %(s)s AND from_location_id <> %(s)s THEN quantity
                 WHEN from_location_id = %(s)s AND to_location_id <> %(s)s THEN -quantity ELSE 0 END"""

# The last closed period whose moves all precede the page (`ids_in_order`): its snapshot is the
# opening, plus the moves between its last id and the page, as the selector reads it.
LAST_PERIOD_BEFORE_MOVE = """
    SELECT period_end, last_move_id FROM inventory_stockperiod
    WHERE company_id = %(company)s AND last_move_id <= %(after)s AND ids_in_order
    ORDER BY period_end DESC LIMIT 1"""

KARDEX_SQL = f"""
WITH per AS ({LAST_PERIOD_BEFORE_MOVE}),
page AS (
    SELECT id, created_at, from_location_id, to_location_id, quantity, unit_cost, {SIGNED} AS signed
    FROM inventory_stockmove
    WHERE company_id = %(company)s AND product_id = %(product)s AND (to_location_id = %(s)s OR from_location_id = %(s)s)
      AND id > %(after)s
    ORDER BY id LIMIT %(limit)s)
SELECT page.*,
       COALESCE((SELECT SUM(on_hand) FROM inventory_stocksnapshot
                 WHERE company_id = %(company)s AND product_id = %(product)s AND location_id = %(s)s
                   AND period_end = (SELECT period_end FROM per)), 0)
       + (SELECT COALESCE(SUM({SIGNED}), 0) FROM inventory_stockmove
          WHERE company_id = %(company)s AND product_id = %(product)s AND (to_location_id = %(s)s OR from_location_id = %(s)s)
            AND id > COALESCE((SELECT last_move_id FROM per), 0) AND id <= %(after)s)
       + SUM(signed) OVER (ORDER BY id) AS running
FROM page ORDER BY id"""


# Balances at a date: the snapshot of the last period closed by that day plus the moves since.
PAST_SQL = f"""
WITH per AS (
    SELECT period_end, last_move_id FROM inventory_stockperiod
    WHERE company_id = %(company)s AND period_end <= %(day)s ORDER BY period_end DESC LIMIT 1),
quantities AS (
    SELECT product_id, on_hand AS q FROM inventory_stocksnapshot
    WHERE company_id = %(company)s AND location_id = %(s)s AND period_end = (SELECT period_end FROM per)
    UNION ALL
    SELECT product_id, {SIGNED} AS q FROM inventory_stockmove
    WHERE company_id = %(company)s AND id > COALESCE((SELECT last_move_id FROM per), 0) AND created_at <= %(at)s
      AND (to_location_id = %(s)s OR from_location_id = %(s)s))
SELECT p.sku, x.product_id, SUM(x.q) AS on_hand
FROM quantities x JOIN catalog_product p ON p.id = x.product_id
GROUP BY p.sku, x.product_id
HAVING SUM(x.q) <> 0
ORDER BY p.sku, x.product_id
LIMIT %(limit)s"""


@scenario("reports", "stock valuation, balance list and kardex pages on the full ledger, beside one SQL query each")
def run(ctx) -> Outcome:
    if not apps.inventory_ready() or ctx.dataset.stock is None:
        return Outcome(status=NOT_LANDED, note="needs inventory")
    from retaguarda.inventory import selectors
    from retaguarda.inventory.models import StockMove

    company, st = ctx.dataset.company, ctx.dataset.stock
    repeats = 3 if ctx.quick else 5
    # The busiest product (the seeded ledger is skewed) and a typical one (the median move count).
    by_product = list(
        StockMove.objects.filter(company=company)
        .values("product_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n", "product_id")
        .values_list("product_id", "n")
    )
    busiest, typical = by_product[0], by_product[len(by_product) // 2]
    items = [
        (
            "stock valuation",
            lambda: selectors.valuation(company),
            ("inventory:valuation", (), ""),
            "/api/v1/inventory/valuation",
            lambda: sql(VALUATION_SQL, [company.pk]),
        ),
        (
            "balance list, first page",
            lambda: selectors.balances(company, limit=PAGE),
            ("inventory:balances", (), ""),
            f"/api/v1/inventory/balances?limit={PAGE}",
            lambda: sql(BALANCES_SQL, [company.pk, PAGE + 1]),
        ),
        past_balances_item(ctx),
        *kardex_items(ctx, "busiest product", *busiest, first_page=True),
        *kardex_items(ctx, "typical product", *typical, first_page=False),
    ]
    web, api = clients(ctx)
    out = Outcome(details={"moves": st.moves, "busiest": busiest, "typical": typical})
    for label, selector, page, api_path, floor in items:
        floor_ms, _ = timed(floor, repeats)
        sel_ms, sel_q = timed(selector, repeats)
        detail = {"floor_ms": floor_ms, "selector_ms": sel_ms, "selector_queries": sel_q}
        url = page_url(*page)
        if url is None:
            ctx.log(f"  {label}: selector {sel_ms:,.1f} ms, {sel_q} queries; one SQL query: {floor_ms:,.1f} ms")
            out.figures.append(
                Figure(label, sel_ms, "ms", floor=floor_ms, target=TARGET, detail=f"selector, {sel_q} queries")
            )
            out.details[label] = detail
            continue
        page_ms, page_q, page_status = timed_get(web, url, repeats)
        api_ms, api_q, api_status = timed_get(api, api_path, repeats)
        detail.update(
            page_ms=page_ms,
            page_queries=page_q,
            page_status=page_status,
            api_ms=api_ms,
            api_queries=api_q,
            api_status=api_status,
        )
        out.details[label] = detail
        out.errors += (page_status != 200) + (api_status != 200)
        ctx.log(
            f"  {label}: page {page_ms:,.1f} ms ({page_q} q, HTTP {page_status}), API {api_ms:,.1f} ms ({api_q} q, HTTP {api_status}), "
            f"selector {sel_ms:,.1f} ms; one SQL query {floor_ms:,.1f} ms"
        )
        out.figures.append(
            Figure(f"{label}: page", page_ms, "ms", floor=floor_ms, target=TARGET, detail=f"{page_q} queries")
        )
        out.figures.append(Figure(f"{label}: API", api_ms, "ms", floor=floor_ms, detail=f"{api_q} queries"))
    out.figures.append(empty_layout_page(ctx, web, repeats, out))
    return out


def empty_layout_page(ctx, web, repeats: int, out: Outcome) -> Figure:
    """The pages' fixed cost in this run: a page of the same layout with nothing in it (`bench.layout_urls`),
    through the same middleware and session. Not a floor: the floors stay the hand-written queries."""
    from django.test import override_settings

    from bench.layout_urls import EMPTY_PAGE

    with override_settings(ROOT_URLCONF="bench.layout_urls"):
        ms, queries, status = timed_get(web, EMPTY_PAGE, repeats)
    out.errors += status != 200
    out.details["empty layout page"] = {"page_ms": ms, "page_queries": queries, "page_status": status}
    ctx.log(f"  an empty page of the layout: {ms:,.1f} ms ({queries} q, HTTP {status})")
    return Figure(
        "an empty page of the layout (session, user, menu: every page's fixed cost)",
        ms,
        "ms",
        detail=f"{queries} queries",
    )


def past_balances_item(ctx) -> tuple:
    """Stock at the end of the ledger's first year: the snapshot of the last closed month plus the moves since."""
    import datetime as dt

    from django.utils import timezone

    from bench.stock import FIRST_DAY
    from retaguarda.inventory import selectors

    company, st = ctx.dataset.company, ctx.dataset.stock
    day = (FIRST_DAY + dt.timedelta(days=365)).astimezone(timezone.get_current_timezone()).date()
    at = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    params = {"company": company.pk, "at": at, "day": day, "s": st.stock_location_id, "limit": PAGE + 1}
    rows, _cursor = selectors.balances_at(company, at, warehouse_id=st.warehouse_id, limit=PAGE)
    floor_rows = sql(PAST_SQL, params)[:PAGE]
    if [(b.product.pk, b.on_hand) for b in rows] != [
        (r[1], Decimal(str(r[2])).quantize(b.on_hand)) for r, b in zip(floor_rows, rows, strict=False)
    ]:
        ctx.log(
            "  WARNING: the balances-at-a-date floor query disagrees with the selector: its ratio is not comparable"
        )
    return (
        f"balances on {day:%d/%m/%Y}, first page",
        lambda: selectors.balances_at(company, at, warehouse_id=st.warehouse_id, limit=PAGE),
        ("inventory:balances_at", (), f"date={day:%Y-%m-%d}&warehouse={st.warehouse_id}"),
        f"/api/v1/inventory/balances/at?at={day:%Y-%m-%d}&warehouse_id={st.warehouse_id}&limit={PAGE}",
        lambda: sql(PAST_SQL, params),
    )


def kardex_items(ctx, which: str, product_id: int, moves: int, first_page: bool) -> list[tuple]:
    """The kardex's last page (its opening balance sums every earlier move) and, if asked, its first."""
    from retaguarda.catalog.models import Product
    from retaguarda.inventory import selectors
    from retaguarda.inventory.models import StockMove

    company, st = ctx.dataset.company, ctx.dataset.stock
    product = Product.objects.get(pk=product_id)
    ids = list(
        StockMove.objects.filter(company=company, product=product)
        .order_by("-id")
        .values_list("id", flat=True)[: PAGE + 1]
    )
    last_id = ids[-1] if len(ids) > PAGE else 0
    params = {"company": company.pk, "product": product.pk, "s": st.stock_location_id, "limit": PAGE}
    api = f"/api/v1/inventory/products/{product.pk}/kardex?warehouse_id={st.warehouse_id}&limit={PAGE}"
    page = f"warehouse={st.warehouse_id}"
    pages = [("last page", last_id)] + ([("first page", 0)] if first_page else [])
    items = []
    for name, after in pages:
        cursor = cursor_after(after) if after else None
        items.append(
            (
                f"kardex {name}, {which} ({moves:,} moves)",
                lambda cursor=cursor: selectors.kardex(
                    company, product, warehouse_id=st.warehouse_id, cursor=cursor, limit=PAGE
                ),
                ("inventory:kardex", (product.pk,), f"{page}&cursor={cursor}" if cursor else page),
                f"{api}&cursor={cursor}" if cursor else api,
                lambda after=after: sql(KARDEX_SQL, {**params, "after": after}),
            )
        )
    return items[::-1]


def clients(ctx):
    """A signed-in browser session and a bearer-token API client, both in process (server time only)."""
    from django.test import Client

    web = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)
    web.force_login(ctx.dataset.user)
    api = Client(HTTP_HOST="127.0.0.1", raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {ctx.token()}")
    return web, api


def page_url(name: str, args: tuple, query: str) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    return f"{url}?{query}" if query else url


def timed_get(client, url: str, repeats: int) -> tuple[float, int, int]:
    """Median ms of GET `url` through the whole Django stack (middleware, auth, template or JSON)."""
    statuses = []

    def get():
        statuses.append(client.get(url).status_code)

    ms, queries = timed(get, repeats)
    return ms, queries, statuses[-1]
