"""The tax engine's inputs from the database: rules of a company and the states' ICMS rates."""

import csv
import functools
from decimal import Decimal
from pathlib import Path

from retaguarda.fiscal.models import TaxRule
from retaguarda.fiscal.taxes.model import Rule, UfRates

DATA = Path(__file__).resolve().parent.parent / "data"


@functools.cache
def uf_rates() -> dict[str, UfRates]:
    with open(DATA / "icms_uf.csv", encoding="utf-8", newline="") as fh:
        return {
            row["uf"]: UfRates(Decimal(row["internal_rate"]), Decimal(row["fcp_rate"])) for row in csv.DictReader(fh)
        }


def as_rule(row: TaxRule, operation_codes: dict[int, str]) -> Rule:
    return Rule(
        id=row.pk,
        name=row.name,
        tax=row.tax,
        priority=row.priority,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        operation=operation_codes.get(row.operation_id, "") if row.operation_id else "",
        cfop=row.cfop,
        origin_uf=row.origin_uf,
        destination_uf=row.destination_uf,
        scope=row.scope,
        ncm_prefix=row.ncm_prefix,
        regime=row.regime,
        recipient=row.recipient,
        product_origins=frozenset(int(p) for p in row.product_origins.split(",") if p.strip().isdigit()),
        cst=row.cst,
        rate=row.rate,
        base_reduction=row.base_reduction,
        mva=row.mva,
        st_rate=row.st_rate,
        credit_rate=row.credit_rate,
        cclasstrib=row.cclasstrib,
        set_cfop=row.set_cfop,
        ipi_enq=row.ipi_enq,
        difal_double_base=row.difal_double_base,
        legal_basis=row.legal_basis,
    )


def active_rules(company_id: int) -> tuple[Rule, ...]:
    """Every active rule of the company, as the engine reads them (one query)."""
    rows = list(TaxRule.objects.filter(company_id=company_id, is_active=True).select_related("operation"))
    codes = {row.operation_id: row.operation.code for row in rows if row.operation_id}
    return tuple(as_rule(row, codes) for row in rows)
