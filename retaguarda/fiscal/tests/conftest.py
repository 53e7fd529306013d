"""Fiscal test factories: a seeded company, customers in and out of the state, products, notes."""

import itertools
import shutil
import subprocess
from decimal import Decimal

import pytest

from retaguarda.catalog.models import Product
from retaguarda.companies.models import TaxRegime
from retaguarda.core.actor import Actor, Origin
from retaguarda.fiscal import services
from retaguarda.fiscal.models import FiscalSettings
from retaguarda.fiscal.sefaz.fake import FakeSefaz
from retaguarda.parties import services as parties

_seq = itertools.count(1)

XMLSEC = shutil.which("xmlsec1")


def xmlsec_verify(xml: bytes, tmp_path, id_attr: str = "infNFe") -> subprocess.CompletedProcess:
    """Check a signature with an independent verifier (xmlsec1, libxml2 + OpenSSL; Debian package
    `xmlsec1`, installed by `.ci/run`). Missing, it fails the test: a signature nobody checked is no test."""
    assert XMLSEC, "xmlsec1 is not installed: apt-get install xmlsec1"
    path = tmp_path / f"signed-{next(_seq)}.xml"
    path.write_bytes(xml)
    return subprocess.run(
        [XMLSEC, "--verify", "--id-attr:Id", id_attr, "--insecure", str(path)], capture_output=True, text=True
    )


@pytest.fixture
def fiscal_company(make_company):
    """A Simples Nacional shop in São Paulo, seeded, signing with a test certificate."""

    def make(**fields):
        company = make_company(**fields)
        actor = Actor(None, Origin.CLI, company.pk)
        services.seed_company(company, actor=actor)
        FiscalSettings.objects.filter(company=company).update(uses_test_certificate=True)
        return company

    return make


@pytest.fixture
def simples(fiscal_company):
    return fiscal_company()


@pytest.fixture
def normal(fiscal_company):
    return fiscal_company(tax_regime=TaxRegime.NORMAL)


@pytest.fixture
def make_customer():
    def make(company, *, uf_city="3550308", cep="01310100", ie_indicator=9, document=None, ie="", kind="individual"):
        n = next(_seq)
        return parties.create_party(
            actor=Actor(None, Origin.CLI, company.pk),
            kind=kind,
            document=document or f"{n:09d}".rjust(9, "1")[:9] + _cpf_digits(f"{n:09d}".rjust(9, "1")[:9]),
            legal_name=f"Cliente {n}",
            is_customer=True,
            ie_indicator=ie_indicator,
            state_registration=ie,
            addresses=[
                {
                    "postal_code": cep,
                    "street": "Rua das Flores",
                    "number": "10",
                    "district": "Centro",
                    "municipality_id": uf_city,
                }
            ],
        )

    return make


def _cpf_digits(nine: str) -> str:
    from retaguarda.core.validators import _cpf_digit

    d1 = _cpf_digit(nine)
    return d1 + _cpf_digit(nine + d1)


@pytest.fixture
def make_item_product():
    def make(company, *, ncm="39241000", origin=0, price="50.00", name=None):
        n = next(_seq)
        return Product.objects.create(
            company=company,
            sku=f"P{n:04d}",
            name=name or f"Pote plástico {n}",
            ncm_id=ncm,
            origin=origin,
            price=Decimal(price),
        )

    return make


@pytest.fixture
def fiscal_actor(admin_user):
    def make(company):
        admin_user.companies.add(company)
        return Actor(admin_user, Origin.CLI, company.pk)

    return make


@pytest.fixture
def fake(tmp_path, settings):
    """The local fake SEFAZ over TLS, its CA in a fresh folder."""
    settings.FAKE_SEFAZ_DIR = tmp_path / "fake-sefaz"
    settings.SEFAZ_TIMEOUT = 3
    with FakeSefaz(settings.FAKE_SEFAZ_DIR) as server:
        yield server


@pytest.fixture
def at_fake(fiscal_company, fake):
    def make(**fields):
        company = fiscal_company(**fields)
        FiscalSettings.objects.filter(company=company).update(sefaz_url=fake.url)
        return company

    return make
