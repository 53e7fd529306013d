"""A customer with an alphanumeric CNPJ registered through the form, found in the list and in the audit log."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_register_a_customer_with_an_alphanumeric_cnpj(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/novo/")

    page.get_by_label("Pessoa jurídica (CNPJ)").check()
    page.fill("#id_document", "12abc34501de35")
    expect(page.locator("#id_document")).to_have_value("12.ABC.345/01DE-35")  # the mask at work
    page.fill("#id_legal_name", "Mercado Nova Era Ltda")
    page.fill("#id_trade_name", "Nova Era")
    page.get_by_label("Cliente", exact=True).check()
    page.select_option("#id_ie_indicator", "1")
    page.fill("#id_state_registration", "244.123.457.116")
    page.fill("#id_address-postal_code", "13015904")
    expect(page.locator("#id_address-postal_code")).to_have_value("13015-904")
    page.fill("#id_address-street", "Rua Barão de Jaguara")
    page.fill("#id_address-number", "1200")
    page.fill("#id_address-district", "Centro")
    page.locator("#id_address-municipality_id").press_sequentially("campinas", delay=30)
    page.get_by_role("button", name="Campinas/SP").click()
    expect(page.locator("#id_address-municipality_id_code")).to_have_value("3509502")
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_role("heading", name="Mercado Nova Era Ltda")).to_be_visible()
    expect(page.locator("dd").get_by_text("12.ABC.345/01DE-35")).to_be_visible()
    expect(page.get_by_text("Centro · Campinas/SP")).to_be_visible()

    page.goto(f"{live_server.url}/cadastros/")
    page.fill("#party-q", "12.ABC.345")
    row = page.locator("#party-table tbody tr").filter(has_text="Mercado Nova Era Ltda")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("12.ABC.345/01DE-35")
    expect(page).to_have_url(re.compile(r"q=12.ABC.345"))

    page.goto(f"{live_server.url}/auditoria/")
    record = page.locator("table.audit > tbody > tr").filter(has_text="Cadastro").filter(has_text="CPF/CNPJ")
    expect(record.first).to_contain_text("Nova Era")
    record.first.locator("summary").click()
    expect(record.first).to_contain_text("12.ABC.345/01DE-35")
    expect(record.first).to_contain_text("Pessoa jurídica (CNPJ)")
    expect(record.first).not_to_contain_text("is_customer")


def test_four_bad_fields_show_four_errors_at_once_and_the_municipality_stays(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/novo/")

    page.get_by_label("Pessoa jurídica (CNPJ)").check()
    page.fill("#id_document", "12abc34501de36")  # wrong check digit
    page.fill("#id_legal_name", "Mercado Nova Era Ltda")
    page.get_by_label("Cliente", exact=True).check()
    page.fill("#id_email", "compras@")
    page.fill("#id_credit_limit", "-1.500,00")
    page.fill("#id_address-postal_code", "1301")
    page.fill("#id_address-street", "Rua Barão de Jaguara")
    page.fill("#id_address-number", "1200")
    page.fill("#id_address-district", "Centro")
    page.locator("#id_address-municipality_id").press_sequentially("campinas", delay=30)
    page.get_by_role("button", name="Campinas/SP").click()
    expect(page.locator("#id_address-municipality_id_code")).to_have_value("3509502")  # the pick has answered
    page.get_by_role("button", name="Salvar").click()

    expect(page.locator(".errorlist li")).to_have_count(4)
    for field in ("#id_document", "#id_email", "#id_credit_limit", "#id_address-postal_code"):
        expect(page.locator(f"{field} ~ .errorlist, .field:has({field}) .errorlist")).not_to_have_count(0)
    expect(page.locator("#id_address-municipality_id_code")).to_have_value("3509502")
    expect(page.locator("#id_address-municipality_id")).to_have_value("Campinas/SP")
    expect(page.locator("#id_credit_limit")).to_have_value("-1.500,00")
    expect(page.locator("#id_address-street")).to_have_value("Rua Barão de Jaguara")


def _fill_a_customer(page, live_server):
    page.goto(f"{live_server.url}/cadastros/novo/")
    page.get_by_label("Pessoa física (CPF)").check()
    page.fill("#id_document", "52998224725")
    page.fill("#id_legal_name", "Joana Pressa")
    page.get_by_label("Cliente", exact=True).check()
    page.fill("#id_address-postal_code", "13015904")
    page.fill("#id_address-street", "Rua Barão de Jaguara")
    page.fill("#id_address-number", "1200")
    page.fill("#id_address-district", "Centro")


def test_saving_before_the_municipality_pick_answers_keeps_the_picked_city(signed_in_page, live_server):
    page = signed_in_page
    _fill_a_customer(page, live_server)
    page.route("**/tabelas/municipios/escolher/**", lambda route: None)  # the pick's answer never comes
    page.locator("#id_address-municipality_id").press_sequentially("campinas", delay=30)
    page.get_by_role("button", name="Campinas/SP").click()
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_role("heading", name="Joana Pressa")).to_be_visible()
    expect(page.get_by_text("Centro · Campinas/SP")).to_be_visible()


def test_a_city_typed_in_full_without_picking_is_understood(signed_in_page, live_server):
    page = signed_in_page
    _fill_a_customer(page, live_server)
    page.route("**/tabelas/municipios/**", lambda route: route.abort())  # no search, no pick at all
    page.fill("#id_address-municipality_id", "Campinas/SP")
    page.get_by_role("button", name="Salvar").click()

    expect(page.get_by_role("heading", name="Joana Pressa")).to_be_visible()
    expect(page.get_by_text("Centro · Campinas/SP")).to_be_visible()


def test_a_destructive_button_looks_destructive_and_a_menu_count_sits_beside_its_item(signed_in_page, live_server):
    page = signed_in_page
    page.goto(f"{live_server.url}/cadastros/novo/")
    page.get_by_label("Pessoa jurídica (CNPJ)").check()
    page.fill("#id_document", "12abc34501de35")
    page.fill("#id_legal_name", "Mercado Nova Era Ltda")
    page.get_by_label("Cliente", exact=True).check()
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("Mercado Nova Era")

    colour = lambda locator: locator.evaluate("el => getComputedStyle(el).backgroundColor")  # noqa: E731
    deactivate, edit = (
        page.locator("main button:has-text('Desativar')"),
        page.locator("main a.btn:has-text('Editar')").first,
    )
    assert colour(deactivate) == "rgb(179, 38, 30)"  # --bad, not the brand green of "Editar"
    assert colour(edit) == "rgb(31, 95, 74)"
    # Every item of the menu is one line high, with or without a count beside it.
    heights = page.locator("nav.sidebar li").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert max(heights) < 2.2 * min(heights)
