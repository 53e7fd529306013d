"""The Estoque inbox: an occurrence found by the below-minimum rule is worked through its action plan and
resolves itself once a stock entry covers the minimum (no "check again": the entry's event does it)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.br_tables.models import Ncm
from retaguarda.catalog.models import Product
from retaguarda.core import outbox
from retaguarda.core.actor import Actor, Origin
from retaguarda.inventory import services as inventory
from retaguarda.watch import services as watch
from retaguarda.watch.models import Occurrence

pytestmark = pytest.mark.browser


def test_work_a_below_minimum_occurrence_and_see_it_resolve_after_a_stock_entry(
    signed_in_page, live_server, company, admin_user
):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    product = Product.objects.create(
        company=company,
        sku="CAN-300",
        name="Caneca esmaltada 300 ml",
        ncm=Ncm.objects.order_by("code").first(),
        minimum_stock=Decimal(10),
    )
    warehouse = inventory.create_warehouse(actor=actor, company_id=company.pk, code="LOJA", name="Loja Paulista")
    inventory.manual_move(
        actor=actor,
        warehouse_id=warehouse.pk,
        direction="in",
        counterpart="supplier",
        reason="Saldo inicial",
        lines=[inventory.ManualLine(product.pk, Decimal(3), unit_cost=Decimal("8.40"))],
    )
    watch.run_company(company.pk)  # what the worker does every 15 minutes
    occ = Occurrence.objects.get(company=company, rule="inventory.below_minimum")
    page = signed_in_page

    page.goto(f"{live_server.url}/ocorrencias/")
    page.locator("a[data-department='stock']").click()
    row = page.locator("#occurrences-table tbody tr", has_text="CAN-300")
    expect(row).to_have_count(1)
    row.get_by_role("link", name="Estoque abaixo do mínimo").click()

    expect(page.locator("#explanation")).to_have_text("Disponível 3 para um mínimo de 10: faltam 7.")
    page.fill("#id_action_plan", "Comprar 12 canecas do fornecedor de sempre")
    page.get_by_role("button", name="Salvar plano").click()
    expect(page.locator(".messages .msg")).to_have_text("Plano salvo.")
    for number in (1, 2, 3):
        page.locator(f"button[data-step='{number}']").click()
        expect(page.locator(f"button[data-step='{number}']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#occurrence-state")).to_contain_text("Em andamento")

    page.goto(f"{live_server.url}/estoque/movimentacoes/nova/?direction=in")
    page.fill("#id_reason", "Compra do fornecedor")
    page.fill("input[name=code_1]", "CAN-300")
    page.fill("input[name=quantity_1]", "12")
    page.fill("input[name=cost_1]", "8,40")
    page.locator("#move-form button[type=submit]").click()
    expect(page.locator(".messages .msg")).to_contain_text("lançad")

    # The entry's timeline event re-evaluates the stock rules of its products when the worker delivers it.
    assert outbox.deliver_due() >= 1
    page.goto(f"{live_server.url}/ocorrencias/{occ.pk}/")
    expect(page.locator("h1 .badge").first).to_have_text("Resolvida")
    expect(page.locator("ul.timeline")).to_contain_text("a condição deixou de existir")
