"""Invoicing end to end against the local fake SEFAZ (real TLS): the note is built, queued, sent and
authorized through the outbox; then the reservation becomes a stock issue at average cost, the CMV is
posted and the receivable has the payment terms' installments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.finance.models import Installment, JournalEntry, Title
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalDocument, FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.fiscal.states import DocumentState
from retaguarda.inventory.models import Reservation, StockMove
from retaguarda.sales import services
from retaguarda.sales.errors import NotInvoiceable  # noqa: F401
from retaguarda.sales.states import OrderState

from .conftest import D

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fake(tmp_path, settings):
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    settings.SEFAZ_TIMEOUT = 3
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


@pytest.fixture
def fiscal_ready(company, fake):
    fiscal.seed_company(company, actor=Actor(None, Origin.CLI, company.pk))
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True, sefaz_url=fake.url)
    return company


def deliver_all():
    for _ in range(5):
        if not outbox.deliver_due():
            return


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
