"""The demo company: a Simples Nacional shop in São Paulo, its users, and each app's demo data."""

import importlib

from retaguarda.access import services as access
from retaguarda.access.departments import DEPARTMENTS
from retaguarda.access.models import User
from retaguarda.companies import services as companies
from retaguarda.companies.models import Company, TaxRegime
from retaguarda.core.actor import Actor, Origin

DEMO_CNPJ = "12345678000195"
DEMO_PASSWORD = "demo1234"
# Each app with demo data exposes `build(company, actor)`; the order follows the layers.
BUILDERS = [
    "retaguarda.parties.demo",
    "retaguarda.catalog.demo",
    "retaguarda.inventory.demo",
    "retaguarda.finance.demo",
    "retaguarda.fiscal.demo",
    "retaguarda.purchasing.demo",
    "retaguarda.sales.demo",
    "retaguarda.web.demo_day",  # the day's notes through a local fake SEFAZ: invoiced, shipped, a return
    "retaguarda.watch.demo",  # last: its run finds the problems in the other apps' demo data
]


def load() -> bool:
    """Create the demo company and users unless present; returns whether anything was created."""
    if Company.objects.filter(cnpj=DEMO_CNPJ).exists():
        return False
    actor = Actor(None, Origin.CLI)
    company = companies.create_company(
        actor=actor,
        legal_name="Casa Paulista Comércio de Utilidades Ltda",
        trade_name="Casa Paulista",
        cnpj=DEMO_CNPJ,
        state_registration="110042490114",
        cnae="4759899",
        tax_regime=TaxRegime.SIMPLES,
        postal_code="01310100",
        street="Avenida Paulista",
        number="1000",
        district="Bela Vista",
        municipality_id="3550308",
        phone="1133334444",
        email="contato@casapaulista.example",
    )
    actor = Actor(None, Origin.CLI, company.pk)
    if not User.objects.filter(username="demo").exists():
        access.create_user(
            "demo",
            DEMO_PASSWORD,
            actor=actor,
            departments=["admin"],
            companies=[company],
            first_name="Demonstração",
            is_superuser=True,
        )
    for code in DEPARTMENTS:
        if code != "admin" and not User.objects.filter(username=code).exists():
            access.create_user(code, DEMO_PASSWORD, actor=actor, departments=[code], companies=[company])
    for module in BUILDERS:
        try:
            builder = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        builder.build(company, actor)
    return True
