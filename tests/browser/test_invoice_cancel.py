"""Issue 16's walk in the browser: a confirmed order invoiced from its page, the NF-e authorized by the
local fake SEFAZ, its DANFE opened, the note cancelled at SEFAZ from its page, and the stock back."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.catalog.models import Product
from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.inventory import selectors
from retaguarda.inventory import services as inventory
from retaguarda.sales import services as sales

pytestmark = pytest.mark.browser


@pytest.fixture
def fake(tmp_path, settings):
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


def _confirmed_order(company, actor):
    fiscal.seed_company(company, actor=actor)
    product = Product.objects.create(company=company, sku="CAIXA-1", name="Caixa organizadora", ncm_id="39241000")
    warehouse = inventory.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja")
    inventory.post_moves(
        [
            inventory.MoveIn(
                product.pk,
                Decimal(10),
                inventory.virtual_location(company.pk, "supplier").pk,
                inventory.stock_location(warehouse).pk,
                inventory.Source("test.receipt", 1, 1),
                unit_cost=Decimal("8.00"),
            )
        ],
        actor=actor,
    )
    channel = sales.create_channel(
        actor=actor, code="SITE", name="Loja virtual", kind="online_store", warehouse_id=warehouse.pk
    )
    customer = sales.CustomerIn(
        document="52998224725",
        name="Maria da Silva",
        address={
            "postal_code": "01310100",
            "street": "Avenida Paulista",
            "number": "900",
            "district": "Bela Vista",
            "municipality_id": "3550308",
        },
    )
    order = sales.create_order(
        sales.OrderIn(
            channel_id=channel.pk,
            customer=customer,
            lines=(sales.LineIn(Decimal(4), product_id=product.pk, unit_price=Decimal("25.00")),),
        ),
        actor=actor,
    )
    sales.confirm_order(order.pk, actor=actor)
    return order, product, warehouse


def test_invoice_see_it_authorized_open_the_danfe_cancel_and_the_stock_comes_back(
    signed_in_page, live_server, company, admin_user, fake
):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    order, product, warehouse = _confirmed_order(company, actor)
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True, sefaz_url=fake.url)
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/vendas/{order.pk}/")
    page.get_by_role("button", name="Faturar (emitir a NF-e)").click()
    for _ in range(4):  # the worker: transmit the note, then finish the order on its authorization
        outbox.deliver_due()
    page.reload()
    expect(page.locator("h1")).to_contain_text("Faturado")
    assert selectors.product_warehouse_totals(product.pk, warehouse.pk)["on_hand"] == Decimal(6)

    page.locator("main table a").filter(has_text="1").first.click()  # the note, by its number
    expect(page.locator("h1")).to_contain_text("Autorizada")
    danfe = page.get_by_role("link", name="DANFE (PDF)")
    pdf = page.request.get(live_server.url + danfe.get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.locator("summary", has_text="Cancelar na SEFAZ").click()
    page.fill("input[name=reason]", "Cliente desistiu da compra antes da entrega")
    page.get_by_role("button", name="Cancelar a nota").click()
    expect(page.locator("h1")).to_contain_text("Cancelada")
    for _ in range(4):  # the worker: the cancellation reverses the sale through the owning apps
        outbox.deliver_due()

    assert selectors.product_warehouse_totals(product.pk, warehouse.pk)["on_hand"] == Decimal(10)
    page.goto(f"{live_server.url}/estoque/produtos/{product.pk}/kardex/")  # received 10, sold 4, 4 back
    rows = page.locator("table.kardex tbody tr[data-source]")
    expect(rows).to_have_count(3)
    expect(rows.last.locator("td").nth(8)).to_have_text("10")
