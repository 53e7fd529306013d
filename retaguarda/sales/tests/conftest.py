"""Sales test factories: a channel on a stocked warehouse, customers, orders."""

import itertools
from decimal import Decimal

import pytest

from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.inventory.tests.conftest import (  # noqa: F401 - fixtures shared with inventory's tests
    make_kit,
    make_product,
    make_warehouse,
    product,
    stock,
    warehouse,
)
from retaguarda.parties import services as parties
from retaguarda.sales import services
from retaguarda.sales.services import LineIn, OrderIn
from retaguarda.sales.states import OrderState

_seq = itertools.count(1)


def D(value) -> Decimal:
    return Decimal(str(value))


def cpf(n: int) -> str:
    from retaguarda.core.validators import _cpf_digit

    nine = f"{n:09d}"
    if len(set(nine)) == 1:
        nine = "1" + nine[1:-1] + "2"
    d1 = _cpf_digit(nine)
    return nine + d1 + _cpf_digit(nine + d1)


@pytest.fixture
def make_customer(actor):
    def make(*, credit_limit="0", **extra):
        n = next(_seq) + 100
        return parties.create_party(
            actor=actor,
            kind="individual",
            document=cpf(n + 123456),
            legal_name=f"Cliente {n}",
            is_customer=True,
            credit_limit=D(credit_limit),
            addresses=[
                {
                    "postal_code": "01310100",
                    "street": "Rua das Flores",
                    "number": "10",
                    "district": "Centro",
                    "municipality_id": "3550308",
                }
            ],
            **extra,
        )

    return make


@pytest.fixture
def customer(make_customer):
    return make_customer()


@pytest.fixture
def make_channel(actor, warehouse):  # noqa: F811
    def make(code=None, *, kind="online_store", warehouse=warehouse, **extra):
        return services.create_channel(
            actor=actor,
            code=code or f"CH{next(_seq)}",
            name="Loja virtual",
            kind=kind,
            warehouse_id=warehouse.pk,
            **extra,
        )

    return make


@pytest.fixture
def channel(make_channel):
    return make_channel("SITE")


@pytest.fixture
def make_order(actor, channel, customer):
    def make(lines, *, channel=channel, customer=customer, **extra):
        """`lines`: (product, quantity, unit price) tuples."""
        return services.create_order(
            OrderIn(
                channel_id=channel.pk,
                customer_id=customer.pk,
                lines=tuple(LineIn(quantity=D(q), product_id=p.pk, unit_price=D(price)) for p, q, price in lines),
                **extra,
            ),
            actor=actor,
        )

    return make


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


def invoiced_order(actor, make_order, item, depot, stocker, qty="5", price="20.00", **extra):
    """An order of `qty` of `item` (10 received at 4.00 into `depot`), invoiced through the fake SEFAZ."""
    stocker.receive(item, depot, "10", cost="4.00")
    order = make_order([(item, qty, price)], **extra)
    services.confirm_order(order.pk, actor=actor)
    services.invoice_order(order.pk, actor=actor)
    deliver_all()
    order.refresh_from_db()
    assert order.state == OrderState.INVOICED
    return order
