"""The NF-e / NFC-e XML from a fiscal document, through nfelib's bindings of the official schema (PL_010f).

The builder only writes what the document already holds (lines, their computed taxes, the copied
emitter and recipient): it decides nothing fiscal, so the XML, the page and the DANFE agree.
"""

from lxml import etree
from nfelib.nfe.bindings.v4_0 import leiaute_nfe_v4_00 as b
from nfelib.nfe.bindings.v4_0.dfe_tipos_basicos_v1_00 import TcibsNfe, TibscbsmonoTot, TtribNfe
from nfelib.nfe.bindings.v4_0.nfe_v4_00 import Nfe

from retaguarda.core.money import ZERO
from retaguarda.fiscal.keys import UF_CODES
from retaguarda.fiscal.taxes.calculators import IPI_CST_TAXED, PIS_COFINS_CST_NOT_TAXED, PIS_COFINS_CST_RATE
from retaguarda.fiscal.taxes.model import Tax
from retaguarda.fiscal.xml import writer
from retaguarda.fiscal.xml.formats import dec, price, rate, when
from retaguarda.fiscal.xml.totals import as_decimal as _d
from retaguarda.fiscal.xml.totals import tax_of as _tax
from retaguarda.fiscal.xml.totals import totals

NFE_NS = "http://www.portalfiscal.inf.br/nfe"
VERSION = "4.00"
PROGRAM = "Retaguarda 0.1"
HOMOLOGATION_NAME = "NF-E EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL"
HOMOLOGATION_ITEM = "NOTA FISCAL EMITIDA EM AMBIENTE DE HOMOLOGACAO - SEM VALOR FISCAL"

Inf = b.Tnfe.InfNfe
Det = Inf.Det
Imp = Det.Imposto


def scope_code(document) -> str:
    """idDest: 1 within the state, 2 interstate, 3 abroad."""
    recipient_uf = (document.recipient_data or {}).get("uf") or document.emitter_data["uf"]
    if (document.recipient_data or {}).get("country_code", "1058") != "1058":
        return "3"
    return "1" if recipient_uf == document.emitter_data["uf"] else "2"


def _ide(document) -> Inf.Ide:
    emitter = document.emitter_data
    key = document.key
    ide = Inf.Ide(
        cUF=b.TcodUfIbge(UF_CODES[emitter["uf"]]),
        cNF=document.random_code,
        natOp=document.nature,
        mod=b.Tmod(str(document.model)),
        serie=str(document.series),
        nNF=str(document.number),
        dhEmi=when(document.issued_at),
        tpNF=b.IdeTpNf(str(document.direction)),
        idDest=b.IdeIdDest(scope_code(document)),
        cMunFG=emitter["municipality_code"],
        tpImp=b.IdeTpImp("4" if document.model == 65 else "1"),
        tpEmis=b.IdeTpEmis(str(document.emission_type)),
        cDV=key[-1],
        tpAmb=b.Tamb(str(document.environment)),
        finNFe=b.TfinNfe(str(document.purpose)),
        indFinal=b.IdeIndFinal("1" if document.final_consumer else "0"),
        indPres=b.IdeIndPres(str(document.presence)),
        procEmi=b.TprocEmi("0"),
        verProc=PROGRAM,
    )
    if document.emission_type != 1:  # contingency: when it began and why (MOC 7.0, B28/B29)
        ide.dhCont = when(document.contingency_since)
        ide.xJust = document.contingency_reason
    if document.presence in (2, 3, 4, 9):
        ide.indIntermed = b.IdeIndIntermed("0")  # own site or shop; marketplaces pass their data later
    ide.NFref = [Inf.Ide.Nfref(refNFe=ref) for ref in document.referenced_keys]
    return ide


def _address(data: dict, cls):
    address = cls(
        xLgr=data["street"],
        nro=data["number"],
        xCpl=data.get("complement") or None,
        xBairro=data["district"],
        cMun=data["municipality_code"],
        xMun=data["municipality_name"],
        UF=b.Tuf(data["uf"]) if cls is b.Tendereco else b.TufEmi(data["uf"]),
        CEP=data.get("postal_code") or None,
        cPais="1058",
        xPais="Brasil",
        fone=data.get("phone") or None,
    )
    return address


def _emit(document) -> Inf.Emit:
    data = document.emitter_data
    return Inf.Emit(
        CNPJ=data["cnpj"],
        xNome=data["legal_name"],
        xFant=data.get("trade_name") or None,
        enderEmit=_address(data, b.TenderEmi),
        IE=data["state_registration"],
        IM=data.get("municipal_registration") or None,
        CNAE=data.get("cnae") or None if data.get("municipal_registration") else None,
        CRT=b.EmitCrt(str(data["crt"])),
    )


def _dest(document) -> Inf.Dest | None:
    data = document.recipient_data
    if not data:
        return None
    dest = Inf.Dest(
        xNome=HOMOLOGATION_NAME if document.is_homologation else data["name"],
        indIEDest=b.DestIndIedest(str(data["ie_indicator"])),
        IE=data.get("state_registration") or None if data["ie_indicator"] == 1 else None,
        email=data.get("email") or None,
    )
    if len(data["document"]) == 11:
        dest.CPF = data["document"]
    else:
        dest.CNPJ = data["document"]
    if data.get("street"):
        dest.enderDest = _address(data, b.Tendereco)
    return dest


def _icms(line, crt: int) -> Imp.Icms:
    group = Imp.Icms()
    orig = b.Torig(str(line.origin))
    sn, icms, st = _tax(line, Tax.ICMS_SN), _tax(line, Tax.ICMS), _tax(line, Tax.ICMS_ST)
    fcp = _tax(line, Tax.FCP)
    if sn is not None:
        code = sn["cst"]
        extra = sn.get("extra", {})
        if code == "101":
            group.ICMSSN101 = Imp.Icms.Icmssn101(
                orig=orig, CSOSN=b.Icmssn101Csosn(code), pCredSN=rate(sn["rate"]), vCredICMSSN=dec(extra["vCredICMSSN"])
            )
        elif code in ("102", "103", "300", "400"):
            group.ICMSSN102 = Imp.Icms.Icmssn102(orig=orig, CSOSN=b.Icmssn102Csosn(code))
        elif code == "500":
            group.ICMSSN500 = Imp.Icms.Icmssn500(orig=orig, CSOSN=b.Icmssn500Csosn(code))
        elif code in ("201", "202", "203"):
            st_fields = _st_fields(st)
            if code == "201":
                group.ICMSSN201 = Imp.Icms.Icmssn201(
                    orig=orig,
                    CSOSN=b.Icmssn201Csosn(code),
                    modBCST=b.Icmssn201ModBcst("4"),
                    **st_fields,
                    pCredSN=rate(sn["rate"]),
                    vCredICMSSN=dec(extra["vCredICMSSN"]),
                )
            else:
                group.ICMSSN202 = Imp.Icms.Icmssn202(
                    orig=orig, CSOSN=b.Icmssn202Csosn(code), modBCST=b.Icmssn202ModBcst("4"), **st_fields
                )
        return group
    code = icms["cst"]
    own = {"vBC": dec(icms["base"]), "pICMS": rate(icms["rate"]), "vICMS": dec(icms["value"])}
    fcp_fields = {}
    if fcp is not None and _d(fcp["value"]):
        fcp_fields = {"pFCP": rate(fcp["rate"]), "vFCP": dec(fcp["value"])}
    if code == "00":
        group.ICMS00 = Imp.Icms.Icms00(orig=orig, CST=b.Icms00Cst(code), modBC=b.Icms00ModBc("3"), **own, **fcp_fields)
    elif code == "20":
        group.ICMS20 = Imp.Icms.Icms20(
            orig=orig,
            CST=b.Icms20Cst(code),
            modBC=b.Icms20ModBc("3"),
            pRedBC=rate(icms["extra"]["pRedBC"]),
            **own,
            **({"vBCFCP": own["vBC"], **fcp_fields} if fcp_fields else {}),
        )
    elif code == "10":
        group.ICMS10 = Imp.Icms.Icms10(
            orig=orig,
            CST=b.Icms10Cst(code),
            modBC=b.Icms10ModBc("3"),
            **own,
            **({"vBCFCP": own["vBC"], **fcp_fields} if fcp_fields else {}),
            modBCST=b.Icms10ModBcst("4"),
            **_st_fields(st),
        )
    elif code in ("40", "41", "50"):
        group.ICMS40 = Imp.Icms.Icms40(orig=orig, CST=b.Icms40Cst(code))
    elif code == "60":
        group.ICMS60 = Imp.Icms.Icms60(orig=orig, CST=b.Icms60Cst(code))
    else:
        raise ValueError(f"ICMS CST {code} has no XML group in this builder")
    return group


def _st_fields(st: dict) -> dict:
    extra = st.get("extra", {})
    fields = {
        "pMVAST": rate(extra.get("pMVAST", 0)),
        "vBCST": dec(st["base"]),
        "pICMSST": rate(st["rate"]),
        "vICMSST": dec(st["value"]),
    }
    if _d(extra.get("pRedBCST")):
        fields["pRedBCST"] = rate(extra["pRedBCST"])
    if _d(extra.get("vFCPST")):
        fields.update(
            {"vBCFCPST": dec(extra["vBCFCPST"]), "pFCPST": rate(extra["pFCPST"]), "vFCPST": dec(extra["vFCPST"])}
        )
    return fields


def _ipi(line):
    ipi = _tax(line, Tax.IPI)
    if ipi is None:
        return None
    if ipi["cst"] in IPI_CST_TAXED:
        return b.Tipi(
            cEnq=ipi.get("extra", {}).get("cEnq", "999"),
            IPITrib=b.Tipi.Ipitrib(
                CST=b.IpitribCst(ipi["cst"]), vBC=dec(ipi["base"]), pIPI=rate(ipi["rate"]), vIPI=dec(ipi["value"])
            ),
        )
    return b.Tipi(cEnq="999", IPINT=b.Tipi.Ipint(CST=b.IpintCst(ipi["cst"])))


def _pis(line):
    pis = _tax(line, Tax.PIS)
    if pis is None:
        return Imp.Pis(PISNT=Imp.Pis.Pisnt(CST=b.PisntCst("07")))
    cst = pis["cst"]
    if cst in PIS_COFINS_CST_RATE:
        return Imp.Pis(
            PISAliq=Imp.Pis.Pisaliq(
                CST=b.PisaliqCst(cst), vBC=dec(pis["base"]), pPIS=rate(pis["rate"]), vPIS=dec(pis["value"])
            )
        )
    if cst in PIS_COFINS_CST_NOT_TAXED:
        return Imp.Pis(PISNT=Imp.Pis.Pisnt(CST=b.PisntCst(cst)))
    return Imp.Pis(
        PISOutr=Imp.Pis.Pisoutr(
            CST=b.PisoutrCst(cst), vBC=dec(pis["base"]), pPIS=rate(pis["rate"]), vPIS=dec(pis["value"])
        )
    )


def _cofins(line):
    cofins = _tax(line, Tax.COFINS)
    if cofins is None:
        return Imp.Cofins(COFINSNT=Imp.Cofins.Cofinsnt(CST=b.CofinsntCst("07")))
    cst = cofins["cst"]
    values = {"vBC": dec(cofins["base"]), "pCOFINS": rate(cofins["rate"]), "vCOFINS": dec(cofins["value"])}
    if cst in PIS_COFINS_CST_RATE:
        return Imp.Cofins(COFINSAliq=Imp.Cofins.Cofinsaliq(CST=b.CofinsaliqCst(cst), **values))
    if cst in PIS_COFINS_CST_NOT_TAXED:
        return Imp.Cofins(COFINSNT=Imp.Cofins.Cofinsnt(CST=b.CofinsntCst(cst)))
    return Imp.Cofins(COFINSOutr=Imp.Cofins.Cofinsoutr(CST=b.CofinsoutrCst(cst), **values))


def _difal(line):
    difal = _tax(line, Tax.DIFAL)
    if difal is None:
        return None
    extra = difal["extra"]
    return Imp.Icmsufdest(
        vBCUFDest=dec(difal["base"]),
        vBCFCPUFDest=dec(extra["vBCFCPUFDest"]),
        pFCPUFDest=rate(extra["pFCPUFDest"]),
        pICMSUFDest=rate(difal["rate"]),
        pICMSInter=b.IcmsufdestPIcmsinter(dec(extra["pICMSInter"])),
        pICMSInterPart="100.0000",
        vFCPUFDest=dec(extra["vFCPUFDest"]),
        vICMSUFDest=dec(difal["value"]),
        vICMSUFRemet="0.00",
    )


def _ibs_cbs(line):
    cbs, ibs_uf, ibs_mun = _tax(line, Tax.CBS), _tax(line, Tax.IBS_UF), _tax(line, Tax.IBS_MUN)
    if cbs is None:
        return None
    vibs = _d(ibs_uf["value"]) + _d(ibs_mun["value"])
    return TtribNfe(
        CST=cbs["cst"] or "000",
        cClassTrib=cbs.get("extra", {}).get("cClassTrib") or "000001",
        gIBSCBS=TcibsNfe(
            vBC=dec(cbs["base"]),
            gIBSUF=TcibsNfe.GIbsuf(pIBSUF=rate(ibs_uf["rate"]), vIBSUF=dec(ibs_uf["value"])),
            gIBSMun=TcibsNfe.GIbsmun(pIBSMun=rate(ibs_mun["rate"]), vIBSMun=dec(ibs_mun["value"])),
            vIBS=dec(vibs),
            gCBS=TcibsNfe.GCbs(pCBS=rate(cbs["rate"]), vCBS=dec(cbs["value"])),
        ),
    )


def _det(document, line, crt: int) -> Det:
    name = (
        HOMOLOGATION_ITEM
        if document.model == 65 and document.is_homologation and line.number == 1
        else line.description
    )
    gtin = line.gtin or "SEM GTIN"
    optional = {
        k: dec(v)
        for k, v in (
            ("vFrete", line.freight),
            ("vSeg", line.insurance),
            ("vDesc", line.discount),
            ("vOutro", line.other),
        )
        if v
    }
    prod = Det.Prod(
        cProd=line.code,
        cEAN=gtin,
        xProd=name,
        NCM=line.ncm,
        CEST=line.cest or None,
        CFOP=line.cfop,
        uCom=line.unit,
        qCom=dec(line.quantity, 4),
        vUnCom=price(line.unit_price),
        vProd=dec(line.gross),
        cEANTrib=gtin,
        uTrib=line.unit,
        qTrib=dec(line.quantity, 4),
        vUnTrib=price(line.unit_price),
        **optional,
        indTot=b.ProdIndTot("1"),
    )
    imposto = Imp(
        ICMS=_icms(line, crt),
        IPI=_ipi(line),
        PIS=_pis(line),
        COFINS=_cofins(line),
        ICMSUFDest=_difal(line),
        IBSCBS=_ibs_cbs(line),
    )
    return Det(prod=prod, imposto=imposto, nItem=str(line.number))


def _total(document, lines) -> Inf.Total:
    t = totals(lines)
    g = lambda k: dec(t.get(k, ZERO))  # noqa: E731
    icms_tot = Inf.Total.Icmstot(
        vBC=g("vBC"),
        vICMS=g("vICMS"),
        vICMSDeson="0.00",
        vFCPUFDest=g("vFCPUFDest") if "vICMSUFDest" in t else None,
        vICMSUFDest=g("vICMSUFDest") if "vICMSUFDest" in t else None,
        vICMSUFRemet="0.00" if "vICMSUFDest" in t else None,
        vFCP=g("vFCP"),
        vBCST=g("vBCST"),
        vST=g("vST"),
        vFCPST=g("vFCPST"),
        vFCPSTRet="0.00",
        vProd=g("vProd"),
        vFrete=g("vFrete"),
        vSeg=g("vSeg"),
        vDesc=g("vDesc"),
        vII="0.00",
        vIPI=g("vIPI"),
        vIPIDevol="0.00",
        vPIS=g("vPIS"),
        vCOFINS=g("vCOFINS"),
        vOutro=g("vOutro"),
        vNF=g("vNF"),
    )
    total = Inf.Total(ICMSTot=icms_tot)
    if "vCBS" in t:
        zero = "0.00"
        total.IBSCBSTot = TibscbsmonoTot(
            vBCIBSCBS=g("vBCIBSCBS"),
            gIBS=TibscbsmonoTot.GIbs(
                gIBSUF=TibscbsmonoTot.GIbs.GIbsuf(vDif=zero, vDevTrib=zero, vIBSUF=g("vIBSUF")),
                gIBSMun=TibscbsmonoTot.GIbs.GIbsmun(vDif=zero, vDevTrib=zero, vIBSMun=g("vIBSMun")),
                vIBS=g("vIBS"),
                vCredPres=zero,
                vCredPresCondSus=zero,
            ),
            gCBS=TibscbsmonoTot.GCbs(vDif=zero, vDevTrib=zero, vCBS=g("vCBS"), vCredPres=zero, vCredPresCondSus=zero),
        )
    return total


def _cobr(document) -> Inf.Cobr | None:
    if not document.installments:
        return None
    total = sum((_d(i["amount"]) for i in document.installments), ZERO)
    return Inf.Cobr(
        fat=Inf.Cobr.Fat(nFat=str(document.number), vOrig=dec(total), vDesc="0.00", vLiq=dec(total)),
        dup=[
            Inf.Cobr.Dup(nDup=f"{n:03d}", dVenc=i["due_date"], vDup=dec(i["amount"]))
            for n, i in enumerate(document.installments, 1)
        ],
    )


def _pag(document) -> Inf.Pag:
    return Inf.Pag(detPag=[Inf.Pag.DetPag(tPag=p["method"], vPag=dec(p["amount"])) for p in document.payments])


def binding(document, lines) -> Nfe:
    """nfelib's binding of the unsigned note (number, key and issue time already set on `document`)."""
    crt = int(document.emitter_data["crt"])
    inf = Inf(
        ide=_ide(document),
        emit=_emit(document),
        dest=_dest(document),
        det=[_det(document, line, crt) for line in lines],
        total=_total(document, lines),
        transp=Inf.Transp(modFrete=b.TranspModFrete(str(document.freight_mode))),
        cobr=_cobr(document),
        pag=_pag(document),
        infAdic=Inf.InfAdic(infCpl=document.additional_info) if document.additional_info else None,
        versao=VERSION,
        Id=f"NFe{document.key}",
    )
    return Nfe(infNFe=inf)


def build(document, lines) -> etree._Element:
    """The unsigned `NFe` element of `document`."""
    return writer.write(binding(document, lines), f"{{{NFE_NS}}}NFe")
