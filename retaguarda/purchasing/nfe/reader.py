"""Read a supplier's NF-e (4.00, model 55 or 65, `nfeProc` or bare `NFe`) into plain data.

Parsed only through `core.xml_safe` and validated against the schema nfelib ships (compiled once, in
`fiscal.xml.schemas`). Values stay `Decimal` as written in the XML; CNPJs and keys are kept as written
(never stripped to digits: alphanumeric CNPJs)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from lxml import etree

from retaguarda.core.money import ZERO
from retaguarda.core.xml_safe import parse_xml
from retaguarda.fiscal.xml import schemas
from retaguarda.purchasing.errors import NfeRejected

NS = "http://www.portalfiscal.inf.br/nfe"
N = {"n": NS}
MAX_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class NfeLot:
    code: str  # nLote
    quantity: Decimal  # qLote, in the item's unit
    manufactured: date | None  # dFab
    expiry: date | None  # dVal


@dataclass(frozen=True)
class NfeItem:
    number: int  # nItem
    code: str  # cProd
    gtin: str  # cEAN ("SEM GTIN" when none)
    name: str
    ncm: str
    cfop: str
    unit: str  # uCom
    quantity: Decimal  # qCom
    unit_price: Decimal  # vUnCom
    goods: Decimal  # vProd
    discount: Decimal = ZERO
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    other: Decimal = ZERO
    ipi: Decimal = ZERO
    icms_st: Decimal = ZERO  # vICMSST + vFCPST
    icms: Decimal = ZERO
    pis: Decimal = ZERO
    cofins: Decimal = ZERO
    in_total: bool = True  # indTot
    lots: tuple[NfeLot, ...] = ()  # rastro
    icms_deson: Decimal = ZERO  # vICMSDeson: ICMS exempted (desonerado), in the ICMS group
    deson_deducted: bool | None = None  # indDeduzDeson (NT 2023.004): 1 True, 0 False, absent None


@dataclass(frozen=True)
class NfeParty:
    document: str  # CNPJ or CPF as written
    name: str
    trade_name: str = ""
    state_registration: str = ""
    address: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NfeDuplicate:
    number: str
    due_date: date
    amount: Decimal


@dataclass(frozen=True)
class Nfe:
    key: str
    model: str
    series: str
    number: str
    issue_date: date
    emitter: NfeParty
    recipient_document: str
    items: list[NfeItem]
    duplicates: list[NfeDuplicate]
    total: Decimal  # vNF
    totals: dict[str, Decimal]


def _text(node, path: str, default: str = "") -> str:
    found = node.find(path, N)
    return found.text.strip() if found is not None and found.text else default


def _dec(node, path: str) -> Decimal:
    text = _text(node, path)
    try:
        return Decimal(text) if text else ZERO
    except InvalidOperation as exc:  # the schema refuses it first; stay safe
        raise NfeRejected() from exc


def _sum_any(node, names: tuple[str, ...]) -> Decimal:
    """The sum of every descendant named in `names` (the ICMS group's child varies with the CST)."""
    total = ZERO
    for name in names:
        for found in node.iter(f"{{{NS}}}{name}"):
            if found.text:
                total += Decimal(found.text.strip())
    return total


def read_nfe(data: bytes) -> Nfe:
    """The NF-e in `data`, or `NfeRejected` / `XmlRejected` saying in Portuguese why not."""
    root = parse_xml(data)
    if root.tag == f"{{{NS}}}nfeProc":
        schema_name, nfe = "procNFe_v4.00.xsd", root.find("n:NFe", N)
    elif root.tag == f"{{{NS}}}NFe":
        schema_name, nfe = "nfe_v4.00.xsd", root
    else:
        raise NfeRejected(_("This XML is not an NF-e (expected nfeProc or NFe, version 4.00)."))
    inf = nfe.find("n:infNFe", N) if nfe is not None else None
    if inf is None or inf.get("versao") != "4.00":
        raise NfeRejected(_("Only NF-e version 4.00 can be imported."))
    errors = schemas.errors(root, schema_name)
    if errors:
        raise NfeRejected(
            _("The XML does not follow the NF-e schema."),
            details=[{"field": "file", "message": e} for e in errors[:MAX_ERRORS_SHOWN]],
        )
    ide = inf.find("n:ide", N)
    model = _text(ide, "n:mod")
    if model not in ("55", "65"):
        raise NfeRejected(_("Only models 55 (NF-e) and 65 (NFC-e) can be imported."))
    emit = inf.find("n:emit", N)
    address = emit.find("n:enderEmit", N)
    emitter = NfeParty(
        document=_text(emit, "n:CNPJ") or _text(emit, "n:CPF"),
        name=_text(emit, "n:xNome"),
        trade_name=_text(emit, "n:xFant"),
        state_registration=_text(emit, "n:IE"),
        address={
            "street": _text(address, "n:xLgr"),
            "number": _text(address, "n:nro"),
            "complement": _text(address, "n:xCpl"),
            "district": _text(address, "n:xBairro"),
            "municipality_id": _text(address, "n:cMun"),
            "postal_code": _text(address, "n:CEP"),
        }
        if address is not None
        else {},
    )
    dest = inf.find("n:dest", N)
    recipient = (_text(dest, "n:CNPJ") or _text(dest, "n:CPF")) if dest is not None else ""
    items = [_item(det) for det in inf.findall("n:det", N)]
    tot = inf.find("n:total/n:ICMSTot", N)
    totals = {
        name: _dec(tot, f"n:{name}")
        for name in ("vProd", "vDesc", "vFrete", "vSeg", "vOutro", "vIPI", "vST", "vFCPST", "vICMSDeson", "vNF")
    }
    duplicates = [
        NfeDuplicate(_text(dup, "n:nDup"), date.fromisoformat(_text(dup, "n:dVenc")), _dec(dup, "n:vDup"))
        for dup in inf.findall("n:cobr/n:dup", N)
    ]
    return Nfe(
        key=inf.get("Id", "")[3:],
        model=model,
        series=_text(ide, "n:serie"),
        number=_text(ide, "n:nNF"),
        issue_date=date.fromisoformat(_text(ide, "n:dhEmi")[:10]),
        emitter=emitter,
        recipient_document=recipient,
        items=items,
        duplicates=duplicates,
        total=totals["vNF"],
        totals=totals,
    )


def _item(det: etree._Element) -> NfeItem:
    prod = det.find("n:prod", N)
    tax = det.find("n:imposto", N)
    icms = tax.find("n:ICMS", N) if tax is not None else None
    ipi = tax.find("n:IPI/n:IPITrib", N) if tax is not None else None
    pis = tax.find("n:PIS", N) if tax is not None else None
    cofins = tax.find("n:COFINS", N) if tax is not None else None
    return NfeItem(
        number=int(det.get("nItem")),
        code=_text(prod, "n:cProd"),
        gtin=_text(prod, "n:cEAN", "SEM GTIN"),
        name=_text(prod, "n:xProd"),
        ncm=_text(prod, "n:NCM"),
        cfop=_text(prod, "n:CFOP"),
        unit=_text(prod, "n:uCom").upper(),
        quantity=_dec(prod, "n:qCom"),
        unit_price=_dec(prod, "n:vUnCom"),
        goods=_dec(prod, "n:vProd"),
        discount=_dec(prod, "n:vDesc"),
        freight=_dec(prod, "n:vFrete"),
        insurance=_dec(prod, "n:vSeg"),
        other=_dec(prod, "n:vOutro"),
        ipi=_dec(ipi, "n:vIPI") if ipi is not None else ZERO,
        icms_st=_sum_any(icms, ("vICMSST", "vFCPST")) if icms is not None else ZERO,
        icms=_sum_any(icms, ("vICMS",)) if icms is not None else ZERO,
        pis=_sum_any(pis, ("vPIS",)) if pis is not None else ZERO,
        cofins=_sum_any(cofins, ("vCOFINS",)) if cofins is not None else ZERO,
        in_total=_text(prod, "n:indTot", "1") == "1",
        icms_deson=_sum_any(icms, ("vICMSDeson",)) if icms is not None else ZERO,
        deson_deducted=_flag(icms, "indDeduzDeson") if icms is not None else None,
        lots=tuple(
            NfeLot(_text(r, "n:nLote"), _dec(r, "n:qLote"), _date(r, "n:dFab"), _date(r, "n:dVal"))
            for r in prod.findall("n:rastro", N)
        ),
    )


def _flag(node, name: str) -> bool | None:
    """A 0/1 indicator anywhere under `node` (the ICMS group's child varies with the CST); None when absent."""
    found = next(node.iter(f"{{{NS}}}{name}"), None)
    return None if found is None or not found.text else found.text.strip() == "1"


def _date(node, path: str) -> date | None:
    text = _text(node, path)
    return date.fromisoformat(text) if text else None
