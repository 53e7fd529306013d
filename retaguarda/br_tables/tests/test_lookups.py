import pytest

from retaguarda.br_tables import selectors
from retaguarda.br_tables.postal_codes import uf_of_cep

pytestmark = pytest.mark.django_db


def test_municipalities_are_found_by_name_without_accents_and_with_the_uf():
    assert [str(m) for m in selectors.search_municipalities("sao jose dos campos")] == ["São José dos Campos/SP"]
    assert {m.uf for m in selectors.search_municipalities("Bom Jesus/PI")} == {"PI"}
    assert {m.uf for m in selectors.search_municipalities("bom jesus - rs")} == {"RS"}
    assert [m.code for m in selectors.search_municipalities("3550308")] == ["3550308"]


def test_ranking_puts_names_that_start_with_the_text_and_capitals_first():
    ranked = selectors.ranked(selectors.search_municipalities("rio"), "rio", limit=3)
    assert {m.code for m in ranked[:2]} == {"3304557", "1200401"}  # Rio de Janeiro and Rio Branco, capitals
    assert all(m.search_name.startswith("rio") for m in ranked)


def test_ncm_by_code_prefix_with_dots_or_by_words():
    assert selectors.ncms(q="2202.10").filter(code="22021000").exists()
    assert all(n.code.startswith("220210") for n in selectors.ncms(q="2202.10"))
    assert selectors.ncms(q="agua mineral").exists()


def test_cest_by_ncm_matches_whole_prefixes_only():
    codes = {c.code for c in selectors.cests(ncm="38151210")}
    assert "0100100" in codes  # lists 38151210 itself
    assert all(c.matches_ncm("38151210") for c in selectors.cests(ncm="38151210"))
    assert "0100200" in {c.code for c in selectors.cests(ncm="39171000")}  # lists the prefix 3917


def test_cfop_by_code_prefix_and_direction():
    assert {c.direction for c in selectors.cfops(q="5", direction="saida")} == {"saida"}
    assert selectors.cfops(q="5102").get().code == "5102"


def test_cep_ranges_tell_the_state():
    assert uf_of_cep("01310100") == "SP"
    assert uf_of_cep("20040002") == "RJ"
    assert uf_of_cep("69301000") == "RR"
    assert uf_of_cep("70040010") == "DF"
    assert uf_of_cep("90010000") == "RS"
    assert uf_of_cep("123") is None
