"""`core.bulk_insert.insert_instances` writes the same rows as `bulk_create` (on the receipt lines, the
model it was written for: decimals of four scales, text, a date, nulls, foreign keys)."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.core.bulk_insert import insert_instances
from retaguarda.purchasing import services
from retaguarda.purchasing.models import ReceiptLine

D = Decimal


def _lines(receipt, products, tag):
    return [
        ReceiptLine(
            receipt=receipt,
            product_id=p.pk,
            quantity=D("1.2345") * (i + 1),
            unit="CX",
            factor=D("12"),
            unit_cost=D("0.0000000001") if i % 2 else D("123456789.1234567891"),
            discount=D("0.01"),
            goods_value=D("9999999999.99"),
            stock_quantity=D("14.8140") * (i + 1),
            unit_stock_cost=D("1.000001"),
            lot_code=f"{tag}{i}" if i % 2 else "",
            lot_expiry=date(2031, 12, 31) if i % 2 else None,
            supplier_code="ção-ü",
        )
        for i, p in enumerate(products)
    ]


def test_insert_instances_writes_what_bulk_create_writes(actor, make_product, supplier, warehouse):
    products = [make_product() for _ in range(5)]
    receipt = services.create_receipt(
        services.ReceiptIn(supplier.pk, warehouse.pk, [services.ReceiptLineIn(products[0].pk, D("1"), D("1"))]),
        actor=actor,
    )
    by_django = ReceiptLine.objects.bulk_create(_lines(receipt, products, "A"))
    with CaptureQueriesContext(connection) as queries:
        ours = insert_instances(ReceiptLine, _lines(receipt, products, "A"))
    assert len(queries) == 1
    assert all(line.pk and not line._state.adding for line in ours)
    assert len({line.pk for line in ours + by_django}) == 10

    def read(lines):
        return [
            {k: v for k, v in row.items() if k != "id"}
            for row in ReceiptLine.objects.filter(pk__in=[line.pk for line in lines]).order_by("id").values()
        ]

    assert read(ours) == read(by_django)
    assert read(ours)[1]["lot_expiry"] == date(2031, 12, 31) and read(ours)[0]["order_line_id"] is None
    assert insert_instances(ReceiptLine, []) == []
