"""The intake's answer, written by hand (`sales.answers`), is what `OrderOut` would write."""

import json
from datetime import date

from ninja.responses import NinjaJSONEncoder

from retaguarda.sales import services
from retaguarda.sales.answers import order_answer
from retaguarda.sales.schemas import OrderOut
from retaguarda.sales.services import LineIn, OrderIn
from retaguarda.sales.tests.conftest import D


def _as_schema_writes(order) -> dict:
    return json.loads(json.dumps(OrderOut.from_orm(order).model_dump(), cls=NinjaJSONEncoder))


def test_order_answer_is_the_schemas(actor, channel, customer, make_product, stock, warehouse):
    products = [make_product() for _ in range(3)]
    for p in products:
        stock.receive(p, warehouse, "50")
    prices = ("10.1234567", "3", "0.3333333333")
    for confirm, promised in ((False, None), (True, date(2030, 2, 28))):
        order = services.create_order(
            OrderIn(
                channel_id=channel.pk,
                customer_id=customer.pk,
                external_id=f"ANS-{confirm}",
                lines=tuple(
                    LineIn(quantity=D(q), product_id=p.pk, unit_price=D(price), discount=D(disc))
                    for p, q, price, disc in zip(
                        products, ("2.5", "1", "7.125"), prices, ("0.10", "0", "0"), strict=True
                    )
                ),
                discount=D("1.01"),
                freight=D("12.9"),
                insurance=D("0.07"),
                payment_terms="30/60",
                promised_ship_date=promised,
                notes="Entregar à tarde",
            ),
            actor=actor,
            confirm=confirm,
        )
        body = json.loads(order_answer(order, 201).content)
        assert body == _as_schema_writes(order)
        assert body["lines"][0]["unit_price"] == "10.1234567" and body["freight"] == "12.90"
        assert body["state"] == ("confirmed" if confirm else "draft") and body["allowed"]
        assert body["promised_ship_date"] == (promised.isoformat() if promised else None)
