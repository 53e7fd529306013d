"""The note's header totals (ICMSTot, IBSCBSTot), summed from its rounded lines: what the XML states,
what the page and the API show. Apart from the XML builder so that computing a draft's totals does not
load nfelib's bindings."""

from decimal import Decimal

from retaguarda.core.money import ZERO
from retaguarda.fiscal.taxes.model import Tax


def as_decimal(value) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


def tax_of(line, tax: str) -> dict | None:
    return line.taxes.get(tax)


def totals(lines) -> dict[str, Decimal]:
    """The header totals as the XML states them, summed from the rounded lines."""
    t: dict[str, Decimal] = {}

    def add(name, value):
        t[name] = t.get(name, ZERO) + as_decimal(value)

    for line in lines:
        for name, value in (
            ("vProd", line.gross),
            ("vDesc", line.discount),
            ("vFrete", line.freight),
            ("vSeg", line.insurance),
            ("vOutro", line.other),
        ):
            add(name, value)
        icms, st, fcp, ipi = (tax_of(line, x) for x in (Tax.ICMS, Tax.ICMS_ST, Tax.FCP, Tax.IPI))
        difal, pis, cofins = (tax_of(line, x) for x in (Tax.DIFAL, Tax.PIS, Tax.COFINS))
        if icms is not None:
            add("vBC", icms["base"])
            add("vICMS", icms["value"])
        if fcp is not None:
            add("vFCP", fcp["value"])
        if st is not None:
            add("vBCST", st["base"])
            add("vST", st["value"])
            add("vFCPST", st.get("extra", {}).get("vFCPST", 0))
        if ipi is not None:
            add("vIPI", ipi["value"])
        if difal is not None:
            add("vICMSUFDest", difal["value"])
            add("vFCPUFDest", difal["extra"]["vFCPUFDest"])
        if pis is not None:
            add("vPIS", pis["value"])
        if cofins is not None:
            add("vCOFINS", cofins["value"])
        cbs = tax_of(line, Tax.CBS)
        if cbs is not None:
            add("vBCIBSCBS", cbs["base"])
            add("vCBS", cbs["value"])
            add("vIBSUF", tax_of(line, Tax.IBS_UF)["value"])
            add("vIBSMun", tax_of(line, Tax.IBS_MUN)["value"])
    g = lambda k: t.get(k, ZERO)  # noqa: E731
    # MOC 7.0, W16: vNF = vProd - vDesc - vICMSDeson + vST + vFCPST + vFrete + vSeg + vOutro + vII + vIPI + vIPIDevol
    t["vNF"] = g("vProd") - g("vDesc") + g("vST") + g("vFCPST") + g("vFrete") + g("vSeg") + g("vOutro") + g("vIPI")
    t["vIBS"] = g("vIBSUF") + g("vIBSMun")
    return t
