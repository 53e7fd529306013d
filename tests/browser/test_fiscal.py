"""A draft NF-e issued from its page, sent to the (fake) SEFAZ, authorized, its conversation shown, then cancelled."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from retaguarda.catalog.models import Product
from retaguarda.core.actor import Actor, Origin
from retaguarda.fiscal import services
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.parties import services as parties

pytestmark = pytest.mark.browser


@pytest.fixture
def fake(tmp_path, settings):
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


def test_issue_send_see_the_conversation_and_cancel(signed_in_page, live_server, company, admin_user, fake):
    actor = Actor(admin_user, Origin.CLI, company.pk)
    services.seed_company(company, actor=actor)
    FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True, sefaz_url=fake.url)
    product = Product.objects.create(company=company, sku="POTE-1", name="Pote hermético 1 L", ncm_id="39241000")
    customer = parties.create_party(
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
    draft = services.build_document(
        services.DocumentIn(
            recipient_id=customer.pk, items=(services.ItemIn(product.pk, Decimal("2"), Decimal("19.90")),)
        ),
        actor=actor,
    )
    page = signed_in_page
    page.on("dialog", lambda dialog: dialog.accept())

    page.goto(f"{live_server.url}/fiscal/notas/{draft.pk}/")
    expect(page.locator("main")).to_contain_text("Simples Nacional: venda sem crédito (CSOSN 102)")
    page.get_by_role("button", name="Emitir (numerar, assinar, pôr na fila da SEFAZ)").click()
    expect(page.locator("h1")).to_contain_text("Na fila para a SEFAZ")
    page.get_by_role("button", name="Enviar à SEFAZ agora").click()
    expect(page.locator("h1")).to_contain_text("Autorizada")
    expect(page.locator(".sefaz-conversation")).to_contain_text("NFeAutorizacao4")
    expect(page.locator(".sefaz-status")).to_contain_text("100")

    page.locator("summary", has_text="Cancelar na SEFAZ").click()
    page.fill("input[name=reason]", "Cliente desistiu da compra antes da entrega")
    page.get_by_role("button", name="Cancelar a nota").click()
    expect(page.locator("h1")).to_contain_text("Cancelada")
    expect(page.locator("main")).to_contain_text("Cancelamento")
