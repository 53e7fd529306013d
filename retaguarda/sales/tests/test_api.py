"""The sales API: intake taken once per key and per channel order id, commands, errors, scope."""

import json
import threading

import pytest
from django.db import connection

from retaguarda.core.models import OutboxEvent
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.states import OrderState

from .conftest import cpf

BASE = "/api/v1/sales"


def post(client, path, body, key=None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(BASE + path, json.dumps(body), content_type="application/json", headers=headers)


def intake_body(channel, products, external_id="MLB-1", **extra):
    return {
        "channel_id": channel.pk,
        "external_id": external_id,
        "customer": {"document": cpf(555123), "name": "Ana Lima"},
        "lines": [{"sku": p.sku, "quantity": "1", "unit_price": "25.00"} for p in products],
        **extra,
    }


def test_intake_creates_the_customer_and_confirms_when_asked(api, channel, product, warehouse, stock):
    stock.receive(product, warehouse, "5")

    response = post(api, "/orders?confirm=true", intake_body(channel, [product], freight="7.50"), key="k-1")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == OrderState.CONFIRMED and body["total"] == "32.50"
    line = body["lines"][0]
    assert (line["freight"], line["quantity"], line["unit_price"]) == ("7.50", "1", "25")  # as other apps write them
    assert stock.reserved(product, warehouse) == 1
    # watch's stock rules re-evaluate after the confirmation, as after a confirmation on its own
    changed = OutboxEvent.objects.filter(type="watch.document_changed", payload__document_id=body["id"])
    assert [e.payload["to_state"] for e in changed] == ["confirmed"]


def test_the_same_key_answers_the_same_body_and_another_key_is_refused(api, channel, product):
    first = post(api, "/orders", intake_body(channel, [product]), key="k-1")
    again = post(api, "/orders", intake_body(channel, [product]), key="k-1")
    other = post(api, "/orders", intake_body(channel, [product]), key="k-2")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert other.status_code == 409 and other.json()["code"] == "sales.duplicate_external_id"
    assert other.json()["details"][0]["order_id"] == first.json()["id"]
    assert SalesOrder.objects.count() == 1


def test_unknown_skus_are_one_422_listing_them_all(api, channel, product):
    body = intake_body(channel, [product])
    body["lines"] += [{"sku": "X-1", "quantity": "1"}, {"sku": "X-2", "quantity": "2"}]

    response = post(api, "/orders", body, key="k-unknown")

    assert response.status_code == 422
    assert response.json()["code"] == "sales.unknown_products"
    assert [d["sku"] for d in response.json()["details"]] == ["X-1", "X-2"]


def test_unknown_fields_are_refused(api, channel, product):
    body = intake_body(channel, [product], surprise=1)
    assert post(api, "/orders", body).status_code == 422


def test_a_shortfall_answers_409_and_creates_nothing(api, channel, product):
    response = post(api, "/orders?confirm=true", intake_body(channel, [product]), key="k-short")

    assert response.status_code == 409
    assert response.json()["code"] == "inventory.insufficient_stock"
    assert not SalesOrder.objects.exists()


def test_commands_confirm_and_cancel(api, channel, product, warehouse, stock):
    stock.receive(product, warehouse, "5")
    order = post(api, "/orders", intake_body(channel, [product])).json()

    confirmed = api.post(f"{BASE}/orders/{order['id']}/confirm")
    cancelled = post(api, f"/orders/{order['id']}/cancel", {"reason": "sem interesse"})
    again = api.post(f"{BASE}/orders/{order['id']}/confirm")

    assert confirmed.json()["state"] == "confirmed" and confirmed.json()["allowed"] == ["cancelled", "invoicing"]
    assert cancelled.json()["state"] == "cancelled"
    assert again.status_code == 409 and again.json()["code"] == "core.invalid_transition"
    detail = api.get(f"{BASE}/orders/{order['id']}").json()
    assert [e["to_state"] for e in detail["events"]] == ["draft", "confirmed", "cancelled"]


def test_another_companys_order_and_channel_are_404(api, api_client_for, make_user, make_company, channel, product):
    order = post(api, "/orders", intake_body(channel, [product])).json()
    stranger = api_client_for(make_user("sales", companies=[make_company()]))

    assert stranger.get(f"{BASE}/orders/{order['id']}").status_code == 404
    assert stranger.post(f"{BASE}/orders/{order['id']}/confirm").status_code == 404
    refused = post(stranger, "/orders", intake_body(channel, [product], external_id="Z"))
    assert refused.status_code == 404 and refused.json()["details"][0]["field"] == "channel_id"


def test_the_list_filters_by_state(api, channel, product):
    post(api, "/orders", intake_body(channel, [product], external_id="A"))
    second = post(api, "/orders", intake_body(channel, [product], external_id="B")).json()
    post(api, f"/orders/{second['id']}/cancel", {})

    page = api.get(f"{BASE}/orders?state=cancelled").json()
    assert [o["id"] for o in page["items"]] == [second["id"]]


def test_channels_are_created_and_edited(api, warehouse):
    created = post(
        api,
        "/channels",
        {
            "code": "ml",
            "name": "Mercado Livre",
            "kind": "marketplace",
            "warehouse_id": warehouse.pk,
            "fee_percent": "16.5",
            "fee_fixed": "6.00",
        },
    )
    assert created.status_code == 201, created.content
    channel = created.json()
    assert channel["code"] == "ML" and channel["fee_percent"] == "16.5" and channel["fee_fixed"] == "6.00"

    changed = api.patch(
        f"{BASE}/channels/{channel['id']}",
        json.dumps({"version": channel["version"], "fee_percent": "120"}),
        content_type="application/json",
    )
    assert changed.status_code == 422 and changed.json()["details"][0]["field"] == "fee_percent"


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_one_payload_posted_six_times_at_once_with_one_key_creates_one_order(api, channel, product):
    body = intake_body(channel, [product], external_id="PARALLEL-1")
    barrier = threading.Barrier(6)
    answers: list = [None] * 6

    def run(i):
        try:
            barrier.wait(timeout=30)
            answers[i] = post(api, "/orders", body, key="same-key")
        except Exception as exc:
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert all(not isinstance(a, Exception) for a in answers), answers
    assert {a.status_code for a in answers} == {201}, [a.content for a in answers]
    assert len({json.dumps(a.json(), sort_keys=True) for a in answers}) == 1  # jsonb keeps its own key order
    assert SalesOrder.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.concurrency
def test_one_channel_order_sent_at_once_under_six_keys_creates_one_order(api, channel, product):
    body = intake_body(channel, [product], external_id="PARALLEL-2")
    barrier = threading.Barrier(6)
    answers: list = [None] * 6

    def run(i):
        try:
            barrier.wait(timeout=30)
            answers[i] = post(api, "/orders", body, key=f"key-{i}")
        except Exception as exc:
            answers[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409, 409, 409, 409, 409], [a.content for a in answers]
    assert {a.json()["code"] for a in answers if a.status_code == 409} == {"sales.duplicate_external_id"}
    assert SalesOrder.objects.count() == 1


def test_the_inventory_api_cannot_release_an_orders_stock(api, channel, product, warehouse, stock):
    stock.receive(product, warehouse, "5")
    order = post(api, "/orders?confirm=true", intake_body(channel, [product])).json()

    response = api.post(
        "/api/v1/inventory/reservations/release",
        json.dumps({"source_type": "sales.order", "source_id": order["id"]}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert stock.reserved(product, warehouse) == 1


@pytest.mark.django_db(transaction=True)
def test_a_confirmed_intake_wakes_the_worker_once_from_its_references_query(api, channel, product, warehouse, stock):
    """Each keyed intake is its own transaction: its confirmation's outbox event needs the worker woken. On
    PostgreSQL the wake-up rides on the query that reads the order's references (no statement of its own);
    a wake-up no worker has taken yet is joined, not repeated."""
    from django.test.utils import CaptureQueriesContext
    from django_tasks_db.models import DBTaskResult

    from retaguarda.core.tasks import deliver_outbox

    stock.receive(product, warehouse, "5")
    for n in (1, 2):
        body = intake_body(channel, [product], external_id=f"WAKE-{n}")
        with CaptureQueriesContext(connection) as ctx:
            answer = api.post(
                BASE + "/orders?confirm=true",
                json.dumps(body),
                content_type="application/json",
                headers={"Idempotency-Key": f"wake-{n}"},
            )
        assert answer.status_code == 201, answer.content
        table = DBTaskResult._meta.db_table
        own = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
        written = [q["sql"] for q in ctx.captured_queries if table in q["sql"]]
        if connection.vendor == "postgresql":
            assert not own and len(written) == 1 and "MATERIALIZED" in written[0]
        else:
            assert len(written) == 1
        wake_ups = DBTaskResult.objects.filter(task_path=deliver_outbox.module_path, status="READY")
        assert wake_ups.count() == 1  # the second intake joined the first one's
    assert OutboxEvent.objects.filter(type="watch.document_changed").count() == 2
