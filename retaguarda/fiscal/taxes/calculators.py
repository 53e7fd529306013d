"""One calculator per tax. Each gets the line, the rule that fired and the taxes computed before it
(IPI before ICMS, ICMS before ST, DIFAL, PIS/COFINS and IBS/CBS), and returns a `TaxValue` whose
`why` quotes the rule and the formula. Values are rounded half up to the centavo per line."""

from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.core.money import ZERO, amount, quantize
from retaguarda.fiscal.errors import TaxError
from retaguarda.fiscal.taxes.model import LineIn, Regime, Rule, Scope, Tax, TaxContext, TaxValue
from retaguarda.fiscal.taxes.rates import interstate_rate, money, percent

HUNDRED = Decimal(100)

# ICMS CSTs (regime normal) and CSOSNs (Simples) this engine computes, and what each carries.
ICMS_CST_WITH_VALUE = {"00", "10", "20", "70", "90"}
ICMS_CST_WITHOUT_VALUE = {"40", "41", "50", "60"}
ICMS_CST_WITH_ST = {"10", "70"}
ICMS_CST_WITH_REDUCTION = {"20", "70"}
CSOSN_WITH_CREDIT = {"101", "201"}
CSOSN_WITH_ST = {"201", "202", "203"}
CSOSN_PLAIN = {"102", "103", "300", "400", "500"}
IPI_CST_TAXED = {"00", "49", "50", "99"}
PIS_COFINS_CST_RATE = {"01", "02"}
PIS_COFINS_CST_NOT_TAXED = {"04", "05", "06", "07", "08", "09"}


def _pct(base: Decimal, rate: Decimal) -> Decimal:
    return amount(base * rate / HUNDRED)


def _heading(rule: Rule, reasons: tuple[str, ...]) -> str:
    matched = ", ".join(reasons) if reasons else _("applies to every line")
    text = _("Rule “%(name)s” (#%(id)s): %(matched)s.") % {"name": rule.name, "id": rule.id, "matched": matched}
    if rule.legal_basis:
        text += " " + rule.legal_basis
    return text


def _formula(base: Decimal, rate: Decimal, value: Decimal) -> str:
    return f"{money(base)} x {percent(rate)} = {money(value)}"


class Calculator:
    tax: str = ""

    def compute(
        self, ctx: TaxContext, line: LineIn, rule: Rule, reasons: tuple[str, ...], done: Mapping[str, TaxValue]
    ) -> TaxValue | None:
        raise NotImplementedError

    def value(self, rule: Rule, reasons, *, cst="", base=ZERO, rate=ZERO, value=ZERO, extra=None, why=()):
        return TaxValue(
            tax=self.tax,
            cst=cst or rule.cst,
            base=base,
            rate=rate,
            value=value,
            extra=extra or {},
            rule_id=rule.id,
            rule_name=rule.name,
            why=(_heading(rule, reasons), *why),
        )


def icms_base(ctx: TaxContext, line: LineIn, done: Mapping[str, TaxValue]) -> tuple[Decimal, list[str]]:
    """The operation's value, plus IPI when the buyer consumes the goods (Constituição, art. 155, § 2º, XI)."""
    base, why = line.operation_value, [_("Operation value %(v)s") % {"v": money(line.operation_value)}]
    ipi = done.get(Tax.IPI)
    if ctx.final_consumer and ipi is not None and ipi.value:
        base += ipi.value
        why.append(
            _("plus IPI %(v)s: the buyer is the final consumer (CF art. 155, § 2º, XI)") % {"v": money(ipi.value)}
        )
    return base, why


def own_icms_rate(ctx: TaxContext, line: LineIn, fixed: Decimal | None = None) -> tuple[Decimal, str]:
    """The rule's rate (`fixed`), or the UF table's: the emitter's internal rate, or the interstate rate."""
    if fixed is not None:
        return fixed, _("rate set by the rule")
    if ctx.scope == Scope.INTERSTATE:
        return interstate_rate(ctx.emitter_uf, ctx.recipient_uf, line.origin)
    if ctx.scope == Scope.FOREIGN:
        return ZERO, _("exports are immune (CF art. 155, § 2º, X, a)")
    return uf_rates(ctx, ctx.emitter_uf).internal, _("internal rate of %(uf)s") % {"uf": ctx.emitter_uf}


def uf_rates(ctx: TaxContext, uf: str):
    try:
        return ctx.uf_rates[uf]
    except KeyError:
        raise TaxError(_("No ICMS rate is registered for the state %(uf)s.") % {"uf": uf}) from None


class Icms(Calculator):
    """ICMS of the regime normal: vBC = value of the operation (x (1 - pRedBC)); vICMS = vBC x pICMS."""

    tax = Tax.ICMS

    def compute(self, ctx, line, rule, reasons, done):
        cst = rule.cst
        if cst in ICMS_CST_WITHOUT_VALUE:
            return self.value(rule, reasons, why=(_("CST %(cst)s: no ICMS is charged on this note.") % {"cst": cst},))
        if cst not in ICMS_CST_WITH_VALUE:
            raise TaxError(_("ICMS CST %(cst)s is not supported by the tax engine.") % {"cst": cst})
        base, why = icms_base(ctx, line, done)
        reduction = rule.base_reduction if cst in ICMS_CST_WITH_REDUCTION else ZERO
        if reduction:
            reduced = amount(base * (HUNDRED - reduction) / HUNDRED)
            why.append(_("base reduced by %(p)s: %(v)s") % {"p": percent(reduction), "v": money(reduced)})
            base = reduced
        else:
            base = amount(base)
        rate, basis = own_icms_rate(ctx, line, rule.rate)
        value = _pct(base, rate)
        why.append(f"{basis}: {_formula(base, rate, value)}")
        return self.value(rule, reasons, base=base, rate=rate, value=value, extra={"pRedBC": reduction}, why=why)


class IcmsSimples(Calculator):
    """ICMS of the Simples Nacional: paid in the DAS; CSOSN 101/201 tell the buyer the credit it may take
    (vCredICMSSN = value of the operation x pCredSN, LC 123/2006 art. 23)."""

    tax = Tax.ICMS_SN

    def compute(self, ctx, line, rule, reasons, done):
        csosn = rule.cst
        if csosn in CSOSN_WITH_CREDIT:
            base = amount(line.operation_value)
            credit = _pct(base, rule.credit_rate)
            why = (
                _("Credit the buyer may take (LC 123/2006, art. 23): %(f)s")
                % {"f": _formula(base, rule.credit_rate, credit)},
            )
            return self.value(rule, reasons, base=base, rate=rule.credit_rate, extra={"vCredICMSSN": credit}, why=why)
        if csosn in CSOSN_WITH_ST or csosn in CSOSN_PLAIN:
            return self.value(rule, reasons, why=(_("ICMS is paid in the Simples Nacional DAS."),))
        raise TaxError(_("CSOSN %(cst)s is not supported by the tax engine.") % {"cst": csosn})


def requires_st(icms: TaxValue | None) -> bool:
    if icms is None:
        return False
    return icms.cst in (CSOSN_WITH_ST if icms.tax == Tax.ICMS_SN else ICMS_CST_WITH_ST)


class IcmsSt(Calculator):
    """ICMS charged by substitution: vBCST = (value of the operation + IPI) x (1 + MVA), where an interstate
    sale uses the adjusted MVA = (1 + MVA) x (1 - ALQ inter) / (1 - ALQ intra) - 1 (Convênio ICMS 142/2018,
    cláusula nona); vICMSST = vBCST x internal rate of the destination - the emitter's own ICMS."""

    tax = Tax.ICMS_ST

    def compute(self, ctx, line, rule, reasons, done):
        icms = done.get(Tax.ICMS) or done.get(Tax.ICMS_SN)
        if not requires_st(icms):
            return None
        destination = uf_rates(ctx, ctx.recipient_uf)
        st_rate = rule.st_rate if rule.st_rate is not None else destination.internal
        why = []
        mva = rule.mva
        own_rate, own_basis = own_icms_rate(ctx, line)
        if icms.tax == Tax.ICMS:
            own_rate, own_value = icms.rate, icms.value
        else:  # Simples: the ICMS a regime normal seller would have paid, deducted all the same
            own_value = _pct(amount(line.operation_value), own_rate)
        if ctx.scope == Scope.INTERSTATE and ctx.regime == Regime.NORMAL and own_rate < st_rate:
            adjusted = quantize(
                ((HUNDRED + mva) * (HUNDRED - own_rate) / (HUNDRED - st_rate)) - HUNDRED, 4
            )  # in percent: ((1 + MVA) x (1 - inter) / (1 - intra) - 1) x 100
            why.append(
                _(
                    "Adjusted MVA (Convênio ICMS 142/2018): (1 + %(mva)s) x (1 - %(inter)s) / (1 - %(intra)s) - 1 = %(adj)s"
                )
                % {"mva": percent(mva), "inter": percent(own_rate), "intra": percent(st_rate), "adj": percent(adjusted)}
            )
            mva = adjusted
        base_op = line.operation_value
        ipi = done.get(Tax.IPI)
        if ipi is not None and ipi.value:
            base_op += ipi.value
        base = amount(base_op * (HUNDRED + mva) / HUNDRED)
        if rule.base_reduction:
            base = amount(base * (HUNDRED - rule.base_reduction) / HUNDRED)
        gross = _pct(base, st_rate)
        value = gross - own_value
        if value < 0:
            value = ZERO
        why.append(
            _("ST base: %(op)s x (1 + %(mva)s) = %(base)s")
            % {"op": money(base_op), "mva": percent(mva), "base": money(base)}
        )
        why.append(
            _("ICMS-ST: %(f)s - own ICMS %(own)s (%(basis)s) = %(v)s")
            % {"f": _formula(base, st_rate, gross), "own": money(own_value), "basis": own_basis, "v": money(value)}
        )
        extra = {"pMVAST": mva, "pRedBCST": rule.base_reduction, "own_icms": own_value, "own_rate": own_rate}
        fcp_st = destination.fcp
        if fcp_st:
            extra.update({"vBCFCPST": base, "pFCPST": fcp_st, "vFCPST": _pct(base, fcp_st)})
            why.append(_("FCP-ST: %(f)s") % {"f": _formula(base, fcp_st, extra["vFCPST"])})
        return self.value(rule, reasons, cst=icms.cst, base=base, rate=st_rate, value=value, extra=extra, why=why)


class Fcp(Calculator):
    """Fundo de Combate à Pobreza on the emitter's own ICMS (ADCT art. 82): vFCP = vBC x pFCP."""

    tax = Tax.FCP

    def compute(self, ctx, line, rule, reasons, done):
        icms = done.get(Tax.ICMS)
        if icms is None or not icms.base or ctx.scope != Scope.INTERNAL:
            return None
        rate = rule.rate if rule.rate is not None else uf_rates(ctx, ctx.emitter_uf).fcp
        if not rate:
            return None
        value = _pct(icms.base, rate)
        return self.value(
            rule, reasons, base=icms.base, rate=rate, value=value, why=(_formula(icms.base, rate, value),)
        )


class Difal(Calculator):
    """ICMS owed to the destination state on an interstate sale to a non-taxpayer final consumer
    (EC 87/2015, LC 190/2022): single base vICMSUFDest = vBC x (pICMSUFDest - pICMSInter); states with a
    double base gross the value up first: vBCUFDest = (vBC - vBC x pInter) / (1 - (pIntra + pFCP))."""

    tax = Tax.DIFAL

    def compute(self, ctx, line, rule, reasons, done):
        icms = done.get(Tax.ICMS)
        if ctx.scope != Scope.INTERSTATE or not ctx.final_consumer or ctx.recipient_ie_indicator == 1:
            return None
        if icms is None or not icms.base:
            return None
        destination = uf_rates(ctx, ctx.recipient_uf)
        intra = rule.rate if rule.rate is not None else destination.internal
        fcp = destination.fcp
        inter = icms.rate
        why = []
        if rule.difal_double_base:
            base = amount((icms.base - icms.base * inter / HUNDRED) / ((HUNDRED - intra - fcp) / HUNDRED))
            value = amount(base * intra / HUNDRED - icms.base * inter / HUNDRED)
            why.append(
                _("Double base: (%(b)s - %(b)s x %(inter)s) / (1 - %(all)s) = %(base)s")
                % {"b": money(icms.base), "inter": percent(inter), "all": percent(intra + fcp), "base": money(base)}
            )
            why.append(
                _("DIFAL: %(base)s x %(intra)s - %(b)s x %(inter)s = %(v)s")
                % {
                    "base": money(base),
                    "intra": percent(intra),
                    "b": money(icms.base),
                    "inter": percent(inter),
                    "v": money(value),
                }
            )
        else:
            base = icms.base
            value = _pct(base, intra - inter)
            why.append(
                _("DIFAL: %(b)s x (%(intra)s - %(inter)s) = %(v)s")
                % {"b": money(base), "intra": percent(intra), "inter": percent(inter), "v": money(value)}
            )
        fcp_value = _pct(base, fcp)
        if fcp:
            why.append(_("FCP of %(uf)s: %(f)s") % {"uf": ctx.recipient_uf, "f": _formula(base, fcp, fcp_value)})
        extra = {"pICMSInter": inter, "pFCPUFDest": fcp, "vFCPUFDest": fcp_value, "vBCFCPUFDest": base}
        return self.value(rule, reasons, cst="", base=base, rate=intra, value=value, extra=extra, why=why)


class Ipi(Calculator):
    """IPI: vBC = value of the operation (freight and charges in, unconditional discounts out); vIPI = vBC x pIPI."""

    tax = Tax.IPI

    def compute(self, ctx, line, rule, reasons, done):
        if rule.cst not in IPI_CST_TAXED:
            return self.value(rule, reasons, why=(_("CST %(cst)s: IPI not charged.") % {"cst": rule.cst},))
        base = amount(line.operation_value)
        rate = rule.rate or ZERO
        value = _pct(base, rate)
        return self.value(rule, reasons, base=base, rate=rate, value=value, why=(_formula(base, rate, value),))


class PisCofins(Calculator):
    """PIS and COFINS on revenue: the base is the value of the operation less the ICMS on it (STF RE
    574.706, Lei 14.592/2023)."""

    def compute(self, ctx, line, rule, reasons, done):
        if rule.cst in PIS_COFINS_CST_NOT_TAXED:
            return self.value(rule, reasons, why=(_("CST %(cst)s: not taxed.") % {"cst": rule.cst},))
        rate = rule.rate or ZERO
        if rule.cst not in PIS_COFINS_CST_RATE and not rate:
            return self.value(rule, reasons, why=(_("CST %(cst)s: no value on this note.") % {"cst": rule.cst},))
        icms = done.get(Tax.ICMS)
        base = line.operation_value
        why = [_("Operation value %(v)s") % {"v": money(base)}]
        if icms is not None and icms.value:
            base -= icms.value
            why.append(_("less ICMS %(v)s (STF RE 574.706)") % {"v": money(icms.value)})
        base = amount(base)
        value = _pct(base, rate)
        why.append(_formula(base, rate, value))
        return self.value(rule, reasons, base=base, rate=rate, value=value, why=why)


class Pis(PisCofins):
    tax = Tax.PIS


class Cofins(PisCofins):
    tax = Tax.COFINS


def ibs_cbs_base(line: LineIn, done: Mapping[str, TaxValue]) -> tuple[Decimal, list[str]]:
    """NT 2025.002: vBC = vProd + vFrete + vSeg + vOutro - vDesc - vPIS - vCOFINS - vICMS - vICMSUFDest
    - vFCP - vFCPUFDest (the taxes of the old system leave the base)."""
    base = line.operation_value
    parts = []
    for tax in (Tax.PIS, Tax.COFINS, Tax.ICMS, Tax.DIFAL, Tax.FCP):
        item = done.get(tax)
        if item is not None and item.value:
            base -= item.value
            parts.append(f"{tax.upper()} {money(item.value)}")
    difal = done.get(Tax.DIFAL)
    if difal is not None and difal.extra.get("vFCPUFDest"):
        base -= difal.extra["vFCPUFDest"]
        parts.append(f"FCP UF dest. {money(difal.extra['vFCPUFDest'])}")
    why = [_("Operation value %(v)s") % {"v": money(line.operation_value)}]
    if parts:
        why.append(_("less %(parts)s (NT 2025.002)") % {"parts": ", ".join(parts)})
    return amount(base), why


class IbsCbs(Calculator):
    """IBS (state and municipal parts) and CBS, by the year's rates: value = vBC x rate."""

    def compute(self, ctx, line, rule, reasons, done):
        base, why = ibs_cbs_base(line, done)
        rate = rule.rate or ZERO
        value = _pct(base, rate)
        why.append(_formula(base, rate, value))
        return self.value(
            rule, reasons, base=base, rate=rate, value=value, extra={"cClassTrib": rule.cclasstrib}, why=why
        )


class IbsUf(IbsCbs):
    tax = Tax.IBS_UF


class IbsMun(IbsCbs):
    tax = Tax.IBS_MUN


class Cbs(IbsCbs):
    tax = Tax.CBS


# The registry, in the order the taxes are computed (each may read those before it).
CALCULATORS: dict[str, Calculator] = {
    c.tax: c
    for c in (Ipi(), Icms(), IcmsSimples(), Fcp(), IcmsSt(), Difal(), Pis(), Cofins(), IbsUf(), IbsMun(), Cbs())
}
