"""The party form's CEP and CNPJ lookups (core.lookups) as the pages offer them: asked while typing when the
install turns them on, answered with a note and what may fill the empty fields, nothing ever stored."""

import html
import json
import re

import pytest

from retaguarda.core.lookups.fake import FakeLookups
from retaguarda.core.models import AuditRecord
from retaguarda.parties.models import Party, PartyAddress


@pytest.fixture(scope="module")
def fake():
    with FakeLookups() as running:
        yield running


@pytest.fixture
def lookups_on(settings, fake):
    fake.fail_with = None
    settings.LOOKUPS_ENABLED = True
    settings.LOOKUP_CEP_URL, settings.LOOKUP_CNPJ_URL = fake.cep_url, fake.cnpj_url
    return fake


def _fill(response) -> dict:
    found = re.search(r'data-lookup-fill="([^"]*)"', response.content.decode())
    return json.loads(html.unescape(found.group(1))) if found else {}


def test_the_form_asks_nothing_while_lookups_are_off(web, settings):
    settings.LOOKUPS_ENABLED = False

    page = web.get("/cadastros/novo/").content.decode()

    assert "hx-get" not in re.search(r'<input[^>]*id="id_document"[^>]*>', page).group(0)
    assert "lookup-note" not in page


def test_the_form_asks_while_the_cnpj_and_the_cep_are_typed_when_lookups_are_on(web, lookups_on):
    page = web.get("/cadastros/novo/").content.decode()

    document = re.search(r'<input[^>]*id="id_document"[^>]*>', page).group(0)
    cep = re.search(r'<input[^>]*id="id_address-postal_code"[^>]*>', page).group(0)
    assert 'hx-get="/cadastros/consulta/cnpj/"' in document and 'hx-target="#id_document-lookup"' in document
    assert 'hx-get="/cadastros/consulta/cep/"' in cep
    assert 'id="id_document-lookup"' in page and 'id="id_address-postal_code-lookup"' in page


def test_a_cep_fills_street_district_and_municipality_and_stores_nothing(web, lookups_on):
    audits = AuditRecord.objects.count()

    response = web.get("/cadastros/consulta/cep/", {"prefix": "address-", "address-postal_code": "01001-000"})

    assert response.status_code == 200
    assert "CEP encontrado: Praça da Sé, Sé, São Paulo/SP" in response.content.decode()
    assert _fill(response) == {
        "address-": {
            "street": "Praça da Sé",
            "district": "Sé",
            "municipality_id": {"code": "3550308", "label": "São Paulo/SP"},
        }
    }
    assert not Party.objects.exists() and not PartyAddress.objects.exists()
    assert AuditRecord.objects.count() == audits


def test_an_alphanumeric_cnpj_fills_names_and_address(web, lookups_on):
    response = web.get("/cadastros/consulta/cnpj/", {"address_prefix": "address-", "document": "R7.T3K.9Q2/0001-81"})

    assert "CNPJ encontrado: ALFA NUMERICA COMERCIO DE UTILIDADES LTDA" in response.content.decode()
    assert _fill(response) == {
        "": {"legal_name": "ALFA NUMERICA COMERCIO DE UTILIDADES LTDA", "trade_name": "CASA ALFA"},
        "address-": {
            "postal_code": "01310-200",
            "street": "AVENIDA PAULISTA",
            "number": "1578",
            "complement": "LOJA 2",
            "district": "BELA VISTA",
            "municipality_id": {"code": "3550308", "label": "São Paulo/SP"},
        },
    }
    assert not Party.objects.exists()


def test_the_edit_form_fills_only_the_names_from_a_cnpj(web, lookups_on):
    response = web.get("/cadastros/consulta/cnpj/", {"address_prefix": "", "document": "45723174000110"})

    assert _fill(response) == {"": {"legal_name": "DISTRIBUIDORA SERRA DO MAR LTDA"}}  # no trade name, no address


def test_a_cnpj_or_cep_still_being_typed_asks_nothing(web, lookups_on):
    lookups_on.requests.clear()

    assert web.get("/cadastros/consulta/cnpj/", {"document": "45.723.17"}).content.strip() == b""
    assert web.get("/cadastros/consulta/cep/", {"postal_code": "0100"}).content.strip() == b""
    assert lookups_on.requests == []


def test_unknown_and_unreachable_say_so_and_the_form_still_saves(web, lookups_on):
    unknown = web.get("/cadastros/consulta/cep/", {"postal_code": "69999-999"}).content.decode()
    assert "Este CEP não está no serviço de consulta" in unknown and "data-lookup-fill" not in unknown

    lookups_on.fail_with = 500
    down = web.get("/cadastros/consulta/cnpj/", {"address_prefix": "address-", "document": "45723174000110"})
    assert "não respondeu" in down.content.decode() and "data-lookup-fill" not in down.content.decode()

    saved = web.post("/cadastros/novo/", {
        "kind": "company", "document": "45.723.174/0001-10", "legal_name": "Distribuidora Serra do Mar Ltda",
        "is_customer": "on", "ie_indicator": "9", "address-postal_code": "80010-000",
        "address-street": "Rua XV de Novembro", "address-number": "250", "address-district": "Centro",
        "address-municipality_id": "4106902",
    })  # fmt: skip
    assert saved.status_code == 302
    assert Party.objects.get().legal_name == "Distribuidora Serra do Mar Ltda"


def test_the_lookups_are_for_those_who_may_register(client, make_user, lookups_on):
    client.force_login(make_user("accountant"))

    assert client.get("/cadastros/consulta/cep/", {"postal_code": "01001-000"}).status_code == 403
    assert client.get("/cadastros/consulta/cnpj/", {"document": "45723174000110"}).status_code == 403
