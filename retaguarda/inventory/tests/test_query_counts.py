"""What each inventory write route costs in queries: the same for 1 line as for 20, and exactly this much.

The figures are the whole request as the test client sends it (the identity: bearer token, user,
company and departments in one query; the idempotency key when sent). Inside a test every transaction is a savepoint of the test's own, so
a route's BEGIN shows here as SAVEPOINT and RELEASE. A change that moves a figure should say why in
its commit; docs/request-cost.md tells how to keep a route's queries from growing with its lines.
"""

import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

BASE = "/api/v1/inventory"
SIZES = (1, 20)
# A document's number (core.numbering.document_number): PostgreSQL's `nextval`; on SQLite one
# UPDATE ... RETURNING of the series' counter row.
NUMBER = 1
# watch's outbox event and its delivery: one statement on PostgreSQL (core.bulk_insert.insert_together)
OUTBOX = 1 if connection.vendor == "postgresql" else 2
serial = itertools.count(1)


def _send(client, path, body=None, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(BASE + path, json.dumps(body or {}), content_type="application/json", headers=headers)


def queries(client, path, body=None, key=None) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        response = _send(client, path, body, key)
    assert response.status_code in (200, 201), response.content
    return len(ctx.captured_queries), response.json()


@pytest.fixture
def route_api(api):
    api.get(BASE + "/warehouses")  # the token's first use is written once a minute: not part of a route's cost
    return api


@pytest.fixture
def stocked(stock, make_product, make_warehouse):
    """`stocked(n)`: n products with 100 units each in a warehouse, and a second warehouse, fresh per call."""

    def make(n):
        origin, target = make_warehouse(), make_warehouse()
        products = [make_product() for _ in range(n)]
        for p in products:
            stock.receive(p, origin, "100")
        return origin, target, products

    return make


def at_both_sizes(measure) -> list:
    """The cost at 1 line and at 20, after one unmeasured run (the first document of a kind creates its
    number series)."""
    measure(1)
    return [measure(n) for n in SIZES]


def test_a_reservation_costs_the_same_for_1_and_20_lines(route_api, stocked):
    def measure(n):
        warehouse, _other, products = stocked(n)
        lines = [
            {"line": i, "product_id": p.pk, "warehouse_id": warehouse.pk, "quantity": "2"}
            for i, p in enumerate(products, 1)
        ]
        body = {"source_type": "manual.order", "source_id": next(serial), "lines": lines}
        count, created = queries(route_api, "/reservations", body, key=f"reserve-{next(serial)}")
        assert len(created) == n
        return count

    # identity (token, user, company, departments in one), products and stock locations (in one), lock
    # balances, reservations INSERT unless a twin holds the line with the balances UPDATE (one statement on
    # PostgreSQL), the key with its answer (+ the test's SAVEPOINT/RELEASE). SQLite sends the UPDATE on its
    # own, but reads the balances with the products and locations (no row locks to take there).
    assert at_both_sizes(measure) == [7, 7]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's IN lists grow with the lines")
def test_on_postgresql_a_reservation_sends_the_same_statement_texts_for_1_and_20_lines(route_api, stocked):
    """Id lists go as one array parameter (`core.raw_rows.ids_in`) and rows as arrays: each text is the
    same for any number of lines, so a statement prepared on the connection stays prepared."""

    def texts(n):
        warehouse, _other, products = stocked(n)
        lines = [
            {"line": i, "product_id": p.pk, "warehouse_id": warehouse.pk, "quantity": "2"}
            for i, p in enumerate(products, 1)
        ]
        sent = []

        def keep(execute, sql, params, many, context):
            if not sql.startswith(("SAVEPOINT", "RELEASE")):  # the test's own transaction (see the top)
                sent.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(keep):
            response = _send(
                route_api,
                "/reservations",
                {"source_type": "manual.order", "source_id": next(serial), "lines": lines},
                key=f"texts-{next(serial)}",
            )
        assert response.status_code == 201, response.content
        return sent

    one, twenty = at_both_sizes(texts)
    assert len(one) == 5 and one == twenty


def test_releasing_a_document_costs_the_same_for_1_and_20_lines(route_api, stocked):
    def measure(n):
        warehouse, _other, products = stocked(n)
        lines = [
            {"line": i, "product_id": p.pk, "warehouse_id": warehouse.pk, "quantity": "2"}
            for i, p in enumerate(products, 1)
        ]
        source = {"source_type": "manual.order", "source_id": next(serial)}
        _send(route_api, "/reservations", {**source, "lines": lines})
        count, released = queries(route_api, "/reservations/release", source)
        assert len(released) == n
        return count

    assert at_both_sizes(measure) == [8, 8]


@pytest.mark.parametrize("direction", ["in", "out"])
def test_a_manual_move_costs_the_same_for_1_and_20_lines(route_api, stocked, direction):
    def measure(n):
        warehouse, _other, products = stocked(n)
        lines = [
            {"product_id": p.pk, "quantity": "3", "unit_cost": "2.5" if direction == "in" else None} for p in products
        ]
        body = {"warehouse_id": warehouse.pk, "direction": direction, "reason": "Ajuste", "lines": lines}
        count, created = queries(route_api, "/moves", body, key=f"move-{next(serial)}")
        assert len(created["moves"]) == n
        return count

    # 4 of them (3 on PostgreSQL): the entry's timeline event, then watch's trigger of it (the document's
    # company, the outbox event and its delivery), so the stock rules look again at its products.
    assert at_both_sizes(measure) == [26 + NUMBER + OUTBOX] * 2


def test_a_transfer_costs_the_same_for_1_and_20_lines_at_each_step(route_api, stocked):
    def measure(n):
        origin, target, products = stocked(n)
        body = {
            "from_warehouse_id": origin.pk,
            "to_warehouse_id": target.pk,
            "lines": [{"product_id": p.pk, "quantity": "4"} for p in products],
        }
        created, transfer = queries(route_api, "/transfers", body, key=f"transfer-{next(serial)}")
        shipped, _ = queries(route_api, f"/transfers/{transfer['id']}/ship")
        received, done = queries(route_api, f"/transfers/{transfer['id']}/receive")
        assert done["state"] == "received" and len(done["lines"]) == n
        return created, shipped, received

    # Shipping and receiving: 3 each (2 on PostgreSQL) for watch's trigger (the document's company, the outbox
    # event, its delivery).
    assert at_both_sizes(measure) == [(15 + NUMBER, 30 + OUTBOX, 29 + OUTBOX)] * 2


def test_a_count_costs_the_same_for_1_and_20_lines_at_each_step(route_api, stocked):
    def measure(n):
        warehouse, _other, products = stocked(n)
        body = {"warehouse_id": warehouse.pk, "product_ids": [p.pk for p in products]}
        created, count = queries(route_api, "/counts", body, key=f"count-{next(serial)}")
        started, _ = queries(route_api, f"/counts/{count['id']}/start")
        entries = {"entries": [{"product_id": p.pk, "quantity": "97"} for p in products]}
        counted, _ = queries(route_api, f"/counts/{count['id']}/quantities", entries)
        posted, done = queries(route_api, f"/counts/{count['id']}/post")
        assert [line["difference"] for line in done["lines"]] == ["-3"] * n  # quantities without meaningless zeros
        return created, started, counted, posted

    # Posting: 3 (2 on PostgreSQL) for watch's trigger (the document's company, the outbox event, its delivery).
    assert at_both_sizes(measure) == [(14 + NUMBER, 15, 11, 31 + OUTBOX)] * 2
