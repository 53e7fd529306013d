"""load_br_tables on a database full of products, parties and companies: an upsert that never deletes.

A code the new files no longer carry stays (old documents keep pointing at it) but is inactive, and
new records refuse it; a changed description is updated; a new code appears; reloading the old files
brings a code back.
"""

import csv
import shutil
from decimal import Decimal

import pytest
from django.core.management import call_command

from retaguarda.br_tables import selectors
from retaguarda.br_tables.loader import DATA, load
from retaguarda.br_tables.models import Cfop, Municipality, Ncm
from retaguarda.catalog import services as catalog
from retaguarda.catalog.errors import InvalidProduct
from retaguarda.catalog.models import Product
from retaguarda.core.errors import ValidationFailed
from retaguarda.parties import services as parties

RETIRED_NCM, CHANGED_NCM, NEW_NCM = "39241000", "39249000", "39249099"
RETIRED_CITY = "3509502"  # Campinas
RETIRED_CFOP = "5102"

pytestmark = pytest.mark.django_db


def _rewrite(path, keep, change=None, add=None):
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields, rows = reader.fieldnames, [r for r in reader if keep(r)]
    for row in rows:
        (change or (lambda r: None))(row)
    rows += add or []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def next_year(tmp_path):
    """The packaged files as next year's edition: one NCM, one municipality and one CFOP gone, one NCM
    described anew, one NCM added."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)

    def describe(row):
        if row["codigo"] == CHANGED_NCM:
            row["descricao"] = "Outros artigos de plástico"

    new = {
        "codigo": NEW_NCM,
        "descricao": "Outros de silicone",
        "descricao_completa": "Artigos de uso doméstico de plástico > Outros de silicone",
        "capitulo": "39",
        "data_inicio": "2027-01-01",
        "ato_inicio": "Res Gecex",
    }
    _rewrite(data / "ncm.csv", lambda r: r["codigo"] != RETIRED_NCM, describe, [new])
    _rewrite(data / "ibge_municipios.csv", lambda r: r["codigo_ibge"] != RETIRED_CITY)
    _rewrite(data / "cfop.csv", lambda r: r["codigo"] != RETIRED_CFOP)
    return data


def _customer(actor, n, city=RETIRED_CITY, cep="13015904"):
    return parties.create_party(
        actor=actor,
        kind="individual",
        document=["52998224725", "11144477735", "12345678909"][n],
        legal_name=f"Cliente {n}",
        is_customer=True,
        ie_indicator=9,
        addresses=[
            {"postal_code": cep, "street": "Rua A", "number": "1", "district": "Centro", "municipality_id": city}
        ],
    )


def test_reloading_next_years_tables_keeps_every_reference(next_year, actor):
    products = [
        catalog.create_product(
            actor=actor,
            sku=f"P{n:03d}",
            name=f"Pote {n}",
            ncm=RETIRED_NCM if n % 2 else CHANGED_NCM,
            price=Decimal("9.90"),
        )
        for n in range(40)
    ]
    customer = _customer(actor, 0)

    report = load(data=next_year)

    assert report["Ncm"]["added"] == 1 and report["Ncm"]["changed"] == 1 and report["Ncm"]["retired"] == 1
    assert report["Municipality"]["retired"] == 1 and report["Cfop"]["retired"] == 1
    assert Ncm.objects.get(pk=CHANGED_NCM).description == "Outros artigos de plástico"
    assert Ncm.objects.get(pk=NEW_NCM).is_active
    assert not Ncm.objects.get(pk=RETIRED_NCM).is_active
    assert not Municipality.objects.get(pk=RETIRED_CITY).is_active
    assert not Cfop.objects.get(pk=RETIRED_CFOP).is_active
    assert Product.objects.filter(ncm_id=RETIRED_NCM).count() == 20  # nothing deleted or repointed
    assert customer.addresses.get().municipality_id == RETIRED_CITY

    # New records refuse a retired code; lookups no longer offer it.
    with pytest.raises(InvalidProduct) as exc:
        catalog.create_product(actor=actor, sku="NEW", name="Pote novo", ncm=RETIRED_NCM, price=Decimal("1"))
    assert "39241000" in exc.value.details[0]["message"]
    with pytest.raises(InvalidProduct):
        catalog.update_product(products[0].pk, actor=actor, version=None, ncm=RETIRED_NCM)
    with pytest.raises(ValidationFailed) as exc:
        _customer(actor, 1)
    assert [d["field"] for d in exc.value.details] == ["addresses[0].municipality_id"]
    assert not selectors.ncms(q=RETIRED_NCM).exists()
    assert not selectors.search_municipalities("Campinas/SP").exists()
    assert selectors.ncms(q=NEW_NCM).exists()

    # A product that already had the retired code keeps working; so does an address that had it.
    old = products[1]
    catalog.update_product(old.pk, actor=actor, version=None, price=Decimal("10.90"))
    address = customer.addresses.get()
    parties.update_address(address.pk, actor=actor, street="Rua B")

    # Next year's files again change nothing; the old files bring the codes back.
    again = load(data=next_year)
    assert {name: (c["added"], c["changed"], c["retired"]) for name, c in again.items()} == {
        name: (0, 0, 0) for name in again
    }
    load()
    assert Ncm.objects.get(pk=RETIRED_NCM).is_active and not Ncm.objects.filter(pk=NEW_NCM, is_active=True).exists()


def test_the_command_reports_what_changed(capsys):
    call_command("load_br_tables")
    out = capsys.readouterr().out
    assert "Ncm:" in out and "(0 added, 0 changed, 0 retired)" in out
