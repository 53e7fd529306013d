"""The tax engine's inputs and outputs: frozen dataclasses, no ORM, so the engine is a pure function."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from retaguarda.core.money import ZERO


class Tax:
    """The kinds of tax a rule gives, one calculator each (NF-e groups in brackets)."""

    ICMS = "icms"  # regime normal ICMS (ICMS00/20/10/60/...)
    ICMS_SN = "icms_sn"  # Simples Nacional ICMS (ICMSSN101/102/500/...)
    ICMS_ST = "icms_st"  # tax substitution charged by the emitter (modBCST, pMVAST, ...)
    FCP = "fcp"  # Fundo de Combate à Pobreza on the emitter's ICMS
    DIFAL = "difal"  # ICMSUFDest: interstate sale to a non-taxpayer final consumer
    IPI = "ipi"
    PIS = "pis"
    COFINS = "cofins"
    IBS_UF = "ibs_uf"
    IBS_MUN = "ibs_mun"
    CBS = "cbs"
    ALL = (ICMS, ICMS_SN, ICMS_ST, FCP, DIFAL, IPI, PIS, COFINS, IBS_UF, IBS_MUN, CBS)


class Scope:
    """Where the goods go, from the emitter's state: picks the CFOP's first digit (5, 6, 7)."""

    INTERNAL = "internal"
    INTERSTATE = "interstate"
    FOREIGN = "foreign"


class Regime:
    """The emitter's regime as rules match it (CRT 1 and 4 use CSOSN; 2 and 3 use CST)."""

    SIMPLES = "simples"  # CRT 1 Simples Nacional, CRT 4 MEI
    SIMPLES_EXCESS = "simples_excess"  # CRT 2
    NORMAL = "normal"  # CRT 3

    @staticmethod
    def of_crt(crt: int) -> str:
        return {1: Regime.SIMPLES, 2: Regime.SIMPLES_EXCESS, 3: Regime.NORMAL, 4: Regime.SIMPLES}[crt]


class Recipient:
    """Recipient profiles a rule may ask for."""

    TAXPAYER = "taxpayer"  # contribuinte do ICMS (indIEDest 1)
    NON_TAXPAYER = "non_taxpayer"  # não contribuinte (indIEDest 2 or 9)
    FINAL_CONSUMER = "final_consumer"  # consumidor final (indFinal 1), taxpayer or not


IMPORTED_ORIGINS = frozenset({1, 2, 3, 8})  # Resolução SF 13/2012: 4 % interstate


@dataclass(frozen=True)
class Rule:
    """A tax rule: what it matches (blank = anything) and what it sets. Rates are percentages."""

    id: int
    name: str
    tax: str
    priority: int = 0
    valid_from: date | None = None
    valid_until: date | None = None
    # matching
    operation: str = ""
    cfop: str = ""
    origin_uf: str = ""
    destination_uf: str = ""
    scope: str = ""
    ncm_prefix: str = ""
    regime: str = ""
    recipient: str = ""
    product_origins: frozenset[int] = frozenset()
    # outcome
    cst: str = ""
    rate: Decimal | None = None  # None on ICMS: the UF table's rate
    base_reduction: Decimal = ZERO
    mva: Decimal = ZERO
    st_rate: Decimal | None = None  # None: the destination's internal rate
    credit_rate: Decimal = ZERO  # Simples Nacional ICMS credit (pCredSN)
    cclasstrib: str = ""
    set_cfop: str = ""
    ipi_enq: str = "999"
    difal_double_base: bool = False
    legal_basis: str = ""


@dataclass(frozen=True)
class UfRates:
    """A state's internal ICMS rate and its general FCP, both percentages."""

    internal: Decimal
    fcp: Decimal = ZERO


@dataclass(frozen=True)
class TaxContext:
    """Who sells to whom, when and under which operation."""

    issue_date: date
    operation: str  # the operation's code ("venda", "devolucao_venda", ...)
    crt: int
    emitter_uf: str
    recipient_uf: str
    recipient_ie_indicator: int = 9
    final_consumer: bool = True
    foreign: bool = False
    cfops: Mapping[str, str] = field(default_factory=dict)  # scope -> the operation's default CFOP
    rules: tuple[Rule, ...] = ()
    uf_rates: Mapping[str, UfRates] = field(default_factory=dict)

    @property
    def regime(self) -> str:
        return Regime.of_crt(self.crt)

    @property
    def scope(self) -> str:
        if self.foreign:
            return Scope.FOREIGN
        return Scope.INTERNAL if self.emitter_uf == self.recipient_uf else Scope.INTERSTATE

    def recipient_profiles(self) -> set[str]:
        profiles = {Recipient.TAXPAYER if self.recipient_ie_indicator == 1 else Recipient.NON_TAXPAYER}
        if self.final_consumer:
            profiles.add(Recipient.FINAL_CONSUMER)
        return profiles


@dataclass(frozen=True)
class LineIn:
    """One line as the tax engine sees it: amounts already spread from the header (2 places)."""

    number: int
    ncm: str
    origin: int  # orig 0-8
    gross: Decimal  # vProd = quantity x unit price, rounded
    discount: Decimal = ZERO
    freight: Decimal = ZERO
    insurance: Decimal = ZERO
    other: Decimal = ZERO
    cest: str = ""

    @property
    def operation_value(self) -> Decimal:
        """vProd - vDesc + vFrete + vSeg + vOutro: the value of the operation on this line."""
        return self.gross - self.discount + self.freight + self.insurance + self.other


@dataclass(frozen=True)
class TaxValue:
    """One tax on one line: the values that go into the XML and why they came out so."""

    tax: str
    cst: str = ""
    base: Decimal = ZERO
    rate: Decimal = ZERO
    value: Decimal = ZERO
    extra: Mapping[str, object] = field(default_factory=dict)  # group-specific fields (pMVAST, vBCST, ...)
    rule_id: int | None = None
    rule_name: str = ""
    why: tuple[str, ...] = ()  # the rule that fired and the formula, in Portuguese


@dataclass(frozen=True)
class LineTaxes:
    number: int
    cfop: str
    taxes: Mapping[str, TaxValue]

    def value(self, tax: str) -> Decimal:
        item = self.taxes.get(tax)
        return item.value if item is not None else ZERO

    def get(self, tax: str) -> TaxValue | None:
        return self.taxes.get(tax)


@dataclass(frozen=True)
class TaxResult:
    lines: tuple[LineTaxes, ...]
    totals: Mapping[str, Decimal]  # sum of the rounded line values, per tax and per extra amount
