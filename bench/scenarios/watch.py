"""watch: a full evaluation of every registered rule over the seeded company (1,000,000 stock moves and the
finance seed at scale 1): the first run, which opens the occurrences, and a steady run, which finds the same
problems and changes nothing; both beside the rules' own queries alone (the floor: what any evaluation must
read), so the ratio is the cost of keeping occurrences.

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
    errors = int(first.opened != found) + int(steady.opened + steady.reopened + steady.resolved != 0)
    ctx.log(
        f"  {len(chosen)} rules, {found} findings: rules alone {floor_ms:,.0f} ms ({floor_q} q); "
        f"first run {first_ms:,.0f} ms ({first_q} q, {first.opened} opened); "
        f"steady {steady_ms:,.0f} ms ({steady_q} q, {steady.refreshed} refreshed)"
    )
    return Outcome(
        note="the event-driven evaluation (after one order confirmation) waits on sales and inventory events",
        errors=errors,
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
        ],
        details={
            "rules": [rule.code for rule, _params in chosen],
            "findings": found,
            "occurrences": Occurrence.objects.filter(company=company).count(),
            "floor_queries": floor_q,
            "first_queries": first_q,
            "steady_queries": steady_q,
        },
    )
