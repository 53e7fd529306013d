"""Figures print the Brazilian way; a template with a missing figure prints a dash instead of failing."""

from retaguarda.watch.figures import explain, printed


def test_figures_print_as_brazilians_write_them():
    assert printed({"value": "-1234.5", "kind": "money"}) == "-R$\u00a01.234,50"
    assert printed({"value": "1234.5000", "kind": "qty"}) == "1.234,5"
    assert printed({"value": 1712, "kind": "int"}) == "1712"
    assert printed({"value": "2026-03-10", "kind": "date"}) == "10/03/2026"
    assert printed({"value": None, "kind": "money"}) == "—"


def test_an_explanation_fills_its_figures_and_survives_a_missing_one():
    figures = {"open": {"value": "150.00", "kind": "money"}}
    assert explain("%(open)s em aberto desde %(due)s", figures) == "R$\u00a0150,00 em aberto desde —"
