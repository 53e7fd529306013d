"""What taking and confirming an order costs in queries: the same for 1 line as for 20, and exactly this much.

Measured as the test client sends it (bearer token, company, departments, the idempotency key). Inside a
test every transaction is a savepoint of the test's own, so BEGIN/COMMIT show as SAVEPOINT/RELEASE.
docs/request-cost.md tells how to keep a route's queries from growing with its lines."""

import itertools
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

BASE = "/api/v1/sales"
PG = connection.vendor == "postgresql"
# A new order's rows: on PostgreSQL one statement (core.bulk_insert.insert_together: the order, its lines, its
# timeline events, its audit records and, when confirmed, watch's outbox event and its delivery), the order's
# id taken with its number; on SQLite the order, its lines, its events, its audit records (+ event, delivery).
ORDER_ROWS = 1 if PG else 4
WATCH_ROWS = 0 if PG else 2  # watch's outbox event and delivery, beside the order's rows on SQLite
# The order's number: on PostgreSQL (with the order's id) in the query that reads the channel, the customer and
# the products; on SQLite from its counter row, in the transaction.
NUMBER = 0 if PG else 1
serial = itertools.count(1)


@pytest.fixture
def route_api(api):
    api.get(BASE + "/channels")  # the token's first use is written once a minute: not part of a route's cost
    return api


@pytest.fixture
def stocked(stock, make_product, warehouse):
    def make(n):
        products = [make_product() for _ in range(n)]
        for p in products:
            stock.receive(p, warehouse, "100")
        return products

    return make


def _intake(client, channel, customer, products, confirm: bool) -> tuple[int, dict]:
    body = {
        "channel_id": channel.pk,
        "external_id": f"EXT-{next(serial)}",
        "customer_id": customer.pk,
        "freight": "9.99",
        "lines": [{"sku": p.sku, "quantity": "2", "unit_price": "10.10"} for p in products],
    }
    path = BASE + "/orders" + ("?confirm=true" if confirm else "")
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(
            path, json.dumps(body), content_type="application/json", headers={"Idempotency-Key": f"q-{next(serial)}"}
        )
    assert response.status_code == 201, response.content
    assert len(response.json()["lines"]) == len(products)
    return len(ctx.captured_queries), response.json()


def at_both_sizes(measure) -> list:
    measure(1)  # the first order creates the number series
    return [measure(n) for n in (1, 20)]


def test_taking_an_order_costs_the_same_for_1_and_20_lines(route_api, channel, customer, stocked):
    counts = at_both_sizes(lambda n: _intake(route_api, channel, customer, stocked(n), confirm=False)[0])
    # identity (token, company, departments: one query), the channel, customer and products (one query), the
    # number, the order's rows, the key with its answer + the idempotent route's transaction (the service joins
    # it: no savepoint of its own)
    assert counts == [ORDER_ROWS + NUMBER + 5] * 2


def test_taking_and_confirming_an_order_costs_the_same_for_1_and_20_lines(route_api, channel, customer, stocked):
    counts = at_both_sizes(lambda n: _intake(route_api, channel, customer, stocked(n), confirm=True)[0])
    # the above, the order INSERTed confirmed (its two events, its two audit records) with watch's trigger for
    # the confirmation (outbox event, delivery: the company is the order's, no lookup), then inventory's
    # reservation: lock balances (on PostgreSQL in the order's rows' statement), INSERT unless a twin holds a
    # line with the balances UPDATE (one statement on PostgreSQL); its products and the warehouse's stock
    # location came with the order's references. (The worker's wake-up, one per transaction, was written by
    # the test's first order.)
    assert counts == [ORDER_ROWS + WATCH_ROWS + NUMBER + (6 if PG else 8)] * 2


def test_confirming_costs_the_same_for_1_and_20_lines(route_api, channel, customer, stocked):
    def measure(n):
        _count, order = _intake(route_api, channel, customer, stocked(n), confirm=False)
        with CaptureQueriesContext(connection) as ctx:
            response = route_api.post(f"{BASE}/orders/{order['id']}/confirm")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    counts = at_both_sizes(measure)
    # identity (one query), the order's company check, then the confirmation as above (watch's outbox event
    # and its delivery in one statement on PostgreSQL, the reservations with their balances too; on SQLite the
    # balance rows come with the products and the stock location, no lock of their own), then the answer: the
    # order and its lines
    assert counts == [18 if PG else 19] * 2
