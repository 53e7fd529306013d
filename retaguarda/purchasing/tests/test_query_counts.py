"""A purchasing command runs the same number of queries for 1 line as for 20."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from retaguarda.purchasing import services
from retaguarda.purchasing.services import Charges, OrderIn, OrderLineIn, ReceiptIn

D = Decimal


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_ordering_and_receiving_cost_the_same_queries_at_1_and_20_lines(actor, make_product, supplier, warehouse):
    def measure(n):
        products = [make_product(purchase_unit="CX", purchase_factor=D("6")) for _ in range(n)]
        lines = [OrderLineIn(p.pk, D("2"), D("60"), ipi=D("3.00")) for p in products]
        figures = {}
        order_in = OrderIn(supplier.pk, warehouse.pk, lines, charges=Charges(freight=D("7.00")))
        figures["create_order"] = count(
            lambda: figures.setdefault("order", services.create_order(order_in, actor=actor))
        )
        order = figures.pop("order")
        figures["send_order"] = count(lambda: services.send_order(order.pk, actor=actor))
        receipt_lines = services.lines_from_orders(actor, [order.pk])
        receipt_in = ReceiptIn(supplier.pk, warehouse.pk, receipt_lines, charges=Charges(freight=D("7.00")))
        figures["create_receipt"] = count(
            lambda: figures.setdefault("receipt", services.create_receipt(receipt_in, actor=actor))
        )
        receipt = figures.pop("receipt")
        figures["post_receipt"] = count(lambda: services.post_receipt(receipt.pk, actor=actor))
        return figures

    measure(1)  # the first document of each kind creates its number series and the chart of accounts
    one, twenty = measure(1), measure(20)
    assert one == twenty


def test_an_nfe_import_costs_the_same_queries_at_3_and_30_items(make_company, make_user, make_product, make_warehouse):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.parties.models import Party
    from retaguarda.purchasing.nfe.matching import Answer
    from retaguarda.purchasing.nfe.sample import RECIPIENT, supplier_note
    from retaguarda.purchasing.nfe.services import ConfirmIn, confirm_nfe, import_preview, upload_nfe

    company = make_company(cnpj=RECIPIENT)
    actor = Actor(make_user("purchasing", companies=[company]), Origin.WEB, company.pk)
    warehouse = make_warehouse(company=company)
    Party.objects.create(
        company=company, kind="company", document="75335849000115", legal_name="Fornecedor", is_supplier=True
    )

    def measure(items, number, prefix):
        key, xml = supplier_note(items, number=number, code_prefix=prefix)
        products = [make_product(company=company) for _ in range(items)]
        answers = {n: Answer(p.pk) for n, p in enumerate(products, start=1)}
        figures = {}
        figures["upload"] = count(lambda: figures.setdefault("import", upload_nfe([(f"{key}.xml", xml)], actor=actor)))
        (imported,) = figures.pop("import")
        figures["preview"] = count(lambda: import_preview(imported.pk, actor=actor, answers=answers))
        figures["confirm"] = count(lambda: confirm_nfe(imported.pk, ConfirmIn(warehouse.pk, answers), actor=actor))
        return figures

    measure(2, 1, "W")  # the first receipt creates its number series and the chart of accounts
    assert measure(3, 2, "A") == measure(30, 3, "B")


def test_receiving_lines_with_lots_costs_the_same_queries_at_2_and_12_lines(actor, make_product, supplier, warehouse):
    from retaguarda.purchasing.services import LotIn, ReceiptLineIn

    def measure(n, tag):
        lines = [
            ReceiptLineIn(
                make_product().pk,
                D("3"),
                D("4"),
                lots=(LotIn(f"{tag}{i}A", D("2"), expiry=None), LotIn(f"{tag}{i}B", D("1"))),
            )
            for i in range(n)
        ]
        figures = {}
        receipt_in = ReceiptIn(supplier.pk, warehouse.pk, lines)
        figures["create"] = count(
            lambda: figures.setdefault("receipt", services.create_receipt(receipt_in, actor=actor))
        )
        receipt = figures.pop("receipt")
        figures["post"] = count(lambda: services.post_receipt(receipt.pk, actor=actor))
        return figures

    measure(1, "W")  # number series, chart of accounts
    assert measure(2, "A") == measure(12, "B")
