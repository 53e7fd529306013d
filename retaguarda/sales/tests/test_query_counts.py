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
# A document's new timeline events and audit records: one statement on PostgreSQL (core.bulk_insert.insert_together).
EVENTS_AND_AUDIT = 1 if connection.vendor == "postgresql" else 2
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
    # identity (token, company, departments: one query), key INSERT, channel, products, customer, number, order INSERT,
    # lines INSERT, event INSERT, audit INSERT, key UPDATE + the idempotent route's transaction (the service
    # joins it: no savepoint of its own); on PostgreSQL the events and audit records in one statement
    assert counts == [EVENTS_AND_AUDIT + 11] * 2


def test_taking_and_confirming_an_order_costs_the_same_for_1_and_20_lines(route_api, channel, customer, stocked):
    counts = at_both_sizes(lambda n: _intake(route_api, channel, customer, stocked(n), confirm=True)[0])
    # the above, the order INSERTed confirmed (its two events in one INSERT, its two audit records in
    # another), watch's trigger for the confirmation (outbox event, delivery: the company is the order's,
    # no lookup), then inventory's reservation: products and locations (one query), lock balances,
    # INSERT unless a twin holds a line, balances UPDATE
    assert counts == [EVENTS_AND_AUDIT + 17] * 2


def test_confirming_costs_the_same_for_1_and_20_lines(route_api, channel, customer, stocked):
    def measure(n):
        _count, order = _intake(route_api, channel, customer, stocked(n), confirm=False)
        with CaptureQueriesContext(connection) as ctx:
            response = route_api.post(f"{BASE}/orders/{order['id']}/confirm")
        assert response.status_code == 200, response.content
        return len(ctx.captured_queries)

    counts = at_both_sizes(measure)
    # identity (one query), the order's company check, then the confirmation as above, then the
    # answer: the order and its lines
    assert counts == [20, 20]
