"""What a buyer does in a browser: an order typed, sent and received, then the stock and the payable are
there; a supplier's NF-e uploaded, its items matched by hand, confirmed, and the supplier's next note
matching the same items alone."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.catalog.models import Product
from retaguarda.companies.models import Company
from retaguarda.core.actor import Actor, Origin
from retaguarda.finance.models import Title
from retaguarda.inventory import services as inventory
from retaguarda.parties.models import Party
from retaguarda.purchasing.demo import SAMPLE
from retaguarda.purchasing.models import Receipt

pytestmark = pytest.mark.browser

MEDICAL = "26180875335849000115550010000016871192213331-nfe.xml"  # 3 items, 2 dup, to 37148260000119
MEDICAL_KEY = "26180875335849000115550010000016871192213331"


def _warehouse(company, admin_user):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    return inventory.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Centro")


def _expect_on_hand(page, url, sku, on_hand):
    page.goto(f"{url}/estoque/?q={sku}")
    row = page.locator("#balances-table tbody tr", has_text=sku)
    expect(row.locator("td").nth(3)).to_have_text(on_hand)


def test_an_order_typed_sent_and_received_puts_the_boxes_in_stock_and_the_payable_in_finance(
    signed_in_page, live_server, company, admin_user
):
    Product.objects.create(
        company=company,
        sku="COPO-300",
        name="Copo americano 300 ml",
        ncm_id="70134900",
        purchase_unit="CX",
        purchase_factor=Decimal(12),
    )
    Party.objects.create(
        company=company,
        kind="company",
        document="11222333000181",
        legal_name="Vidraria Paulista Ltda",
        is_supplier=True,
        payment_terms="30/60",
    )
    _warehouse(company, admin_user)
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/compras/pedidos/novo/")
    page.select_option("#id_supplier", label="Vidraria Paulista Ltda")
    page.fill("#id_freight", "10,00")
    page.fill("input[name=code_1]", "COPO-300")
    page.fill("input[name=quantity_1]", "2")
    page.fill("input[name=cost_1]", "120,00")
    page.fill("input[name=ipi_1]", "12,00")
    page.locator("#order-form button[type=submit]").click()
    expect(page.locator("h1 .badge")).to_have_text("Rascunho")
    expect(page.locator("table.totals")).to_contain_text("262,00")

    page.get_by_role("button", name="Enviar ao fornecedor").click()
    expect(page.locator("h1 .badge")).to_have_text("Enviado ao fornecedor")
    page.get_by_role("button", name="Receber o que está em aberto").click()
    expect(page).to_have_url(f"{live_server.url}/compras/entradas/{Receipt.objects.get().pk}/")
    page.get_by_role("button", name="Lançar (estoque e conta a pagar)").click()
    expect(page.locator("h1 .badge")).to_have_text("Lançada")
    expect(page.locator("table.totals")).to_contain_text("262,00")

    page.locator("#payable a").click()
    expect(page.locator("body")).to_contain_text("Vidraria Paulista Ltda")
    expect(page.locator("body")).to_contain_text("262,00")
    _expect_on_hand(page, live_server.url, "COPO-300", "24")  # 2 boxes of 12
    title = Title.objects.get()
    assert title.kind == "payable" and title.amount == Decimal("262.00")
    assert [i.amount for i in title.installments.order_by("due_date")] == [Decimal("131.00")] * 2


def test_an_nfe_matched_by_hand_enters_and_the_suppliers_next_note_matches_alone(
    signed_in_page, live_server, company, admin_user, tmp_path
):
    Company.objects.filter(pk=company.pk).update(cnpj="37148260000119")  # the sample's recipient
    for n, name in ((1, "Espaçador de quadril A"), (2, "Espaçador de quadril B"), (3, "Cimento ósseo 40 g")):
        Product.objects.create(company=company, sku=f"MED-{n}", name=name, ncm_id="90211010")
    warehouse = _warehouse(company, admin_user)
    page = signed_in_page

    page.goto(f"{live_server.url}/compras/nfe/")
    page.set_input_files("#id_files", str(SAMPLE / MEDICAL))
    page.get_by_role("button", name="Ler as notas").click()
    expect(page.locator("#note-problems")).to_contain_text("75335849000115")  # supplier not registered yet
    expect(page.locator("#nfe-items tbody tr")).to_have_count(3)

    page.fill("input[name=product_1]", "MED-1")
    page.fill("input[name=product_2]", "MED-2")
    page.fill("input[name=product_3]", "MED-3")
    page.select_option("#id_warehouse", str(warehouse.pk))
    page.check("input[name=create_supplier]")
    page.get_by_role("button", name="Confirmar a entrada").click()
    expect(page.locator("h1 .badge")).to_have_text("Lançada")
    expect(page.locator("table.totals")).to_contain_text("5.780,00")
    expect(page.locator("code")).to_have_text(MEDICAL_KEY)
    _expect_on_hand(page, live_server.url, "MED-3", "4")
    page.goto(f"{live_server.url}/financeiro/contas-a-pagar/")
    expect(page.locator("tbody tr", has_text="Teste Produtos Médicos")).to_contain_text("5.780,00")

    # The supplier's next note: another key, the same items.
    other_key = MEDICAL_KEY[:-10] + "0000000019"
    second = tmp_path / f"{other_key}-nfe.xml"
    second.write_bytes((SAMPLE / MEDICAL).read_bytes().replace(MEDICAL_KEY.encode(), other_key.encode()))
    page.goto(f"{live_server.url}/compras/nfe/")
    page.set_input_files("#id_files", str(second))
    page.get_by_role("button", name="Ler as notas").click()
    expect(page.locator("#nfe-items .match")).to_have_count(3)
    expect(page.locator("#nfe-items")).to_contain_text("memorizado")
    expect(page.locator("#nfe-items tr[data-item='3'] .match")).to_contain_text("MED-3")
    page.get_by_role("button", name="Confirmar a entrada").click()
    expect(page.locator("h1 .badge")).to_have_text("Lançada")
    _expect_on_hand(page, live_server.url, "MED-3", "8")
    assert Receipt.objects.count() == 2 and Title.objects.filter(kind="payable").count() == 2
