import pytest

from retaguarda.companies.templatetags.phones import phone
from retaguarda.core.models import AuditRecord
from retaguarda.parties.models import Party
from retaguarda.parties.tests.conftest import make_cnpj

FORM = {
    "kind": "company",
    "document": "12.ABC.345/01DE-35",
    "legal_name": "Mercado Nova Era Ltda",
    "trade_name": "Nova Era",
    "is_customer": "on",
    "ie_indicator": "9",
    "credit_limit": "1.500,00",
    "payment_terms": "30/60",
    "address-postal_code": "13015-904",
    "address-street": "Rua Barão de Jaguara",
    "address-number": "1200",
    "address-district": "Centro",
    "address-municipality_id": "3509502",
}


def test_the_list_runs_the_same_queries_at_two_page_sizes(web, make_party, django_assert_max_num_queries):
    for n in range(30):
        make_party(legal_name=f"Cliente {n:02d}", contacts=[{"name": f"Contato {n}"}])
    web.get("/cadastros/")  # warm the session and caches

    with django_assert_max_num_queries(12) as small:
        assert web.get("/cadastros/?limit=25").status_code == 200
    with django_assert_max_num_queries(12) as large:
        response = web.get("/cadastros/?limit=50")

    assert len(small.captured_queries) == len(large.captured_queries)
    assert response.content.decode().count("Campinas/SP") == 30


def test_the_list_answers_only_the_table_to_htmx_and_filters(web, make_party):
    make_party(legal_name="Padaria Pão Quente")
    make_party(legal_name="Transportes Rápidos", is_customer=False, is_carrier=True)

    response = web.get("/cadastros/?q=pao&role=customer", headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<table>" in html and "<html" not in html
    assert "Padaria Pão Quente" in html and "Transportes Rápidos" not in html


def test_the_list_pages_by_cursor(web, make_party):
    for n in range(30):
        make_party(legal_name=f"Cliente {n:02d}")
    first = web.get("/cadastros/").content.decode()
    assert "Cliente 24" in first and "Cliente 25" not in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = web.get(f"/cadastros/?cursor={cursor}").content.decode()
    assert "Cliente 25" in second and "Cliente 24" not in second


def test_registering_through_the_form_creates_the_party_with_its_address(web):
    response = web.post("/cadastros/novo/", FORM)

    party = Party.objects.get()
    assert response.status_code == 302 and response.url == f"/cadastros/{party.pk}/"
    assert party.document == "12ABC34501DE35"
    assert str(party.credit_limit) == "1500.00"
    assert party.addresses.get().municipality_id == "3509502"
    assert AuditRecord.objects.filter(object_id=str(party.pk), origin="web", action="created").exists()


def test_the_form_shows_every_problem_next_to_its_field(web):
    response = web.post(
        "/cadastros/novo/",
        {**FORM, "document": "12.345.678/0001-00", "is_customer": "", "address-municipality_id": ""},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "CNPJ inválido" in html
    assert "Escolha pelo menos um papel" in html
    assert "Escolha o município." in html
    assert not Party.objects.exists()


def test_the_registration_form_has_masks_and_the_municipality_lookup(web):
    html = web.get("/cadastros/novo/").content.decode()
    assert 'data-mask="document"' in html
    assert 'data-mask="cep"' in html
    assert 'hx-get="/tabelas/municipios/"' in html
    assert "<script>" not in html


def test_a_duplicate_document_is_shown_on_the_form(web, make_party):
    make_party(document="12ABC34501DE35")
    html = web.post("/cadastros/novo/", FORM).content.decode()
    assert "Já existe um cadastro com este CPF/CNPJ nesta empresa." in html


def test_the_detail_page_shows_addresses_contacts_and_history(web, make_party, actor):
    from retaguarda.parties import services

    party = make_party(
        legal_name="Distribuidora Sul", phone="1133334444", contacts=[{"name": "Marta", "role": "Compras"}]
    )
    services.update_party(party.pk, actor=actor, version=party.version, trade_name="Sul Dist")

    html = web.get(f"/cadastros/{party.pk}/").content.decode()

    assert "Rua Barão de Jaguara, 1200" in html
    assert "Marta" in html
    assert "(11) 3333-4444" in html
    assert "<td>Nome fantasia</td><td>—</td><td>Sul Dist</td>" in html


def test_editing_with_a_stale_version_is_refused_with_a_message(web, make_party, actor):
    from retaguarda.parties import services

    party = make_party(trade_name="A")
    services.update_party(party.pk, actor=actor, version=party.version, trade_name="B")
    data = {**FORM, "document": party.document, "legal_name": party.legal_name, "version": party.version}

    html = web.post(f"/cadastros/{party.pk}/editar/", data).content.decode()

    assert "Outra pessoa alterou este registro" in html or "alterado" in html
    party.refresh_from_db()
    assert party.trade_name == "B"


def test_editing_saves_and_redirects(web, make_party):
    party = make_party(trade_name="A")
    data = {**FORM, "document": party.document, "legal_name": party.legal_name, "trade_name": "B"}
    data["version"] = party.version
    response = web.post(f"/cadastros/{party.pk}/editar/", data)
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.trade_name == "B"


def test_deactivate_and_reactivate_from_the_page(web, make_party):
    party = make_party()
    web.post(f"/cadastros/{party.pk}/desativar/", {"version": party.version})
    party.refresh_from_db()
    assert party.is_active is False
    web.post(f"/cadastros/{party.pk}/reativar/", {"version": party.version})
    party.refresh_from_db()
    assert party.is_active is True


def test_addresses_and_contacts_are_managed_from_the_detail_page(web, make_party):
    party = make_party()
    response = web.post(
        f"/cadastros/{party.pk}/enderecos/novo/",
        {
            "postal_code": "20040-002",
            "street": "Avenida Rio Branco",
            "number": "100",
            "district": "Centro",
            "municipality_id": "3304557",
            "is_delivery": "on",
        },
    )
    assert response.status_code == 302
    delivery = party.addresses.get(is_delivery=True)
    assert delivery.uf == "RJ"
    web.post(f"/cadastros/{party.pk}/contatos/novo/", {"name": "Paulo", "email": "paulo@example.com"})
    contact = party.contacts.get()
    web.post(f"/cadastros/{party.pk}/contatos/{contact.pk}/remover/")
    web.post(f"/cadastros/{party.pk}/enderecos/{delivery.pk}/remover/")
    assert not party.contacts.exists()
    assert party.addresses.count() == 1


def test_another_companys_party_is_not_found(web, make_company, admin_user):
    from retaguarda.core.actor import Actor, Origin
    from retaguarda.parties import services

    other = make_company()
    foreign = services.create_party(
        actor=Actor(admin_user, Origin.CLI, other.pk),
        document=make_cnpj("998887770001"),
        legal_name="X",
        is_carrier=True,
    )
    assert web.get(f"/cadastros/{foreign.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/cadastros/", "/cadastros/novo/"])
def test_pages_need_the_department(client, make_user, path):
    client.force_login(make_user())  # no department
    assert client.get(path).status_code == 403


def test_a_reader_cannot_open_the_registration_form(client, make_user):
    client.force_login(make_user("finance"))
    assert client.get("/cadastros/").status_code == 200
    assert client.get("/cadastros/novo/").status_code == 403


def test_phones_are_shown_masked():
    assert phone("1133334444") == "(11) 3333-4444"
    assert phone("11987654321") == "(11) 98765-4321"
    assert phone("08001234567") == "0800 123 4567"
    assert phone("") == ""


def test_four_bad_fields_are_shown_in_one_round_and_the_municipality_is_kept(web):
    bad = {
        **FORM,
        "document": "12.ABC.345/01DE-36",
        "email": "compras@",
        "address-postal_code": "1301",
        "credit_limit": "-10",
        "address-municipality_id": "3509502",
    }

    response = web.post("/cadastros/novo/", bad)

    form, address_form = response.context["form"], response.context["address_form"]
    assert set(form.errors) == {"document", "email", "credit_limit"}
    assert set(address_form.errors) == {"postal_code"}
    html = response.content.decode()
    assert 'value="3509502"' in html and "Campinas" in html
    assert 'value="-10"' in html and 'value="compras@"' in html
    assert not Party.objects.exists()


def test_a_field_the_form_refuses_does_not_hide_the_services_problems(web):
    response = web.post("/cadastros/novo/", {**FORM, "legal_name": "x" * 121, "email": "a@", "lead_time_days": "dez"})

    assert set(response.context["form"].errors) == {"legal_name", "email", "lead_time_days"}
    assert not Party.objects.exists()


def test_a_credit_limit_typed_the_brazilian_way_is_read(web):
    response = web.post("/cadastros/novo/", {**FORM, "credit_limit": "1.500,50"})

    assert response.status_code == 302
    party = Party.objects.get()
    assert str(party.credit_limit) == "1500.50"
    page = web.get(f"/cadastros/{party.pk}/editar/").content.decode()
    assert 'value="1500,50"' in page


def test_a_fragment_of_an_alphanumeric_cnpj_finds_the_party(web, make_party):
    make_party(document="12ABC34501DE35", legal_name="Mercado Nova Era Ltda")
    make_party(legal_name="Outra Loja Ltda")

    html = web.get("/cadastros/", {"q": "abc"}).content.decode()

    assert "Mercado Nova Era Ltda" in html and "Outra Loja Ltda" not in html


def test_a_municipality_typed_without_a_pick_is_an_error_with_the_text_kept_not_a_silent_blank(web):
    response = web.post(
        "/cadastros/novo/", {**FORM, "address-municipality_id": "", "address-municipality_id_search": "Sao"}
    )

    assert "“Sao” não está na lista" in response.context["address_form"].errors["municipality_id"][0]
    assert 'value="Sao"' in response.content.decode()
    assert not Party.objects.exists()


def test_a_municipality_typed_in_full_without_a_pick_is_read(web):
    response = web.post(
        "/cadastros/novo/", {**FORM, "address-municipality_id": "", "address-municipality_id_search": "Campinas/SP"}
    )

    assert response.status_code == 302
    assert Party.objects.get().addresses.get().municipality_id == "3509502"
