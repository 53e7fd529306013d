"""A contacts file exported by Tiny (or Bling) imports as it is: roles, person type, address by city name."""

from pathlib import Path

from retaguarda.core import tabular
from retaguarda.parties.models import Party

SAMPLES = Path(__file__).parent / "samples"


def test_a_tiny_contacts_export_imports_in_one_step(actor):
    report = tabular.run_import("parties", SAMPLES / "tiny-contatos.csv", actor=actor)

    assert report.ok, report.errors
    assert report.saved == 3
    market = Party.objects.get(document="12ABC34501DE35")
    assert (market.legal_name, market.trade_name, market.is_customer, market.is_supplier) == (
        "Mercado Nova Era Ltda",
        "Nova Era",
        True,
        False,
    )
    address = market.addresses.get()
    assert (address.municipality_id, address.postal_code, address.complement) == ("3509502", "13015904", "Sala 3")
    maria = Party.objects.get(document="52998224725")
    assert maria.kind == "individual" and maria.state_registration == ""  # her "IE / RG" was an RG
    assert maria.phone == "19998765432"
    supplier = Party.objects.get(document="11222333000181")
    assert (supplier.is_customer, supplier.is_supplier, supplier.is_carrier) == (False, True, True)


def test_a_contacts_file_without_roles_registers_customers(actor):
    lines = ["Nome;CNPJ / CPF", "Maria da Silva Souza;529.982.247-25"]

    report = tabular.run_import("parties", "\n".join(lines).encode(), actor=actor)

    assert report.ok, report.errors
    assert Party.objects.get().is_customer is True
