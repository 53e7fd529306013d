"""watch: a full evaluation of every registered rule over the seeded company (1,000,000 stock moves and the
finance seed at scale 1): the first run, which opens the occurrences, and a steady run, which finds the same
problems and changes nothing; both beside the rules' own queries alone (the floor: what any evaluation must
read), so the ratio is the cost of keeping occurrences.

Then the event-driven evaluation: orders confirmed through the sales service, each one's watch event
delivered through the outbox as the worker does (`outbox.deliver`: claim, re-evaluate the triggered rules for
the order's products and balances only, mark done), beside the same rules' scoped queries alone.

The seed gives products no minimum stock; a fifth of them get one here, so the below-minimum rule has
thousands of findings at scale 1 rather than none."""

import statistics
import time
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.registry import NOT_LANDED, Figure, Outcome, scenario
from bench.scenarios.reports import timed

TARGET = "< 10 s (PostgreSQL)"
EVENT_TARGET = "< 50 ms"
ORDERS = 7


def _ready() -> bool:
    from bench import apps

    return apps._has("retaguarda.watch.services", "evaluate") and apps._table("watch.Occurrence")


@scenario("watch", "a full evaluation of every rule (first run and steady), beside the rules' own queries")
def run(ctx) -> Outcome:
    if not _ready():
        return Outcome(status=NOT_LANDED, note="needs watch")
    from retaguarda.catalog.models import Product
    from retaguarda.watch import services
    from retaguarda.watch.models import Occurrence
    from retaguarda.watch.services.run import enabled_rules

    company = ctx.dataset.company
    ids = list(Product.objects.filter(company=company).order_by("pk").values_list("pk", flat=True))
    Product.objects.filter(pk__in=ids[::5]).update(minimum_stock=Decimal(50))
    chosen = enabled_rules(company.pk)
    repeats = 2 if ctx.quick else 3

    def finds() -> int:
        return sum(len(list(rule.find(company.pk, params))) for rule, params in chosen)

    floor_ms, floor_q = timed(finds, repeats)
    found = finds()

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        first = services.evaluate(company.pk)
        first_ms = (time.perf_counter() - started) * 1000
    first_q = len(captured.captured_queries)
    samples, steady_q = [], 0
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            steady = services.evaluate(company.pk)
            samples.append(time.perf_counter() - started)
        steady_q = len(captured.captured_queries)
    steady_ms = statistics.median(samples) * 1000
    # Each morning every overdue installment's day count moves, so the day's first run rewrites the figures
    # of nearly every occurrence: forgetting the fingerprints makes the next run do exactly that.
    Occurrence.objects.filter(company=company).update(fingerprint="")
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        daily = services.evaluate(company.pk)
        daily_ms = (time.perf_counter() - started) * 1000
    daily_q = len(captured.captured_queries)
    errors = int(first.opened != found) + int(steady.opened + steady.reopened + steady.resolved != 0)
    errors += int(daily.refreshed != found)
    ctx.log(
        f"  {len(chosen)} rules, {found} findings: rules alone {floor_ms:,.0f} ms ({floor_q} q); "
        f"first run {first_ms:,.0f} ms ({first_q} q, {first.opened} opened); "
        f"steady {steady_ms:,.0f} ms ({steady_q} q, {steady.refreshed} refreshed); "
        f"every occurrence refreshed {daily_ms:,.0f} ms ({daily_q} q, {daily.refreshed} refreshed)"
    )
    event_figures, event_details = _event_driven(ctx, company, ids[::5])
    return Outcome(
        errors=errors + event_details.pop("errors", 0),
        figures=[
            Figure(
                "full evaluation, first run",
                first_ms,
                "ms",
                floor=floor_ms,
                target=TARGET,
                detail=f"{found} findings, {first.opened} occurrences opened, {first_q} queries",
            ),
            Figure(
                "full evaluation, steady",
                steady_ms,
                "ms",
                floor=floor_ms,
                target=TARGET,
                detail=f"{steady_q} queries, {steady.refreshed} refreshed",
            ),
            Figure(
                "full evaluation, every occurrence refreshed (a morning's first run)",
                daily_ms,
                "ms",
                floor=floor_ms,
                detail=f"{daily_q} queries, {daily.refreshed} refreshed",
            ),
            *event_figures,
        ],
        details={
            "event_driven": event_details,
            "rules": [rule.code for rule, _params in chosen],
            "findings": found,
            "occurrences": Occurrence.objects.filter(company=company).count(),
            "floor_queries": floor_q,
            "first_queries": first_q,
            "steady_queries": steady_q,
            "refresh_all_queries": daily_q,
        },
    )


def _event_driven(ctx, company, watched: list[int]) -> tuple[list[Figure], dict]:
    """Confirm `ORDERS` orders of three products (with a minimum, so below_minimum looks at them) and time
    each watch delivery; the floor is the triggered rules' own scoped reads for the same order. Twice: with
    products priced above their average cost (the usual confirmation: the rules look and change nothing),
    then below it (`sales.below_cost` opens an occurrence for each order: the evaluation writes)."""
    from bench import apps

    if not apps.sales_ready():
        return [], {"skipped": "needs sales"}
    from django.db.models import F

    from retaguarda.core.actor import Actor, Origin
    from retaguarda.inventory.models import StockBalance
    from retaguarda.parties.models import Party
    from retaguarda.sales import services as sales
    from retaguarda.sales.models import SalesChannel

    actor = Actor(ctx.dataset.user, Origin.CLI, company.pk)
    channel = SalesChannel.objects.filter(company=company, code="BW").first() or sales.create_channel(
        actor=actor, code="BW", name="Bench watch", kind="shop", warehouse_id=ctx.dataset.stock.warehouse_id
    )
    customer = Party.objects.filter(pk__in=ctx.dataset.customers, credit_limit=0).order_by("pk").first()
    stocked = StockBalance.objects.filter(company=company, product_id__in=watched, on_hand__gte=10, reserved=0)
    above = stocked.filter(product__price__gt=F("product__stock_cost__average_cost") * 2)
    below = stocked.filter(product__price__lt=F("product__stock_cost__average_cost"))
    figures, details, errors = [], {}, 0
    for label, balances, what in (
        ("", above, "nothing changed"),
        (", an occurrence opened", below, "one occurrence opened per order"),
    ):
        products = list(balances.order_by("product_id").values_list("product_id", flat=True)[: 3 * ORDERS])
        figure, detail = _confirmations(ctx, company, actor, channel, customer, products, label, what)
        errors += detail.pop("errors", 0)
        figures += [figure] if figure else []
        details[what] = detail
    details["errors"] = errors
    return figures, details


def _confirmations(ctx, company, actor, channel, customer, products, label, what):
    from retaguarda.core import outbox
    from retaguarda.core.models import OutboxDelivery
    from retaguarda.sales import services as sales
    from retaguarda.sales.services.inputs import LineIn, OrderIn
    from retaguarda.watch import registry
    from retaguarda.watch.models import Occurrence
    from retaguarda.watch.services.run import enabled_rules
    from retaguarda.watch.triggers import EVENT, evaluate_after_change

    handler = f"{evaluate_after_change.__module__}.{evaluate_after_change.__qualname__}"
    triggered = {r.code: t for r, t in registry.triggered_by("sales.salesorder", "confirmed")}
    chosen = enabled_rules(company.pk, list(triggered))
    samples, floors, queries, errors, found = [], [], 0, 0, 0
    occurrences = Occurrence.objects.filter(company=company).count()
    for n in range(min(ORDERS, len(products) // 3)):
        lines = tuple(LineIn(quantity=Decimal(1), product_id=p) for p in products[3 * n : 3 * n + 3])
        order = sales.create_order(OrderIn(channel_id=channel.pk, customer_id=customer.pk, lines=lines), actor=actor)
        sales.confirm_order(order.pk, actor=actor)
        delivery = (
            OutboxDelivery.objects.filter(handler=handler, event__type=EVENT, state=OutboxDelivery.State.PENDING)
            .order_by("-pk")
            .first()
        )
        if delivery is None or delivery.event.payload.get("document_id") != order.pk:
            errors += 1
            continue

        def scoped_finds(order_id=order.pk) -> int:
            # As the evaluation reads: what the rules of one document's change share is read once.
            with registry.evaluating("sales.salesorder", order_id):
                return sum(
                    len(
                        list(
                            rule.find(
                                company.pk, params, subjects=triggered[rule.code].subject_ids(company.pk, order_id)
                            )
                        )
                    )
                    for rule, params in chosen
                )

        started = time.perf_counter()
        found += scoped_finds()
        floors.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            delivered = outbox.deliver(delivery.pk)
            samples.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
        errors += not delivered
    if not samples:
        return None, {"errors": errors, "skipped": "no order could be confirmed"}
    opened = Occurrence.objects.filter(company=company).count() - occurrences
    # The first of each is the cold one (plans, caches): the median of the rest is the steady figure.
    event_ms = statistics.median(samples[1:] or samples) * 1000
    floor_ms = statistics.median(floors[1:] or floors) * 1000
    ctx.log(
        f"  event-driven, after one order confirmation, {what} ({len(triggered)} rules, {len(samples)} orders, "
        f"{opened} occurrences opened): {event_ms:,.1f} ms ({queries} q), rules' scoped reads alone {floor_ms:,.1f} ms"
    )
    figure = Figure(
        f"event-driven evaluation after one order confirmation{label}",
        event_ms,
        "ms",
        floor=floor_ms,
        target=EVENT_TARGET,
        detail=f"{len(triggered)} rules, 3-line orders, median of {max(1, len(samples) - 1)}, {queries} queries",
    )
    return figure, {
        "orders": len(samples),
        "rules": sorted(triggered),
        "samples_ms": [round(s * 1000, 1) for s in samples],
        "floor_ms": round(floor_ms, 1),
        "queries": queries,
        "findings": found,
        "opened": opened,
        "errors": errors,
    }
