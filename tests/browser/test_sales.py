"""An order typed by SKU on its page, confirmed (stock reserved), invoiced (the NF-e authorized by the
local fake SEFAZ), then the reservation is a stock issue and the receivable is there."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.catalog.models import Product
from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.finance.models import Title
from retaguarda.fiscal import services as fiscal
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.inventory import selectors
from retaguarda.inventory import services as inventory
from retaguarda.parties import services as parties
from retaguarda.sales import services

pytestmark = pytest.mark.browser


@pytest.fixture
def fake(tmp_path, settings):
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


def test_type_confirm_invoice_and_see_the_stock_issue_and_the_receivable(
    signed_in_page, live_server, company, admin_user, fake
):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    fiscal.seed_company(company, actor=actor)
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True, sefaz_url=fake.url)
    pote = Product.objects.create(company=company, sku="POTE-1", name="Pote hermético 1 L", ncm_id="39241000")
    warehouse = inventory.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja")
    inventory.post_moves(
        [
            inventory.MoveIn(
                pote.pk,
                Decimal(10),
                inventory.virtual_location(company.pk, "supplier").pk,
                inventory.stock_location(warehouse).pk,
                inventory.Source("test.receipt", 1, 1),
                unit_cost=Decimal("8.00"),
            )
        ],
        actor=actor,
    )
    services.create_channel(
        actor=actor, code="SITE", name="Loja virtual", kind="online_store", warehouse_id=warehouse.pk
    )
    parties.create_party(
        actor=actor,
        kind="individual",
        document="52998224725",
        legal_name="Maria da Silva",
        is_customer=True,
        addresses=[
            {
                "postal_code": "01310100",
                "street": "Avenida Paulista",
                "number": "900",
                "district": "Bela Vista",
                "municipality_id": "3550308",
            }
        ],
    )
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/vendas/novo/")
    page.fill("input[name=customer]", "529.982.247-25")
    page.fill("input[name=payment_terms]", "30/60")
    page.fill("textarea[name=lines]", "POTE-1; 2; 19,90")
    page.get_by_role("button", name="Criar pedido").click()
    expect(page.locator("h1")).to_contain_text("Rascunho")
    expect(page.locator("tfoot")).to_contain_text("39,80")
    page.fill("input[name=qty_1]", "3")  # edited in place: htmx saves and answers the lines and totals
    page.get_by_role("button", name="Salvar itens").click()
    expect(page.locator("tfoot")).to_contain_text("59,70")

    page.get_by_role("button", name="Confirmar (reservar estoque)").click()
    expect(page.locator("h1")).to_contain_text("Confirmado")
    assert selectors.product_warehouse_totals(pote.pk, warehouse.pk)["reserved"] == Decimal(3)

    page.get_by_role("button", name="Faturar (emitir a NF-e)").click()
    expect(page.locator("h1")).to_contain_text("Faturando")
    for _ in range(4):  # the worker's part: transmit the note, then finish the order on authorization
        outbox.deliver_due()
    page.reload()
    expect(page.locator("h1")).to_contain_text("Faturado")
    expect(page.locator("main")).to_contain_text("Autorizada")
    totals = selectors.product_warehouse_totals(pote.pk, warehouse.pk)
    assert (totals["on_hand"], totals["reserved"]) == (Decimal(7), Decimal(0))
    title = Title.objects.get(source_type="sales.order")
    assert title.amount == Decimal("59.70")
    expect(page.locator("main")).to_contain_text("A receber")

    page.fill("input[name=carrier]", "Correios")
    page.fill("input[name=tracking_code]", "BR123456789")
    page.get_by_role("button", name="Enviar", exact=True).click()
    expect(page.locator("h1")).to_contain_text("Enviado")
