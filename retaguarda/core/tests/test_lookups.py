"""The CEP and CNPJ adapter against the local fake, which speaks the public services' protocol on 127.0.0.1."""

import socket
import time

import pytest

from retaguarda.core import lookups
from retaguarda.core.lookups import FOUND, NOT_FOUND, OFF, UNAVAILABLE, Lookups
from retaguarda.core.lookups.fake import FakeLookups


@pytest.fixture(scope="module")
def fake():
    with FakeLookups() as running:
        yield running


@pytest.fixture
def service(fake):
    fake.fail_with, fake.delay = None, 0.0
    fake.requests.clear()
    return Lookups(cep_url=fake.cep_url, cnpj_url=fake.cnpj_url, timeout=2)


def test_a_known_cep_gives_street_district_municipality_and_uf(service):
    answer = service.cep("01001-000")

    assert answer.status == FOUND
    place = answer.found
    assert (place.postal_code, place.street, place.district) == ("01001000", "Praça da Sé", "Sé")
    assert (place.municipality_code, place.municipality_name, place.uf) == ("3550308", "São Paulo", "SP")
    assert place.complement == ""  # ViaCEP's "lado ímpar" describes the CEP's range, not the address


def test_an_unknown_cep_is_not_found(service, fake):
    assert service.cep("69999-999").status == NOT_FOUND
    assert fake.requests == ["/ws/69999999/json/"]  # asked, and the {"erro": "true"} answer read


def test_a_cep_that_is_not_eight_digits_is_not_even_asked(service, fake):
    assert service.cep("0100").status == NOT_FOUND
    assert fake.requests == []


def test_an_alphanumeric_cnpj_gives_legal_name_trade_name_and_address(service, fake):
    answer = service.cnpj("r7.t3k.9q2/0001-81")

    assert answer.status == FOUND
    company = answer.found
    assert fake.requests == ["/api/cnpj/v1/R7T3K9Q2000181"]
    assert (company.cnpj, company.legal_name, company.trade_name) == (
        "R7T3K9Q2000181",
        "ALFA NUMERICA COMERCIO DE UTILIDADES LTDA",
        "CASA ALFA",
    )
    place = company.place
    assert (place.street, place.number, place.complement, place.district) == (
        "AVENIDA PAULISTA",
        "1578",
        "LOJA 2",
        "BELA VISTA",
    )
    assert (place.postal_code, place.municipality_code, place.uf) == ("01310200", "3550308", "SP")


def test_a_numeric_cnpj_whose_cep_comes_as_a_number_keeps_its_leading_digits(service, fake):
    fake.add_cnpj({"cnpj": "11222333000181", "razao_social": "ZERO A ESQUERDA LTDA", "nome_fantasia": None,
                   "logradouro": "DA SE", "descricao_tipo_de_logradouro": "PRACA", "cep": 1001000,
                   "codigo_municipio_ibge": 3550308, "municipio": "SAO PAULO", "uf": "SP"})  # fmt: skip

    company = service.cnpj("11.222.333/0001-81").found

    assert company.trade_name == ""
    assert (company.place.postal_code, company.place.street) == ("01001000", "PRACA DA SE")


def test_an_unknown_cnpj_is_not_found_and_a_wrong_check_digit_is_not_asked(service, fake):
    assert service.cnpj("45.723.174/0002-00").status == NOT_FOUND  # valid, but the service has no such company
    assert service.cnpj("R7T3K9Q2000182").status == NOT_FOUND

    assert fake.requests == ["/api/cnpj/v1/45723174000200"]


def test_a_server_error_is_unavailable_not_an_exception(service, fake):
    fake.fail_with = 500

    assert service.cep("01001-000").status == UNAVAILABLE
    assert service.cnpj("45723174000110").status == UNAVAILABLE


def test_a_slow_service_is_given_up_after_the_timeout(fake):
    fake.fail_with, fake.delay = None, 1.5
    quick = Lookups(cep_url=fake.cep_url, timeout=0.3)

    started = time.monotonic()
    answer = quick.cep("01001-000")

    assert answer.status == UNAVAILABLE
    assert time.monotonic() - started < 1.4  # not the whole 1.5 s the fake takes
    fake.delay = 0.0


def test_an_unreachable_service_is_unavailable():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    nowhere = Lookups(cep_url=f"http://127.0.0.1:{port}/ws", cnpj_url=f"http://127.0.0.1:{port}/cnpj", timeout=1)

    assert nowhere.cep("01001-000").status == UNAVAILABLE
    assert nowhere.cnpj("45723174000110").status == UNAVAILABLE


def test_an_address_that_is_not_http_turns_the_lookup_off():
    assert Lookups(cep_url="file:///etc/passwd").cep("01001-000").status == OFF


def test_lookups_are_off_unless_the_settings_turn_them_on(settings, fake):
    settings.LOOKUPS_ENABLED = False
    settings.LOOKUP_CEP_URL, settings.LOOKUP_CNPJ_URL = fake.cep_url, fake.cnpj_url
    assert lookups.find_cep("01001-000").status == OFF
    assert lookups.find_cnpj("45723174000110").status == OFF

    settings.LOOKUPS_ENABLED = True
    assert lookups.find_cep("01001-000").found.municipality_name == "São Paulo"
    assert lookups.find_cnpj("45723174000110").found.legal_name == "DISTRIBUIDORA SERRA DO MAR LTDA"
