"""A product with variations holds no stock of its own: its page and the product list show its variants'
total, after stock was received for them through the stock entry page."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.catalog import services as catalog
from retaguarda.inventory import services as inventory

pytestmark = pytest.mark.browser


def test_a_product_with_variations_shows_its_variants_stock_on_the_parent(signed_in_page, live_server, actor, company):
    parent = catalog.create_product(
        actor=actor, sku="CAM", name="Camiseta lisa", ncm="61091000", price=Decimal("50"),
        variations={"Tamanho": ["P", "M"]},
    )  # fmt: skip
    inventory.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Paulista")
    page = signed_in_page

    page.goto(f"{live_server.url}/estoque/movimentacoes/nova/?direction=in")
    page.fill("#id_reason", "Compra da coleção")
    page.fill("input[name=code_1]", "CAM-P")
    page.fill("input[name=quantity_1]", "3")
    page.fill("input[name=cost_1]", "20,00")
    page.fill("input[name=code_2]", "CAM-M")
    page.fill("input[name=quantity_2]", "4")
    page.fill("input[name=cost_2]", "21,00")
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator(".messages .msg")).to_contain_text("lançad")

    page.goto(f"{live_server.url}/produtos/{parent.pk}/")
    panel = page.locator("#product-stock")
    expect(panel).to_contain_text("Soma das variações deste produto.")
    expect(panel.locator("tbody tr")).to_have_count(1)
    expect(panel.locator("tbody tr td").nth(1)).to_have_text("7")  # on hand: 3 + 4
    expect(panel.locator("tbody tr td").nth(3)).to_have_text("7")  # available
    expect(panel).not_to_contain_text("Nenhum estoque")

    page.goto(f"{live_server.url}/produtos/?q=CAM")
    row = page.locator("tbody tr").filter(has=page.get_by_role("cell", name="CAM", exact=True))
    expect(row.get_by_role("link", name="7")).to_be_visible()
