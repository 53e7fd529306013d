"""Orders taken, confirmed (stock reserved, all lines or none) and cancelled (stock released)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from retaguarda.core.errors import InvalidTransition, ValidationFailed
from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.finance import services as finance
from retaguarda.inventory.errors import InsufficientStock
from retaguarda.inventory.models import Reservation
from retaguarda.sales import services
from retaguarda.sales.errors import CreditLimitExceeded, CustomerOverdue, DuplicateExternalId, UnknownProducts
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.services import CustomerIn, LineIn, OrderIn
from retaguarda.sales.states import OrderState

from .conftest import D


def test_an_order_numbers_its_lines_and_adds_them_to_the_header(make_order, product, make_product):
    other = make_product()
    order = make_order([(product, "3", "19.90"), (other, "1.5", "10.333")], freight=D("10.00"), discount=D("5.00"))

    lines = list(order.lines.order_by("number"))
    assert [line.number for line in lines] == [1, 2]
    assert lines[0].gross == D("59.70") and lines[1].gross == D("15.50")
    assert sum(line.total for line in lines) == order.total == D("80.20")
    assert sum(line.freight for line in lines) == D("10.00")
    assert sum(line.discount for line in lines) == order.discount_total == D("5.00")
    assert order.number >= 1 and order.state == OrderState.DRAFT


def test_the_channel_price_list_prices_lines_sent_without_a_price(actor, make_channel, customer, make_product):
    from retaguarda.catalog.services import create_price_list

    cheap, plain = make_product(price=D("100")), make_product(price=D("40"))
    price_list = create_price_list(actor=actor, name="Site", items=[{"product_id": cheap.pk, "percentage": D("-10")}])
    channel = make_channel(price_list_id=price_list.pk)

    order = services.create_order(
        OrderIn(
            channel_id=channel.pk,
            customer_id=customer.pk,
            lines=(LineIn(quantity=D(1), sku=cheap.sku), LineIn(quantity=D(2), product_id=plain.pk)),
        ),
        actor=actor,
    )

    assert [line.unit_price for line in order.lines.order_by("number")] == [D("90.00"), D("40.00")]
    assert order.total == D("170.00")


def test_unknown_skus_are_one_error_listing_them_all(actor, channel, customer, product):
    with pytest.raises(UnknownProducts) as caught:
        services.create_order(
            OrderIn(
                channel_id=channel.pk,
                customer_id=customer.pk,
                lines=(
                    LineIn(quantity=D(1), sku="NAO-EXISTE"),
                    LineIn(quantity=D(1), sku=product.sku),
                    LineIn(quantity=D(1), sku="TAMBEM-NAO"),
                ),
            ),
            actor=actor,
        )
    assert caught.value.code == "sales.unknown_products"
    assert [d["sku"] for d in caught.value.details] == ["NAO-EXISTE", "TAMBEM-NAO"]
    assert not SalesOrder.objects.exists()


def test_bad_amounts_are_listed_together_and_nothing_is_saved(actor, channel, customer, product):
    with pytest.raises(ValidationFailed) as caught:
        services.create_order(
            OrderIn(
                channel_id=channel.pk,
                customer_id=customer.pk,
                freight=D("-1"),
                payment_terms="trinta dias",
                lines=(
                    LineIn(quantity=D(0), product_id=product.pk),
                    LineIn(quantity=D("1.00001"), product_id=product.pk),
                ),
            ),
            actor=actor,
        )
    fields = {d["field"] for d in caught.value.details}
    assert fields == {"freight", "payment_terms", "lines.1.quantity", "lines.2.quantity"}
    assert not SalesOrder.objects.exists()


def test_a_discount_larger_than_the_order_is_refused(make_order, product):
    with pytest.raises(ValidationFailed) as caught:
        make_order([(product, "1", "10.00")], discount=D("10.01"))
    assert caught.value.details[0]["field"] == "discount"


def test_a_channel_order_id_is_taken_once(make_order, product):
    first = make_order([(product, "1", "10")], external_id="PED-1")

    with pytest.raises(DuplicateExternalId) as caught:
        make_order([(product, "1", "10")], external_id="PED-1")

    assert caught.value.details[0]["order_id"] == first.pk
    assert SalesOrder.objects.count() == 1


def test_a_new_customer_is_registered_from_the_channel_and_found_the_next_time(actor, channel, product):
    from .conftest import cpf

    document = cpf(987654)
    sent = CustomerIn(document=f"{document[:3]}.{document[3:6]}.{document[6:9]}-{document[9:]}", name="Maria Souza")
    first = services.create_order(
        OrderIn(channel_id=channel.pk, customer=sent, lines=(LineIn(quantity=D(1), product_id=product.pk),)),
        actor=actor,
    )
    second = services.create_order(
        OrderIn(channel_id=channel.pk, customer=sent, lines=(LineIn(quantity=D(1), product_id=product.pk),)),
        actor=actor,
    )
    assert first.customer_id == second.customer_id
    assert first.customer.document == document and first.customer.is_customer


def test_an_invalid_customer_document_is_refused(actor, channel, product):
    with pytest.raises(ValidationFailed):
        services.create_order(
            OrderIn(
                channel_id=channel.pk,
                customer=CustomerIn(document="123.456.789-00", name="Fulano"),
                lines=(LineIn(quantity=D(1), product_id=product.pk),),
            ),
            actor=actor,
        )
    assert not SalesOrder.objects.exists()


def test_confirming_reserves_every_line_and_cancelling_gives_it_back(actor, make_order, product, warehouse, stock):
    stock.receive(product, warehouse, "10")
    order = make_order([(product, "4", "10")])

    services.confirm_order(order.pk, actor=actor)
    assert stock.reserved(product, warehouse) == D(4)
    assert Reservation.objects.filter(source_type="sales.order", source_id=order.pk, state="active").count() == 1

    services.cancel_order(order.pk, actor=actor, reason="cliente desistiu")
    assert stock.reserved(product, warehouse) == D(0)
    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED and order.cancel_reason == "cliente desistiu"
    events = DocumentEvent.objects.filter(document_type="sales.salesorder", document_id=order.pk).order_by("id")
    assert [e.to_state for e in events] == ["draft", "confirmed", "cancelled"]
    assert set(AuditRecord.objects.filter(object_id=str(order.pk)).values_list("action", flat=True)) >= {
        "created",
        "confirmed",
        "cancelled",
    }


def test_a_shortfall_reserves_nothing_and_lists_every_product_short(
    actor, make_order, product, make_product, warehouse, stock
):
    enough, short = make_product(), make_product()
    for p, qty in ((product, "1"), (enough, "10"), (short, "2")):
        stock.receive(p, warehouse, qty)
    order = make_order([(enough, "5", "1"), (product, "3", "1"), (short, "3", "1")])

    with pytest.raises(InsufficientStock) as caught:
        services.confirm_order(order.pk, actor=actor)

    assert {d["sku"] for d in caught.value.details} == {product.sku, short.sku}
    assert stock.reserved(enough, warehouse) == D(0)
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_the_credit_limit_counts_open_receivables_and_orders_waiting(
    actor, make_order, make_customer, product, warehouse, stock
):
    stock.receive(product, warehouse, "100")
    customer = make_customer(credit_limit="100.00")
    first = make_order([(product, "6", "10")], customer=customer)
    services.confirm_order(first.pk, actor=actor)
    second = make_order([(product, "5", "10")], customer=customer)

    with pytest.raises(CreditLimitExceeded):
        services.confirm_order(second.pk, actor=actor)
    assert stock.reserved(product, warehouse) == D(6)


def test_a_cancelled_order_cannot_be_confirmed(actor, make_order, product):
    order = make_order([(product, "1", "1")])
    services.cancel_order(order.pk, actor=actor)
    with pytest.raises(InvalidTransition):
        services.confirm_order(order.pk, actor=actor)


def test_another_companys_order_is_not_found(make_order, product, make_company, admin_user):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.core.errors import NotFound

    order = make_order([(product, "1", "1")])
    other = make_company()
    admin_user.companies.add(other)
    with pytest.raises(NotFound):
        services.confirm_order(order.pk, actor=Actor(admin_user, Origin.CLI, other.pk))


def test_only_sales_may_release_or_issue_what_an_order_holds(actor, make_order, product, warehouse, stock):
    from retaguarda.inventory import services as inventory
    from retaguarda.inventory.errors import ReservationOwned

    stock.receive(product, warehouse, "5")
    order = make_order([(product, "2", "10")])
    services.confirm_order(order.pk, actor=actor)

    with pytest.raises(ReservationOwned):
        inventory.release(services.source_of(order), actor=actor, whole_document=True)
    with pytest.raises(ReservationOwned):
        inventory.consume(services.source_of(order), actor=actor, whole_document=True)
    assert stock.reserved(product, warehouse) == D(2)


def test_a_customer_under_credit_control_with_an_overdue_installment_is_not_confirmed(
    actor, make_order, make_customer, product, warehouse, stock, web
):
    stock.receive(product, warehouse, "100")
    finance.ensure_chart(actor.company_id)
    late = make_customer(credit_limit="5000.00")
    today = timezone.localdate()
    finance.create_title(
        actor=actor,
        kind="receivable",
        category_role="sales",
        party_id=late.pk,
        issue_date=today - timedelta(days=40),
        installments=[
            finance.InstallmentIn(today - timedelta(days=10), D("150.00")),
            finance.InstallmentIn(today + timedelta(days=20), D("150.00")),
        ],
    )
    order = make_order([(product, "1", "10")], customer=late)

    page = web.get(f"/vendas/{order.pk}/").content.decode()
    assert "R$\xa0300,00" in page and "em atraso R$\xa0150,00" in page  # open, then overdue
    with pytest.raises(CustomerOverdue) as refused:
        services.confirm_order(order.pk, actor=actor)
    assert "R$ 150,00" in refused.value.message and refused.value.code == "sales.customer_overdue"
    assert stock.reserved(product, warehouse) == D(0)

    free = make_customer()  # no limit set: no credit control
    finance.create_title(
        actor=actor,
        kind="receivable",
        category_role="sales",
        party_id=free.pk,
        issue_date=today - timedelta(days=40),
        installments=[finance.InstallmentIn(today - timedelta(days=10), D("99.00"))],
    )
    assert services.confirm_order(make_order([(product, "1", "10")], customer=free).pk, actor=actor).state == (
        OrderState.CONFIRMED
    )


def test_an_order_of_a_thousand_lines_is_confirmed_in_one_go(
    actor, make_order, product, make_product, warehouse, stock
):
    other = make_product()
    stock.receive(product, warehouse, "5000")
    stock.receive(other, warehouse, "5000")
    order = make_order([(product if n % 2 else other, "2", "1.99") for n in range(1000)])

    services.confirm_order(order.pk, actor=actor)

    assert Reservation.objects.filter(source_id=order.pk).count() == 1000
    assert stock.reserved(product, warehouse) == stock.reserved(other, warehouse) == D(1000)


def test_a_new_orders_lines_answer_without_a_query_and_its_queries_stay_its_own(make_order, product, make_product):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    other = make_product()
    make_order([(product, "1", "5.00"), (other, "2", "3.00")])  # another order's lines, never in the first's
    order = make_order([(product, "3", "10.00"), (other, "1", "1.00")])
    with CaptureQueriesContext(connection) as ctx:
        lines = list(order.lines.all())
    assert not ctx.captured_queries and [line.number for line in lines] == [1, 2]
    assert order.lines.count() == 2  # the order's filter, built when asked for
    assert order.lines.filter(number=1).get().quantity == D("3")
