"""Invoicing end to end against the local fake SEFAZ (real TLS): the note is built, queued, sent and
authorized through the outbox; then the reservation becomes a stock issue at average cost, the CMV is
posted and the receivable has the payment terms' installments."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from retaguarda.finance.models import Installment, JournalEntry, Title
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory.models import Reservation, StockMove
from retaguarda.sales import services
from retaguarda.sales.errors import NotInvoiceable  # noqa: F401
from retaguarda.sales.states import OrderState

from .conftest import D, deliver_all, invoiced_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_order_goes_from_confirmation_to_an_authorized_note_stock_issue_cmv_and_receivable(
    fiscal_ready, actor, make_order, product, make_product, warehouse, stock
):
    other = make_product()
    stock.receive(product, warehouse, "10", cost="4.00")
    stock.receive(other, warehouse, "10", cost="2.50")
    order = make_order(
        [(product, "3", "19.90"), (other, "2", "7.00")], freight=D("10.00"), discount=D("1.00"), payment_terms="30/60"
    )
    services.confirm_order(order.pk, actor=actor)

    services.invoice_order(order.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == OrderState.INVOICING
    note = FiscalDocument.objects.get(source_type="sales.order", source_id=order.pk)
    assert note.state == DocumentState.QUEUED and note.model == 55

    deliver_all()

    note.refresh_from_db()
    order.refresh_from_db()
    assert note.state == DocumentState.AUTHORIZED
    assert order.state == OrderState.INVOICED
    assert note.total == order.total == D("82.70")
    issued = StockMove.objects.filter(source_type="sales.order", source_id=order.pk)
    assert {(m.product_id, m.quantity, m.unit_cost) for m in issued} == {
        (product.pk, D(3), D("4.000000")),
        (other.pk, D(2), D("2.500000")),
    }
    assert not Reservation.objects.filter(source_id=order.pk, state="active").exists()
    assert stock.on_hand(product, warehouse) == D(7) and stock.reserved(product, warehouse) == D(0)
    title = Title.objects.get(pk=order.receivable_id)
    assert title.amount == D("82.70") and title.nfe_key == note.key
    today = timezone.localdate()
    assert list(Installment.objects.filter(title=title).order_by("due_date").values_list("due_date", "amount")) == [
        (today + timedelta(days=30), D("41.35")),
        (today + timedelta(days=60), D("41.35")),
    ]
    cmv = JournalEntry.objects.get(source_type="sales.invoice_cost", source_ref=str(order.pk))
    assert cmv is not None

    services.ship_order(order.pk, actor=actor, carrier="Correios", tracking_code="BR123")
    services.deliver_order(order.pk, actor=actor)
    order.refresh_from_db()
    assert order.state == OrderState.DELIVERED and order.tracking_code == "BR123"


def test_a_repeated_authorization_event_changes_nothing(fiscal_ready, actor, make_order, product, warehouse, stock):
    stock.receive(product, warehouse, "5", cost="3")
    order = make_order([(product, "1", "10")])
    services.confirm_order(order.pk, actor=actor)
    services.invoice_order(order.pk, actor=actor)
    deliver_all()

    assert services.complete_invoicing(order.pk, company_id=order.company_id) is None
    assert Title.objects.filter(source_type="sales.order", source_ref=str(order.pk)).count() == 1
    assert StockMove.objects.filter(source_type="sales.order", source_id=order.pk).count() == 1


def test_while_sefaz_is_down_the_order_waits_and_loses_nothing(
    fiscal_ready, actor, make_order, product, warehouse, stock, fake
):
    stock.receive(product, warehouse, "5", cost="3")
    order = make_order([(product, "2", "10")])
    services.confirm_order(order.pk, actor=actor)
    FiscalSettings.objects.filter(company=fiscal_ready).update(sefaz_url="https://127.0.0.1:9/")

    services.invoice_order(order.pk, actor=actor)
    deliver_all()

    order.refresh_from_db()
    assert order.state == OrderState.INVOICING
    assert stock.reserved(product, warehouse) == D(2) and not Title.objects.exists()

    FiscalSettings.objects.filter(company=fiscal_ready).update(sefaz_url=fake.url)
    from retaguarda.core.models import OutboxDelivery

    OutboxDelivery.objects.filter(state=OutboxDelivery.State.PENDING).update(next_attempt_at=timezone.now())
    deliver_all()
    order.refresh_from_db()
    assert order.state == OrderState.INVOICED
    assert FiscalDocument.objects.filter(source_id=order.pk).count() == 1


def test_cancelling_an_invoiced_order_cancels_its_note_and_undoes_stock_cmv_and_receivable(
    fiscal_ready, actor, make_order, product, warehouse, stock
):
    from retaguarda.finance.states import TitleState

    stock.receive(product, warehouse, "10", cost="4.00")
    order = make_order([(product, "3", "20.00")], payment_terms="30")
    services.confirm_order(order.pk, actor=actor)
    services.invoice_order(order.pk, actor=actor)
    deliver_all()

    services.cancel_order(order.pk, actor=actor, reason="Cliente desistiu antes do envio")
    deliver_all()  # the cancellation event finds the order already reversed

    order.refresh_from_db()
    assert order.state == OrderState.CANCELLED
    assert FiscalDocument.objects.get(source_id=order.pk).state == DocumentState.CANCELLED
    assert stock.on_hand(product, warehouse) == D(10) and stock.reserved(product, warehouse) == D(0)
    assert Title.objects.get(pk=order.receivable_id).state == TitleState.CANCELLED
    reversal = JournalEntry.objects.get(source_type="sales.invoice_cost_reversal", source_ref=str(order.pk))
    assert reversal is not None


def test_a_short_reason_is_refused_before_anything_reaches_sefaz(
    fiscal_ready, actor, make_order, product, warehouse, stock
):
    from retaguarda.core.errors import ValidationFailed

    stock.receive(product, warehouse, "10", cost="4.00")
    order = make_order([(product, "1", "20.00")])
    services.confirm_order(order.pk, actor=actor)
    services.invoice_order(order.pk, actor=actor)
    deliver_all()

    with pytest.raises(ValidationFailed):
        services.cancel_order(order.pk, actor=actor, reason="desistiu")
    assert FiscalDocument.objects.get(source_id=order.pk).state == DocumentState.AUTHORIZED


def test_a_return_brings_goods_back_under_a_return_note_and_credits_the_customer(
    fiscal_ready, actor, make_order, product, warehouse, stock
):
    order = invoiced_order(actor, make_order, product, warehouse, stock, freight=D("10.00"))
    sold = FiscalDocument.objects.get(source_type="sales.order", source_id=order.pk)

    ret = services.create_return(order.pk, [services.ReturnLineIn(1, D(2))], actor=actor, reason="Produto com defeito")
    note = FiscalDocument.objects.get(source_type="sales.return", source_id=ret.pk)
    assert note.referenced_keys == [sold.key] and note.operation.is_return
    deliver_all()

    ret.refresh_from_db()
    assert ret.state == "completed"
    assert ret.total == D("44.00")  # 2 x 20.00 + 2/5 of the 10.00 freight
    assert ret.cost == D("8.00")
    assert stock.on_hand(product, warehouse) == D(7)
    title = Title.objects.get(pk=order.receivable_id)
    assert title.amount_open == D("110.00") - D("44.00")
    assert JournalEntry.objects.filter(source_type="sales.return_cost", source_ref=str(ret.pk)).exists()


def test_returned_quantities_never_exceed_what_was_sold_and_the_last_part_takes_the_rest(
    fiscal_ready, actor, make_order, product, warehouse, stock
):
    from retaguarda.core.errors import ValidationFailed

    order = invoiced_order(actor, make_order, product, warehouse, stock, qty="3", price="10.00", freight=D("1.00"))
    first = services.create_return(order.pk, [services.ReturnLineIn(1, D(1))], actor=actor, reason="arrependimento")
    second = services.create_return(order.pk, [services.ReturnLineIn(1, D(2))], actor=actor, reason="arrependimento")
    assert first.total + second.total == order.total  # 0.33 and 0.67 of the freight: the parts add up

    with pytest.raises(ValidationFailed):
        services.create_return(order.pk, [services.ReturnLineIn(1, D(1))], actor=actor, reason="de novo")


def test_damaged_goods_go_to_scrap_and_stay_out_of_stock(fiscal_ready, actor, make_order, product, warehouse, stock):
    order = invoiced_order(actor, make_order, product, warehouse, stock)
    ret = services.create_return(
        order.pk, [services.ReturnLineIn(1, D(1))], actor=actor, reason="Quebrado no transporte", destination="scrap"
    )
    deliver_all()
    ret.refresh_from_db()
    assert ret.state == "completed" and stock.on_hand(product, warehouse) == D(5)
    assert not JournalEntry.objects.filter(source_type="sales.return_cost").exists()


def test_a_rejected_note_shows_its_reason_on_the_order_and_is_sent_again_once_fixed(
    fiscal_ready, actor, make_order, product, warehouse, stock, fake, web, api
):
    stock.receive(product, warehouse, "10", cost="4.00")
    order = make_order([(product, "3", "19.90")], payment_terms="30")
    services.confirm_order(order.pk, actor=actor)
    fake.state.script.reject = ("778", "Rejeição: Informado NCM inexistente")
    services.invoice_order(order.pk, actor=actor)
    deliver_all()

    order.refresh_from_db()
    note = FiscalDocument.objects.get(source_type="sales.order", source_id=order.pk)
    assert order.state == OrderState.INVOICING and note.state == DocumentState.REJECTED
    assert stock.reserved(product, warehouse) == D(3) and not Title.objects.exists()  # nothing issued or billed
    page = web.get(f"/vendas/{order.pk}/").content.decode()
    assert "778 Rejeição: Informado NCM inexistente" in page and "/resend/" in page

    fake.state.script.reject = None
    assert web.post(f"/vendas/{order.pk}/resend/").status_code == 302
    deliver_all()

    order.refresh_from_db()
    note.refresh_from_db()
    assert order.state == OrderState.INVOICED and note.state == DocumentState.AUTHORIZED
    assert FiscalDocument.objects.filter(source_id=order.pk).count() == 1  # the same note, the same number
    assert stock.reserved(product, warehouse) == D(0) and stock.on_hand(product, warehouse) == D(7)
    assert Title.objects.get().amount == note.total
    assert "/resend/" not in web.get(f"/vendas/{order.pk}/").content.decode()
    answer = api.post(f"/api/v1/sales/orders/{order.pk}/invoice/retry")
    assert answer.status_code == 409 and answer.json()["code"] == "sales.not_invoiceable"


def test_an_order_over_the_item_limit_is_invoiced_as_several_notes_finished_when_all_are_authorized(
    fiscal_ready, actor, make_order, product, make_product, warehouse, stock, monkeypatch
):
    # The NF-e takes 990 items; the same split at 2 keeps the test small.
    monkeypatch.setattr("retaguarda.sales.services.invoicing.MAX_ITEMS", 2)
    others = [make_product(), make_product()]
    for p in (product, *others):
        stock.receive(p, warehouse, "10", cost="4.00")
    order = make_order(
        [(product, "1", "10.00"), (others[0], "2", "10.00"), (others[1], "3", "10.00")],
        freight=D("10.00"),
        payment_terms="30",
    )
    services.confirm_order(order.pk, actor=actor)

    services.invoice_order(order.pk, actor=actor)
    notes = list(FiscalDocument.objects.filter(source_type="sales.order", source_id=order.pk).order_by("number"))
    assert [n.lines.count() for n in notes] == [2, 1] and notes[1].number == notes[0].number + 1
    deliver_all()

    order.refresh_from_db()
    assert order.state == OrderState.INVOICED
    assert sum(n.total for n in notes) == order.total == D("70.00")  # freight spread over both notes
    assert Title.objects.get(pk=order.receivable_id).amount == D("70.00")
    assert StockMove.objects.filter(source_type="sales.order", source_id=order.pk).count() == 3


def test_logistics_ships_and_delivers_but_changes_nothing_else(
    fiscal_ready, actor, make_order, product, warehouse, stock, make_user, api_client_for, client
):
    """`sales.ship` (Logística's, within sales.* for Vendas): ship and deliver through the API and the
    order's page; confirming, invoicing or cancelling stays Vendas' (403), and the page shows Logística
    only its own buttons."""
    order = invoiced_order(actor, make_order, product, warehouse, stock)
    other = make_order([(product, "1", "20.00")])
    logistics = make_user("logistics")
    api = api_client_for(logistics)

    assert api.post(f"/api/v1/sales/orders/{other.pk}/confirm").status_code == 403
    assert api.post(f"/api/v1/sales/orders/{order.pk}/cancel", "{}", content_type="application/json").status_code == 403
    client.force_login(logistics)
    page = client.get(reverse("sales:order", args=[order.pk])).content.decode()
    assert reverse("sales:order_action", args=[order.pk, "ship"]) in page
    assert reverse("sales:order_action", args=[order.pk, "cancel"]) not in page
    assert client.post(reverse("sales:order_action", args=[other.pk, "confirm"])).status_code == 403

    shipped = api.post(
        f"/api/v1/sales/orders/{order.pk}/ship",
        json.dumps({"carrier": "Correios", "tracking_code": "BR123"}),
        content_type="application/json",
    )
    assert shipped.status_code == 200, shipped.content
    assert shipped.json()["state"] == OrderState.SHIPPED
    client.post(reverse("sales:order_action", args=[order.pk, "deliver"]))
    order.refresh_from_db()
    other.refresh_from_db()
    assert (order.state, order.carrier, other.state) == (OrderState.DELIVERED, "Correios", OrderState.DRAFT)
