"""The party form filled from the CEP and CNPJ lookups (the local fake speaking the public services'
protocol): only the empty fields are filled, what the user typed stays, nothing is stored until Salvar."""

import pytest
from playwright.sync_api import expect

from retaguarda.core.lookups.fake import FakeLookups
from retaguarda.parties import services
from retaguarda.parties.models import Party, PartyAddress

pytestmark = pytest.mark.browser


@pytest.fixture
def lookups_on(settings):
    with FakeLookups() as fake:
        settings.LOOKUPS_ENABLED = True
        settings.LOOKUP_CEP_URL, settings.LOOKUP_CNPJ_URL = fake.cep_url, fake.cnpj_url
        yield fake


def test_a_cnpj_fills_the_registration_and_keeps_what_was_typed(signed_in_page, live_server, lookups_on):
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/novo/")

    page.get_by_label("Pessoa jurídica (CNPJ)").check()
    page.fill("#id_trade_name", "Casa Alfa Paulista")  # typed before the lookup: it stays
    page.locator("#id_document").press_sequentially("r7t3k9q2000181", delay=20)

    expect(page.locator("#id_document-lookup")).to_contain_text("CNPJ encontrado")
    expect(page.locator("#id_legal_name")).to_have_value("ALFA NUMERICA COMERCIO DE UTILIDADES LTDA")
    expect(page.locator("#id_trade_name")).to_have_value("Casa Alfa Paulista")
    expect(page.locator("#id_address-postal_code")).to_have_value("01310-200")
    expect(page.locator("#id_address-street")).to_have_value("AVENIDA PAULISTA")
    expect(page.locator("#id_address-number")).to_have_value("1578")
    expect(page.locator("#id_address-district")).to_have_value("BELA VISTA")
    expect(page.locator("#id_address-municipality_id")).to_have_value("São Paulo/SP")
    expect(page.locator("#id_address-municipality_id_code")).to_have_value("3550308")
    assert not Party.objects.exists()  # a lookup stores nothing

    page.get_by_label("Cliente", exact=True).check()
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_role("heading", name="ALFA NUMERICA COMERCIO DE UTILIDADES LTDA")).to_be_visible()
    party = Party.objects.get()
    assert (party.document, party.trade_name) == ("R7T3K9Q2000181", "Casa Alfa Paulista")
    assert party.addresses.get().municipality_id == "3550308"


def test_a_cep_fills_the_address_street_district_and_municipality(signed_in_page, live_server, lookups_on, actor):
    party = services.create_party(
        actor=actor, kind="company", document="45723174000110", legal_name="Padaria Pão Quente", is_customer=True
    )
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/{party.pk}/enderecos/novo/")

    page.fill("#id_district", "Centro histórico")  # typed first: the lookup leaves it alone
    page.locator("#id_postal_code").press_sequentially("01001000", delay=20)

    expect(page.locator("#id_postal_code-lookup")).to_contain_text("CEP encontrado: Praça da Sé")
    expect(page.locator("#id_street")).to_have_value("Praça da Sé")
    expect(page.locator("#id_district")).to_have_value("Centro histórico")
    expect(page.locator("#id_municipality_id")).to_have_value("São Paulo/SP")
    assert not PartyAddress.objects.filter(party=party).exists()

    page.fill("#id_number", "100")
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_text("Centro histórico · São Paulo/SP")).to_be_visible()
    address = PartyAddress.objects.get(party=party)
    assert (address.postal_code, address.street, address.municipality_id) == ("01001000", "Praça da Sé", "3550308")


def test_a_lookup_that_fails_says_so_and_the_form_still_saves(signed_in_page, live_server, lookups_on):
    lookups_on.fail_with = 503
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/novo/")

    page.get_by_label("Pessoa física (CPF)").check()
    page.fill("#id_legal_name", "Maria das Dores")
    page.fill("#id_document", "529.982.247-25")
    page.locator("#id_address-postal_code").press_sequentially("80010000", delay=20)
    expect(page.locator("#id_address-postal_code-lookup")).to_contain_text("não respondeu")
    page.fill("#id_address-street", "Rua XV de Novembro")
    page.fill("#id_address-number", "10")
    page.fill("#id_address-district", "Centro")
    page.locator("#id_address-municipality_id").press_sequentially("curitiba", delay=30)
    page.get_by_role("button", name="Curitiba/PR").click()
    page.get_by_label("Cliente", exact=True).check()
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_role("heading", name="Maria das Dores")).to_be_visible()
