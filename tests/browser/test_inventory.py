"""A stock count with a difference, posted from the count page, shows up in the product's kardex."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.br_tables.models import Ncm
from retaguarda.catalog.models import Product
from retaguarda.core.actor import Actor, Origin
from retaguarda.inventory import services

pytestmark = pytest.mark.browser


def test_post_a_count_with_a_difference_and_find_it_in_the_kardex(signed_in_page, live_server, company, admin_user):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    product = Product.objects.create(
        company=company,
        sku="CAN-300",
        name="Caneca esmaltada 300 ml",
        gtin="7891234567895",
        ncm=Ncm.objects.order_by("code").first(),
    )
    warehouse = services.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Paulista")
    services.manual_move(
        actor=actor,
        warehouse_id=warehouse.pk,
        direction="in",
        counterpart="supplier",
        reason="Saldo inicial",
        lines=[services.ManualLine(product.pk, Decimal(5), unit_cost=Decimal("8.40"))],
    )
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/estoque/balancos/novo/")
    page.select_option("#id_warehouse", str(warehouse.pk))
    page.fill("#id_products", "CAN-300")
    page.locator("form.card button[type=submit]").click()

    # Two reads of a keyboard-wedge barcode reader: the code, then Enter.
    scan = page.locator("#scan-code")
    scan.fill("7891234567895")
    scan.press("Enter")
    expect(page.locator("#count-lines tr[data-sku='CAN-300'] input")).to_have_value("1")
    expect(scan).to_be_focused()
    page.keyboard.type("7891234567895")
    page.keyboard.press("Enter")
    expect(page.locator("#count-lines tr[data-sku='CAN-300'] input")).to_have_value("2")
    expect(page.locator("#count-lines tr[data-sku='CAN-300'] .diff")).to_have_text("-3")

    page.locator("#post-count").click()
    expect(page.locator("h1 .badge")).to_have_text("Postado")

    page.goto(f"{live_server.url}/estoque/produtos/{product.pk}/kardex/")
    adjustment = page.locator("tr[data-source='inventory.count']")
    expect(adjustment).to_have_count(1)
    expect(adjustment.locator("td").nth(6)).to_have_text("3")  # out
    expect(adjustment.locator("td").nth(8)).to_have_text("2")  # running balance


def test_a_stock_entry_with_one_bad_line_keeps_every_line_and_marks_only_that_one(
    signed_in_page, live_server, company, admin_user
):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    ncm = Ncm.objects.order_by("code").first()
    for sku in ("CAN-300", "PRATO-01"):
        Product.objects.create(company=company, sku=sku, name=f"Produto {sku}", ncm=ncm)
    services.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Paulista")
    page = signed_in_page

    page.goto(f"{live_server.url}/estoque/movimentacoes/nova/?direction=in")
    page.fill("#id_reason", "Compra sem nota")
    page.fill("input[name=code_1]", "CAN-300")
    page.fill("input[name=quantity_1]", "2,5")
    page.fill("input[name=cost_1]", "10,90")
    page.fill("input[name=code_2]", "PRATO-01")
    page.fill("input[name=quantity_2]", "dois")
    page.fill("input[name=code_3]", "PRATO-01")
    page.fill("input[name=quantity_3]", "1")
    page.locator("#move-form button[type=submit]").click()

    expect(page.locator("#problems li")).to_have_text(["Linha 2 · quantidade: Número inválido: dois."])
    expect(page.locator("tr.has-error")).to_have_count(1)
    expect(page.locator("tr[data-line='2']")).to_have_class("has-error")
    expect(page.locator("input[name=code_1]")).to_have_value("CAN-300")
    expect(page.locator("input[name=cost_1]")).to_have_value("10,90")
    expect(page.locator("input[name=quantity_2]")).to_have_value("dois")
    expect(page.locator("input[name=quantity_3]")).to_have_value("1")
    expect(page.locator("#id_reason")).to_have_value("Compra sem nota")

    page.fill("input[name=quantity_2]", "2")
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator(".messages .msg")).to_contain_text("lançad")
