"""The answers written straight to JSON are what the schemas they document would write."""

import json
from datetime import date
from decimal import Decimal

from ninja.responses import NinjaJSONEncoder

from retaguarda.core.api_numbers import write_decimals
from retaguarda.purchasing import services
from retaguarda.purchasing.answers import json_answer, receipt_answer, receipt_body
from retaguarda.purchasing.api import preview_out
from retaguarda.purchasing.nfe.matching import Answer
from retaguarda.purchasing.nfe.services import import_preview, upload_nfe
from retaguarda.purchasing.schemas import NfeImportOut, ReceiptOut
from retaguarda.purchasing.services import Charges, LotIn, OrderIn, OrderLineIn, ReceiptIn, ReceiptLineIn
from retaguarda.purchasing.tests.test_nfe_import import MEDICAL, medical_buyer, new_products, sample  # noqa: F401

D = Decimal


def _as_schema_writes(schema, obj) -> object:
    return json.loads(json.dumps(schema.from_orm(obj).model_dump(), cls=NinjaJSONEncoder))


def test_receipt_answer_is_the_schemas(actor, make_product, supplier, warehouse):
    plain, boxed, lotted = (make_product(purchase_unit="CX", purchase_factor=D("12")) for _ in range(3))
    order = services.create_order(
        OrderIn(supplier.pk, warehouse.pk, [OrderLineIn(boxed.pk, D("2"), D("120.5"), ipi=D("3.10"))]), actor=actor
    )
    services.send_order(order.pk, actor=actor)
    lines = [
        *services.lines_from_orders(actor, [order.pk]),
        ReceiptLineIn(plain.pk, D("3.5"), D("7.123"), unit="UN", factor=D("1"), discount=D("0.50"), lot_code="L1"),
        ReceiptLineIn(
            lotted.pk,
            D("3"),
            D("4"),
            lots=(LotIn("A1", D("2"), expiry=date(2030, 1, 31), manufactured=date(2026, 1, 2)), LotIn("A2", D("1"))),
        ),
    ]
    receipt = services.create_receipt(
        ReceiptIn(supplier.pk, warehouse.pk, lines, charges=Charges(freight=D("10.01")), payment_terms="30/60"),
        actor=actor,
    )
    for state in (receipt, services.post_receipt(receipt.pk, actor=actor)):
        body = json.loads(receipt_answer(state).content)
        assert body == _as_schema_writes(ReceiptOut, state)
        assert body["lines"][2]["lots"][0] == {
            "code": "A1",
            "quantity": "2",
            "expiry": "2030-01-31",
            "manufactured": "2026-01-02",
        }
        assert len(body["installments"]) == 2 and body["events"]
    assert receipt_body(receipt)["lines"][1]["lot_code"] == "L1"


def test_nfe_preview_answer_is_the_schemas(medical_buyer, make_product):  # noqa: F811
    products = new_products(make_product, medical_buyer, 3)
    (imported,) = upload_nfe([(MEDICAL, sample(MEDICAL))], actor=medical_buyer)
    preview = import_preview(imported.pk, actor=medical_buyer, answers={1: Answer(products[0].pk, D("2.5"))})
    written = json.loads(json_answer(write_decimals(preview_out(preview), NfeImportOut)).content)  # as the API does
    schema = json.loads(
        json.dumps(NfeImportOut.model_validate(preview_out(preview)).model_dump(), cls=NinjaJSONEncoder)
    )
    assert written == schema
    assert written["lines"][0]["factor"] == "2.5" and written["issue_date"] == "2018-08-16"
