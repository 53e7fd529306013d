"""`calculate(context, lines)`: every tax of every line, the rule behind each, and the totals.

A pure function: the caller passes the rules and the state rates in the context (loaded once from the
database or from a test's literals), so the same input always gives the same output.
"""

from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.money import ZERO
from retaguarda.fiscal.errors import MissingIbsCbs, MixedTaxCodes, TaxError
from retaguarda.fiscal.taxes.calculators import CALCULATORS, requires_st
from retaguarda.fiscal.taxes.matching import pick
from retaguarda.fiscal.taxes.model import LineIn, LineTaxes, Regime, Tax, TaxContext, TaxResult, TaxValue

IBS_CBS = (Tax.IBS_UF, Tax.IBS_MUN, Tax.CBS)
# Extra amounts that also have a total in the NF-e header (ICMSTot).
SUMMED_EXTRAS = ("vFCPST", "vFCPUFDest", "vCredICMSSN")


def icms_kind(context: TaxContext) -> str:
    return Tax.ICMS_SN if context.regime == Regime.SIMPLES else Tax.ICMS


def _check_code_family(kind: str, code: str, context: TaxContext, line: LineIn) -> None:
    """CSOSN (3 digits) for Simples Nacional, CST (2 digits) for everyone else: SEFAZ rejects a mix (590/591)."""
    if kind == Tax.ICMS_SN and len(code) != 3:
        raise MixedTaxCodes(
            _(
                "Line %(n)s: a Simples Nacional emitter (CRT %(crt)s) uses a CSOSN, not the CST %(code)s (rejection 590)."
            )
            % {"n": line.number, "crt": context.crt, "code": code}
        )
    if kind == Tax.ICMS and len(code) != 2:
        raise MixedTaxCodes(
            _(
                "Line %(n)s: an emitter outside the Simples Nacional (CRT %(crt)s) uses a CST, not the CSOSN %(code)s (rejection 591)."
            )
            % {"n": line.number, "crt": context.crt, "code": code}
        )


def calculate_line(context: TaxContext, line: LineIn) -> LineTaxes:
    kind = icms_kind(context)
    cfop = context.cfops.get(context.scope, "")
    icms_rule, _reasons = pick(kind, context, line, cfop)
    if icms_rule is None:
        raise TaxError(
            _("Line %(n)s (NCM %(ncm)s): no ICMS rule applies to operation %(op)s, %(from)s → %(to)s.")
            % {
                "n": line.number,
                "ncm": line.ncm,
                "op": context.operation,
                "from": context.emitter_uf,
                "to": context.recipient_uf,
            }
        )
    _check_code_family(kind, icms_rule.cst, context, line)
    cfop = icms_rule.set_cfop or cfop
    if not cfop:
        raise TaxError(_("Line %(n)s: the operation has no CFOP for this destination.") % {"n": line.number})

    done: dict[str, TaxValue] = {}
    for tax, calculator in CALCULATORS.items():
        if tax in (Tax.ICMS, Tax.ICMS_SN) and tax != kind:
            continue
        rule, reasons = pick(tax, context, line, cfop)
        if rule is None:
            if tax == Tax.ICMS_ST and requires_st(done.get(kind)):
                raise TaxError(
                    _("Line %(n)s: CST/CSOSN %(cst)s charges ICMS-ST, but no ICMS-ST rule applies (MVA and rate).")
                    % {"n": line.number, "cst": done[kind].cst}
                )
            continue
        value = calculator.compute(context, line, rule, reasons, done)
        if value is not None:
            done[tax] = value

    present = [tax for tax in IBS_CBS if tax in done]
    if context.regime == Regime.NORMAL and len(present) < len(IBS_CBS):
        raise MissingIbsCbs(
            _("Line %(n)s: a normal regime company must fill the IBS/CBS group; no IBS/CBS rate applies on %(day)s.")
            % {"n": line.number, "day": context.issue_date.strftime("%d/%m/%Y")}
        )
    if present and len(present) < len(IBS_CBS):
        raise TaxError(
            _("Line %(n)s: IBS (state and municipal) and CBS go together; a rate is missing.") % {"n": line.number}
        )
    return LineTaxes(number=line.number, cfop=cfop, taxes=done)


def calculate(context: TaxContext, lines: Sequence[LineIn]) -> TaxResult:
    """Every line's taxes and the header totals (sums of the rounded line values)."""
    results = tuple(calculate_line(context, line) for line in lines)
    totals: dict[str, Decimal] = {}
    for result in results:
        for tax, value in result.taxes.items():
            totals[tax] = totals.get(tax, ZERO) + value.value
            totals[f"{tax}.base"] = totals.get(f"{tax}.base", ZERO) + value.base
            for key in SUMMED_EXTRAS:
                if key in value.extra:
                    totals[key] = totals.get(key, ZERO) + value.extra[key]
    return TaxResult(lines=results, totals=totals)
