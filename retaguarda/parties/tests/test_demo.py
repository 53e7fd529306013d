import random

from retaguarda.core.validators import is_valid_cnpj, is_valid_cpf
from retaguarda.parties import demo
from retaguarda.parties.models import Party, PartyAddress


def test_the_demo_registers_about_a_hundred_valid_parties_in_several_states(company, actor):
    count = demo.build(company, actor)

    parties = Party.objects.filter(company=company)
    assert count == parties.count() == 100
    assert parties.filter(is_customer=True).count() >= 60
    assert parties.filter(is_supplier=True).count() >= 25
    assert parties.filter(is_carrier=True).count() == 10
    assert all(is_valid_cpf(p.document) if p.kind == "individual" else is_valid_cnpj(p.document) for p in parties)
    assert parties.filter(document="12ABC34501DE35", is_supplier=True).exists()
    assert parties.exclude(document__regex=r"^\d+$").count() >= 2  # alphanumeric CNPJs
    states = set(PartyAddress.objects.filter(party__company=company).values_list("uf", flat=True))
    assert {"SP", "RJ", "MG", "PR", "RS", "BA", "PE"} <= states


def test_the_demo_is_the_same_on_every_run():
    first = demo.parties(random.Random(demo.SEED))
    second = demo.parties(random.Random(demo.SEED))
    assert first == second
    assert len({p["document"] for p in first}) == len(first)
