"""Requests, orders and receipts: the rules a buyer and the stock rely on."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from retaguarda.companies.models import TaxRegime
from retaguarda.core.errors import InvalidTransition, ValidationFailed
from retaguarda.core.models import DocumentEvent, OutboxEvent
from retaguarda.finance.models import Title
from retaguarda.inventory.models import ProductCost, StockMove
from retaguarda.purchasing import services
from retaguarda.purchasing.errors import InstallmentsMismatch, OverReceipt
from retaguarda.purchasing.models import PurchaseOrder, Receipt
from retaguarda.purchasing.services import (
    Charges,
    InstallmentIn,
    OrderIn,
    OrderLineIn,
    ReceiptIn,
    ReceiptLineIn,
    RequestLineIn,
)
from retaguarda.purchasing.states import OrderState, ReceiptState, RequestState

D = Decimal


def order_for(actor, supplier, warehouse, lines, **extra):
    return services.create_order(OrderIn(supplier.pk, warehouse.pk, lines, **extra), actor=actor)


def test_a_request_is_approved_and_becomes_ordered_when_an_order_takes_it(actor, make_product, supplier, warehouse):
    product = make_product()
    request = services.create_request(actor=actor, lines=[RequestLineIn(product.pk, D("24"))], reason="Acabando")
    assert request.state == RequestState.PENDING
    services.approve_request(request.pk, actor=actor)
    line = request.lines.get()

    order_for(actor, supplier, warehouse, [OrderLineIn(product.pk, D("2"), D("30"), request_line_id=line.pk)])

    request.refresh_from_db()
    assert request.state == RequestState.ORDERED
    states = list(
        DocumentEvent.objects.filter(document_type="purchasing.purchaserequest", document_id=request.pk)
        .order_by("id")
        .values_list("to_state", flat=True)
    )
    assert states == ["pending", "approved", "ordered"]


def test_rejecting_needs_a_reason_and_a_rejected_request_cannot_be_ordered(actor, make_product, supplier, warehouse):
    product = make_product()
    request = services.create_request(actor=actor, lines=[RequestLineIn(product.pk, D("1"))], reason="Teste")
    with pytest.raises(ValidationFailed):
        services.reject_request(request.pk, actor=actor, note="  ")
    services.reject_request(request.pk, actor=actor, note="Temos em outro depósito")

    with pytest.raises(ValidationFailed) as err:
        order_for(
            actor,
            supplier,
            warehouse,
            [OrderLineIn(product.pk, D("1"), D("1"), request_line_id=request.lines.get().pk)],
        )
    assert err.value.details[0]["field"] == "lines.0.request_line_id"


def test_an_order_line_keeps_its_purchase_unit_and_conversion_and_the_header_adds_the_lines(
    actor, make_product, supplier, warehouse
):
    box = make_product(purchase_unit="CX", purchase_factor=D("12"))
    other = make_product()
    order = order_for(
        actor,
        supplier,
        warehouse,
        [
            OrderLineIn(box.pk, D("3"), D("33.3333333333"), discount=D("5.00"), ipi=D("10.00"), icms_st=D("2.50")),
            OrderLineIn(other.pk, D("1"), D("10")),
        ],
        charges=Charges(freight=D("15.00")),
    )
    line = order.lines.get(product=box)
    assert (line.unit, line.factor) == ("CX", D("12"))
    assert order.goods_total == D("100.00") + D("10.00")
    assert order.total == D("110.00") - D("5.00") + D("10.00") + D("2.50") + D("15.00")
    assert order.payment_terms == "30/60/90"  # the supplier's
    assert order.expected_date == timezone.localdate() + timedelta(days=7)  # the supplier's lead time


def test_every_problem_of_an_order_is_listed_at_once(actor, make_product, make_supplier, make_company, warehouse):
    foreign = make_supplier(company=make_company())
    product = make_product()
    with pytest.raises(ValidationFailed) as err:
        order_for(
            actor,
            foreign,
            warehouse,
            [OrderLineIn(product.pk, D("0"), D("-1")), OrderLineIn(999999, D("1"), D("1"), discount=D("5"))],
            payment_terms="60/30",
        )
    fields = {d["field"] for d in err.value.details}
    assert {"supplier_id", "lines.0.quantity", "lines.0.unit_cost", "lines.1.product_id", "payment_terms"} <= fields
    assert not PurchaseOrder.objects.exists()


def test_sending_an_order_emits_its_event_and_a_sent_order_can_still_be_cancelled(
    actor, make_product, supplier, warehouse
):
    order = order_for(actor, supplier, warehouse, [OrderLineIn(make_product().pk, D("1"), D("1"))])
    services.send_order(order.pk, actor=actor)
    assert OutboxEvent.objects.filter(type="purchasing.order.sent", payload__order_id=order.pk).exists()
    with pytest.raises(InvalidTransition):
        services.send_order(order.pk, actor=actor)
    services.cancel_order(order.pk, actor=actor, reason="Fornecedor sem estoque")
    assert PurchaseOrder.objects.get(pk=order.pk).state == OrderState.CANCELLED


def test_partial_receipts_move_the_order_to_partially_received_then_received(
    actor, make_product, supplier, warehouse, stock
):
    box = make_product(purchase_unit="CX", purchase_factor=D("12"))
    order = order_for(actor, supplier, warehouse, [OrderLineIn(box.pk, D("10"), D("120"))])
    services.send_order(order.pk, actor=actor)
    (line,) = services.lines_from_orders(actor, [order.pk])

    first = services.create_receipt(
        ReceiptIn(supplier.pk, warehouse.pk, [ReceiptLineIn(**{**line.__dict__, "quantity": D("4")})]), actor=actor
    )
    services.post_receipt(first.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == OrderState.PARTIALLY_RECEIVED
    assert stock.on_hand(box, warehouse) == D("48")  # 4 boxes of 12

    (rest,) = services.lines_from_orders(actor, [order.pk])
    assert rest.quantity == D("6")
    second = services.create_receipt(ReceiptIn(supplier.pk, warehouse.pk, [rest]), actor=actor)
    services.post_receipt(second.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == OrderState.RECEIVED
    assert order.lines.get().received_quantity == D("10")
    assert stock.on_hand(box, warehouse) == D("120")
    assert ProductCost.objects.get(product=box).average_cost == D("10")  # R$ 120 a box of 12


def test_the_first_receipt_of_an_order_brings_its_charges_and_later_ones_do_not(
    actor, make_product, supplier, warehouse
):
    product = make_product()
    order = order_for(
        actor, supplier, warehouse, [OrderLineIn(product.pk, D("10"), D("2"))], charges=Charges(freight=D("6.00"))
    )
    assert services.charges_from_orders(actor, [order.pk]) == Charges()  # a draft is not receivable
    services.send_order(order.pk, actor=actor)
    assert services.charges_from_orders(actor, [order.pk]) == Charges(freight=D("6.00"))
    (line,) = services.lines_from_orders(actor, [order.pk])
    first = services.create_receipt(
        ReceiptIn(
            supplier.pk,
            warehouse.pk,
            [ReceiptLineIn(**{**line.__dict__, "quantity": D("4")})],
            charges=services.charges_from_orders(actor, [order.pk]),
        ),
        actor=actor,
    )
    assert first.total == D("14.00")  # 4 x 2 + the order's freight
    services.post_receipt(first.pk, actor=actor)
    assert services.charges_from_orders(actor, [order.pk]) == Charges()


def test_receiving_more_than_is_open_is_refused_and_nothing_moves(actor, make_product, supplier, warehouse):
    product = make_product()
    order = order_for(actor, supplier, warehouse, [OrderLineIn(product.pk, D("5"), D("2"))])
    services.send_order(order.pk, actor=actor)
    line = order.lines.get()
    receipt = services.create_receipt(
        ReceiptIn(supplier.pk, warehouse.pk, [ReceiptLineIn(product.pk, D("6"), D("2"), order_line_id=line.pk)]),
        actor=actor,
    )
    with pytest.raises(OverReceipt):
        services.post_receipt(receipt.pk, actor=actor)
    assert Receipt.objects.get(pk=receipt.pk).state == ReceiptState.DRAFT
    assert not StockMove.objects.exists()
    assert not Title.objects.filter(source_type=Receipt.SOURCE).exists()


def test_freight_and_ipi_on_three_lines_spread_exactly(actor, make_product, supplier, warehouse):
    a, b, c = make_product(), make_product(), make_product()
    receipt = services.create_receipt(
        ReceiptIn(
            supplier.pk,
            warehouse.pk,
            [
                ReceiptLineIn(a.pk, D("1"), D("100"), ipi=D("5.00")),
                ReceiptLineIn(b.pk, D("1"), D("100"), ipi=D("5.00")),
                ReceiptLineIn(c.pk, D("1"), D("100"), ipi=D("5.00")),
            ],
            charges=Charges(freight=D("10.00")),
        ),
        actor=actor,
    )
    lines = list(receipt.lines.order_by("id"))
    assert [line.freight_share for line in lines] == [D("3.34"), D("3.33"), D("3.33")]
    assert [line.landed_total for line in lines] == [D("108.34"), D("108.33"), D("108.33")]
    assert sum(line.landed_total for line in lines) == receipt.total == D("325.00")
    services.post_receipt(receipt.pk, actor=actor)
    assert ProductCost.objects.get(product=a).average_cost == D("108.34")


def test_recoverable_credits_stay_out_of_cost_only_in_the_regime_normal(
    actor, company, make_product, supplier, warehouse
):
    product = make_product()
    line = ReceiptLineIn(
        product.pk, D("10"), D("10"), icms_credit=D("18.00"), pis_credit=D("1.65"), cofins_credit=D("7.60")
    )
    simples = services.create_receipt(ReceiptIn(supplier.pk, warehouse.pk, [line]), actor=actor)
    assert (simples.total, simples.cost_total) == (D("100.00"), D("100.00"))

    company.tax_regime = TaxRegime.NORMAL
    company.save(update_fields=["tax_regime"])
    normal = services.create_receipt(ReceiptIn(supplier.pk, warehouse.pk, [line]), actor=actor)
    assert (normal.total, normal.cost_total, normal.credits_total) == (D("100.00"), D("72.75"), D("27.25"))
    assert normal.lines.get().unit_stock_cost == D("7.275")


def test_posting_creates_the_payable_with_the_installments_of_the_terms(actor, make_product, supplier, warehouse):
    receipt = services.create_receipt(
        ReceiptIn(
            supplier.pk, warehouse.pk, [ReceiptLineIn(make_product().pk, D("1"), D("100"))], invoice_number="123"
        ),
        actor=actor,
    )
    services.post_receipt(receipt.pk, actor=actor)
    receipt.refresh_from_db()
    title = receipt.title
    assert (title.kind, title.party_id, title.amount) == ("payable", supplier.pk, D("100.00"))
    today = timezone.localdate()
    assert [(i.due_date, i.amount) for i in title.installments.order_by("due_date")] == [
        (today + timedelta(days=30), D("33.34")),
        (today + timedelta(days=60), D("33.33")),
        (today + timedelta(days=90), D("33.33")),
    ]


def test_given_installments_must_add_up_to_the_total(actor, make_product, supplier, warehouse):
    day = timezone.localdate() + timedelta(days=10)
    with pytest.raises(InstallmentsMismatch):
        services.create_receipt(
            ReceiptIn(
                supplier.pk,
                warehouse.pk,
                [ReceiptLineIn(make_product().pk, D("1"), D("100"))],
                installments=[InstallmentIn(day, D("99.99"))],
            ),
            actor=actor,
        )
    assert not Receipt.objects.exists()


def test_a_draft_receipt_can_be_cancelled_but_a_posted_one_cannot(actor, make_product, supplier, warehouse):
    make = lambda: services.create_receipt(  # noqa: E731
        ReceiptIn(supplier.pk, warehouse.pk, [ReceiptLineIn(make_product().pk, D("1"), D("1"))]), actor=actor
    )
    draft, posted = make(), make()
    services.cancel_receipt(draft.pk, actor=actor)
    services.post_receipt(posted.pk, actor=actor)
    with pytest.raises(InvalidTransition):
        services.cancel_receipt(posted.pk, actor=actor)


def test_another_companys_receipt_is_not_found(actor, make_company, make_user, make_product, supplier, warehouse):
    from retaguarda.core.actor import Actor
    from retaguarda.core.errors import NotFound

    receipt = services.create_receipt(
        ReceiptIn(supplier.pk, warehouse.pk, [ReceiptLineIn(make_product().pk, D("1"), D("1"))]), actor=actor
    )
    other = Actor(actor.user, actor.origin, make_company().pk)
    with pytest.raises(NotFound):
        services.post_receipt(receipt.pk, actor=other)


def test_a_sent_order_is_mailed_once_to_the_supplier_with_its_pdf(actor, make_product, supplier, warehouse, mailoutbox):
    from retaguarda.core import outbox

    supplier.email = "vendas@fornecedor.com.br"
    supplier.save(update_fields=["email"])
    order = order_for(
        actor, supplier, warehouse, [OrderLineIn(make_product(name="Caneca São João").pk, D("1.5"), D("10"))]
    )
    services.send_order(order.pk, actor=actor)
    outbox.deliver_due()
    outbox.deliver_due()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["vendas@fornecedor.com.br"] and str(order.number) in message.subject
    name, content, mimetype = message.attachments[0]
    assert (name, mimetype) == (f"pedido-{order.number}.pdf", "application/pdf") and content.startswith(b"%PDF")
    assert PurchaseOrder.objects.get(pk=order.pk).mailed_at is not None
