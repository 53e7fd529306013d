"""Golden tax scenarios. Every expected value was worked out by hand from the formula in the
calculator's docstring (and its legal basis) before the test was run; the arithmetic is in the comments."""

from datetime import date
from decimal import Decimal as D

import pytest

from retaguarda.core.money import spread
from retaguarda.fiscal.errors import MissingIbsCbs, MixedTaxCodes, TaxError
from retaguarda.fiscal.taxes import LineIn, Rule, Tax, TaxContext, UfRates, calculate

DAY_2026 = date(2026, 12, 10)
UF = {
    "SP": UfRates(D("18")),
    "MG": UfRates(D("18")),
    "BA": UfRates(D("20.5")),
    "RJ": UfRates(D("20"), D("2")),
}
SALE_CFOPS = {"internal": "5102", "interstate": "6102", "foreign": "7102"}
IBS_CBS_2026 = (
    Rule(90, "CBS 2026", Tax.CBS, rate=D("0.9"), cst="000", cclasstrib="000001", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)),
    Rule(91, "IBS UF 2026", Tax.IBS_UF, rate=D("0.1"), cst="000", cclasstrib="000001", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)),
    Rule(92, "IBS mun 2026", Tax.IBS_MUN, rate=D("0"), cst="000", cclasstrib="000001", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31)),
)  # fmt: skip
NON_CUMULATIVE = (
    Rule(80, "PIS non-cumulative", Tax.PIS, cst="01", rate=D("1.65")),
    Rule(81, "COFINS non-cumulative", Tax.COFINS, cst="01", rate=D("7.6")),
)
CUMULATIVE = (
    Rule(82, "PIS cumulative", Tax.PIS, cst="01", rate=D("0.65")),
    Rule(83, "COFINS cumulative", Tax.COFINS, cst="01", rate=D("3")),
)


def context(crt, emitter_uf, recipient_uf, rules, *, ie=1, final=False, operation="venda", cfops=SALE_CFOPS):
    return TaxContext(
        issue_date=DAY_2026,
        operation=operation,
        crt=crt,
        emitter_uf=emitter_uf,
        recipient_uf=recipient_uf,
        recipient_ie_indicator=ie,
        final_consumer=final,
        cfops=cfops,
        rules=tuple(rules),
        uf_rates=UF,
    )


def test_simples_within_the_state_gives_the_buyer_the_csosn_101_credit():
    rules = [
        Rule(1, "Simples venda", Tax.ICMS_SN, cst="101", credit_rate=D("1.25"), regime="simples"),
        Rule(2, "PIS Simples", Tax.PIS, cst="49"),
        Rule(3, "COFINS Simples", Tax.COFINS, cst="49"),
    ]
    line = LineIn(1, "39241000", 0, gross=D("100.00"))  # 2 x 50.00

    result = calculate(context(1, "SP", "SP", rules), [line])

    taxes = result.lines[0]
    assert taxes.cfop == "5102"
    sn = taxes.get(Tax.ICMS_SN)
    assert (sn.cst, sn.base, sn.extra["vCredICMSSN"]) == ("101", D("100.00"), D("1.25"))  # 100.00 x 1.25 %
    assert taxes.value(Tax.ICMS) == 0 and taxes.get(Tax.ICMS) is None
    assert taxes.get(Tax.PIS).value == 0 and taxes.get(Tax.PIS).cst == "49"
    assert taxes.get(Tax.CBS) is None  # Simples Nacional fills IBS/CBS only from 2027
    assert "Simples venda" in sn.why[0] and sn.rule_id == 1


def test_interstate_sale_to_a_taxpayer_with_st_uses_the_adjusted_mva():
    rules = [
        Rule(1, "Venda tributada", Tax.ICMS, cst="10", regime="normal"),
        Rule(2, "ST autopeças", Tax.ICMS_ST, ncm_prefix="8708", mva=D("40")),
        *NON_CUMULATIVE,
        *IBS_CBS_2026,
    ]
    line = LineIn(1, "87089990", 0, gross=D("300.00"), freight=D("20.00"))  # 10 x 30.00 + freight

    taxes = calculate(context(3, "SP", "MG", rules, ie=1), [line]).lines[0]

    icms = taxes.get(Tax.ICMS)
    assert taxes.cfop == "6102"
    assert (icms.base, icms.rate, icms.value) == (D("320.00"), D("12"), D("38.40"))  # SP->MG 12 %
    st = taxes.get(Tax.ICMS_ST)
    # MVA adjusted = (1.40 x (1 - 0.12) / (1 - 0.18)) - 1 = 1.232 / 0.82 - 1 = 0.50243902 -> 50.2439 %
    assert st.extra["pMVAST"] == D("50.2439")
    # vBCST = 320.00 x 1.502439 = 480.78048 -> 480.78; 480.78 x 18 % = 86.5404 -> 86.54; 86.54 - 38.40 = 48.14
    assert (st.base, st.rate, st.value) == (D("480.78"), D("18"), D("48.14"))
    # PIS/COFINS base = 320.00 - 38.40 = 281.60; x 1.65 % = 4.6464 -> 4.65; x 7.6 % = 21.4016 -> 21.40
    assert (taxes.get(Tax.PIS).base, taxes.value(Tax.PIS), taxes.value(Tax.COFINS)) == (
        D("281.60"),
        D("4.65"),
        D("21.40"),
    )
    # IBS/CBS base = 320.00 - 4.65 - 21.40 - 38.40 = 255.55; CBS 0.9 % = 2.29995 -> 2.30; IBS UF 0.1 % = 0.25555 -> 0.26
    assert taxes.get(Tax.CBS).base == D("255.55")
    assert (taxes.value(Tax.CBS), taxes.value(Tax.IBS_UF), taxes.value(Tax.IBS_MUN)) == (
        D("2.30"),
        D("0.26"),
        D("0.00"),
    )


def test_interstate_sale_to_a_final_consumer_pays_difal_to_the_destination():
    rules = [
        Rule(1, "Venda tributada", Tax.ICMS, cst="00", regime="normal"),
        Rule(2, "DIFAL", Tax.DIFAL, recipient="non_taxpayer"),
        *CUMULATIVE,
        *IBS_CBS_2026,
    ]
    line = LineIn(1, "94036000", 0, gross=D("1000.00"))

    taxes = calculate(context(3, "SP", "BA", rules, ie=9, final=True), [line]).lines[0]

    icms = taxes.get(Tax.ICMS)
    assert (icms.rate, icms.value) == (D("7"), D("70.00"))  # SP->BA 7 %
    difal = taxes.get(Tax.DIFAL)
    assert (difal.base, difal.rate, difal.extra["pICMSInter"], difal.value) == (
        D("1000.00"),
        D("20.5"),
        D("7"),
        D("135.00"),
    )  # 1000.00 x (20.5 % - 7 %)
    # PIS 0.65 % of (1000 - 70) = 6.045 -> 6.05; COFINS 3 % of 930 = 27.90
    assert (taxes.value(Tax.PIS), taxes.value(Tax.COFINS)) == (D("6.05"), D("27.90"))
    # IBS/CBS base = 1000 - 6.05 - 27.90 - 70 - 135 = 761.05; CBS 6.84945 -> 6.85; IBS UF 0.76105 -> 0.76
    assert (taxes.get(Tax.CBS).base, taxes.value(Tax.CBS), taxes.value(Tax.IBS_UF)) == (
        D("761.05"),
        D("6.85"),
        D("0.76"),
    )


def test_difal_with_a_double_base_grosses_up_with_the_destination_rate_and_fcp():
    rules = [
        Rule(1, "Venda tributada", Tax.ICMS, cst="00", regime="normal"),
        Rule(2, "DIFAL base dupla", Tax.DIFAL, recipient="non_taxpayer", difal_double_base=True),
        *CUMULATIVE,
        *IBS_CBS_2026,
    ]
    uf = {**UF, "MG": UfRates(D("18"), D("2"))}
    ctx = context(3, "SP", "MG", rules, ie=9, final=True)
    ctx = TaxContext(**{**ctx.__dict__, "uf_rates": uf})

    difal = calculate(ctx, [LineIn(1, "94036000", 0, gross=D("1000.00"))]).lines[0].get(Tax.DIFAL)

    # base = (1000 - 1000 x 12 %) / (1 - 20 %) = 880 / 0.8 = 1100.00; DIFAL = 1100 x 18 % - 120 = 78.00
    assert (difal.base, difal.value) == (D("1100.00"), D("78.00"))
    assert difal.extra["vFCPUFDest"] == D("22.00")  # 1100 x 2 %


def test_normal_regime_with_ipi_to_a_consumer_puts_ipi_in_the_icms_base():
    rules = [
        Rule(1, "Venda industrial", Tax.ICMS, cst="00", regime="normal"),
        Rule(2, "IPI 10%", Tax.IPI, cst="50", rate=D("10"), ncm_prefix="8516"),
        *NON_CUMULATIVE,
        *IBS_CBS_2026,
    ]
    line = LineIn(1, "85166000", 0, gross=D("1000.00"))  # 4 x 250.00

    taxes = calculate(context(3, "SP", "SP", rules, ie=1, final=True), [line]).lines[0]

    assert (taxes.get(Tax.IPI).base, taxes.value(Tax.IPI)) == (D("1000.00"), D("100.00"))
    icms = taxes.get(Tax.ICMS)
    assert (icms.base, icms.value) == (D("1100.00"), D("198.00"))  # (1000 + IPI 100) x 18 %
    # PIS/COFINS base = 1000 - 198 = 802; 13.233 -> 13.23; 60.952 -> 60.95
    assert (taxes.value(Tax.PIS), taxes.value(Tax.COFINS)) == (D("13.23"), D("60.95"))
    # IBS/CBS base = 1000 - 13.23 - 60.95 - 198 = 727.82; CBS 6.55038 -> 6.55; IBS UF 0.72782 -> 0.73
    assert (taxes.get(Tax.CBS).base, taxes.value(Tax.CBS), taxes.value(Tax.IBS_UF)) == (
        D("727.82"),
        D("6.55"),
        D("0.73"),
    )


def test_ipi_stays_out_of_the_icms_base_between_taxpayers_for_resale():
    rules = [
        Rule(1, "Venda industrial", Tax.ICMS, cst="00", regime="normal"),
        Rule(2, "IPI 10%", Tax.IPI, cst="50", rate=D("10")),
        *NON_CUMULATIVE,
        *IBS_CBS_2026,
    ]
    taxes = calculate(context(3, "SP", "SP", rules, ie=1, final=False), [LineIn(1, "85166000", 0, gross=D("1000.00"))])

    assert taxes.lines[0].get(Tax.ICMS).base == D("1000.00")


def test_a_customer_return_takes_the_return_cfop_and_the_original_rate():
    return_cfops = {"internal": "1202", "interstate": "2202", "foreign": "3202"}
    rules = [
        Rule(1, "Venda tributada", Tax.ICMS, cst="00", regime="normal", operation="venda"),
        Rule(2, "Devolução de venda", Tax.ICMS, cst="00", regime="normal", operation="devolucao_venda"),
        Rule(3, "PIS devolução", Tax.PIS, cst="98", operation="devolucao_venda"),
        Rule(4, "COFINS devolução", Tax.COFINS, cst="98", operation="devolucao_venda"),
        *IBS_CBS_2026,
    ]
    ctx = context(3, "SP", "RJ", rules, ie=1, operation="devolucao_venda", cfops=return_cfops)

    taxes = calculate(ctx, [LineIn(1, "39241000", 0, gross=D("100.00"))]).lines[0]

    assert taxes.cfop == "2202"
    icms = taxes.get(Tax.ICMS)
    assert (icms.rule_id, icms.rate, icms.value) == (2, D("12"), D("12.00"))  # SP<->RJ 12 %
    assert taxes.value(Tax.PIS) == 0
    assert taxes.get(Tax.CBS).base == D("88.00")  # 100 - 12


def test_discount_and_freight_spread_over_lines_sum_exactly_to_the_header():
    rules = [Rule(1, "Simples venda", Tax.ICMS_SN, cst="101", credit_rate=D("2"))]
    freight = spread(D("10.00"), [D("10.00")] * 3)  # 3.34, 3.33, 3.33
    discount = spread(D("1.00"), [D("10.00")] * 3)  # 0.34, 0.33, 0.33
    lines = [LineIn(n + 1, "39241000", 0, gross=D("10.00"), freight=freight[n], discount=discount[n]) for n in range(3)]

    result = calculate(context(1, "SP", "SP", rules, ie=9, final=True), lines)

    bases = [line.get(Tax.ICMS_SN).base for line in result.lines]
    assert bases == [D("13.00"), D("13.00"), D("13.00")]  # 10 - 0.34 + 3.34; 10 - 0.33 + 3.33
    assert sum(bases) == D("30.00") - D("1.00") + D("10.00")
    assert (
        result.totals["vCredICMSSN"]
        == D("0.78")
        == sum(line.get(Tax.ICMS_SN).extra["vCredICMSSN"] for line in result.lines)
    )


def test_a_cst_on_a_simples_emitter_is_refused_as_sefaz_would_590():
    rules = [Rule(1, "Wrong", Tax.ICMS_SN, cst="00")]
    with pytest.raises(MixedTaxCodes) as err:
        calculate(context(1, "SP", "SP", rules), [LineIn(1, "39241000", 0, gross=D("10"))])
    assert "590" in err.value.message


def test_a_csosn_on_a_normal_regime_emitter_is_refused_as_sefaz_would_591():
    rules = [Rule(1, "Wrong", Tax.ICMS, cst="102"), *IBS_CBS_2026]
    with pytest.raises(MixedTaxCodes) as err:
        calculate(context(3, "SP", "SP", rules), [LineIn(1, "39241000", 0, gross=D("10"))])
    assert "591" in err.value.message


def test_a_normal_regime_line_without_ibs_cbs_cannot_be_computed():
    rules = [Rule(1, "Venda", Tax.ICMS, cst="00"), *NON_CUMULATIVE]
    with pytest.raises(MissingIbsCbs):
        calculate(context(3, "SP", "SP", rules), [LineIn(1, "39241000", 0, gross=D("10"))])


def test_ibs_cbs_rates_follow_their_validity_dates():
    expired = tuple(Rule(r.id, r.name, r.tax, rate=r.rate, valid_until=date(2025, 12, 31)) for r in IBS_CBS_2026)
    with pytest.raises(MissingIbsCbs):
        calculate(
            context(3, "SP", "SP", [Rule(1, "Venda", Tax.ICMS, cst="00"), *expired]), [LineIn(1, "1", 0, gross=D("10"))]
        )


def test_higher_priority_then_more_specific_rule_wins_and_says_why():
    rules = [
        Rule(1, "Geral", Tax.ICMS_SN, cst="102"),
        Rule(2, "ST por NCM", Tax.ICMS_SN, cst="500", ncm_prefix="2203", set_cfop="5405"),
        Rule(3, "Prioritária", Tax.ICMS_SN, cst="103", ncm_prefix="220300", priority=10),
    ]
    ctx = context(1, "SP", "SP", rules, ie=9, final=True)

    beer, soda, other = calculate(
        ctx,
        [
            LineIn(1, "22030000", 0, gross=D("10")),
            LineIn(2, "22031000", 0, gross=D("10")),
            LineIn(3, "39241000", 0, gross=D("10")),
        ],
    ).lines

    assert beer.get(Tax.ICMS_SN).rule_id == 3
    assert (soda.get(Tax.ICMS_SN).rule_id, soda.cfop) == (2, "5405")
    assert "NCM 2203*" in soda.get(Tax.ICMS_SN).why[0]
    assert other.get(Tax.ICMS_SN).rule_id == 1


def test_no_icms_rule_is_an_error_naming_the_line():
    with pytest.raises(TaxError) as err:
        calculate(context(1, "SP", "SP", []), [LineIn(7, "39241000", 0, gross=D("10"))])
    assert "7" in err.value.message


def test_imported_goods_pay_4_percent_between_states():
    rules = [Rule(1, "Venda", Tax.ICMS, cst="00"), *IBS_CBS_2026]
    taxes = calculate(context(3, "SP", "BA", rules), [LineIn(1, "85166000", 1, gross=D("100.00"))]).lines[0]
    assert (taxes.get(Tax.ICMS).rate, taxes.value(Tax.ICMS)) == (D("4"), D("4.00"))


def test_simples_with_st_deducts_the_icms_a_normal_seller_would_have_paid():
    rules = [
        Rule(1, "Simples com ST", Tax.ICMS_SN, cst="202"),
        Rule(2, "ST", Tax.ICMS_ST, mva=D("50")),
    ]
    taxes = calculate(context(1, "SP", "SP", rules, ie=1), [LineIn(1, "22030000", 0, gross=D("100.00"))]).lines[0]
    st = taxes.get(Tax.ICMS_ST)
    # base 100 x 1.5 = 150.00 (no adjusted MVA for Simples); 150 x 18 % = 27.00 - own 100 x 18 % = 18.00 -> 9.00
    assert (st.base, st.value, st.extra["pMVAST"]) == (D("150.00"), D("9.00"), D("50"))


def test_fcp_of_the_emitters_state_on_internal_sales():
    rules = [Rule(1, "Venda", Tax.ICMS, cst="00"), Rule(2, "FCP", Tax.FCP), *IBS_CBS_2026]
    taxes = calculate(context(3, "RJ", "RJ", rules), [LineIn(1, "39241000", 0, gross=D("100.00"))]).lines[0]
    assert (taxes.value(Tax.ICMS), taxes.value(Tax.FCP)) == (D("20.00"), D("2.00"))  # RJ 20 % + FCP 2 %


def test_a_rules_reasons_are_written_once_per_rule_and_language():
    from django.utils import translation

    from retaguarda.fiscal.taxes.matching import reasons

    rule = Rule(1, "Venda interestadual", Tax.ICMS, cst="00", scope="interstate", origin_uf="SP")
    with translation.override("en"):
        english = reasons(rule)
    with translation.override("pt-br"):
        portuguese = reasons(rule)
    assert english == ("from SP", "scope interstate")
    assert portuguese == ("de SP", "destino interestadual")
    with translation.override("en"):
        assert reasons(rule) is english  # the same rule again: not written twice
        assert reasons(Rule(1, "Venda interestadual", Tax.ICMS, cst="00", scope="internal")) == (
            "scope within the state",
        )
