"""Writing tax rules: every problem reported at once, in Portuguese, before anything is saved."""

import csv
import functools

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.br_tables.loader import DATA as BR_DATA
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed, missing_row
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.fiscal.keys import UF_CODES
from retaguarda.fiscal.models import RECIPIENT_CHOICES, REGIME_CHOICES, SCOPE_CHOICES, Operation, TaxRule
from retaguarda.fiscal.taxes.model import Tax

FIELDS = [
    f.name
    for f in TaxRule._meta.concrete_fields
    if f.name not in ("id", "company", "version", "created_at", "updated_at")
]
FIELDS = [("operation_id" if f == "operation" else f) for f in FIELDS]


@functools.cache
def cclasstrib_codes() -> frozenset[str]:
    with open(BR_DATA / "cclasstrib.csv", encoding="utf-8", newline="") as fh:
        return frozenset(row["codigo"] for row in csv.DictReader(fh))


def _problems(rule: TaxRule) -> list[dict]:
    problems = []

    def add(field, message):
        problems.append({"field": field, "message": message})

    rule.name = " ".join((rule.name or "").split())
    if not rule.name:
        add("name", _("Give the rule a name."))
    if rule.tax not in Tax.ALL:
        add("tax", _("Unknown tax “%(v)s”.") % {"v": rule.tax})
    if rule.tax == Tax.ICMS and len(rule.cst) != 2:
        add("cst", _("ICMS of the normal regime takes a 2-digit CST (00, 20, 60, ...)."))
    if rule.tax == Tax.ICMS_SN and len(rule.cst) != 3:
        add("cst", _("ICMS of the Simples Nacional takes a 3-digit CSOSN (101, 102, 500, ...)."))
    if rule.cst and not rule.cst.isdigit():
        add("cst", _("The CST has digits only."))
    for field in ("origin_uf", "destination_uf"):
        value = getattr(rule, field).upper()
        setattr(rule, field, value)
        if value and value not in UF_CODES:
            add(field, _("“%(v)s” is not a Brazilian state.") % {"v": value})
    for field, choices in (("scope", SCOPE_CHOICES), ("regime", REGIME_CHOICES), ("recipient", RECIPIENT_CHOICES)):
        value = getattr(rule, field)
        if value and value not in {c for c, _label in choices}:
            add(field, _("Invalid value “%(v)s”.") % {"v": value})
    for field in ("cfop", "set_cfop"):
        value = getattr(rule, field)
        if value and not (value.isdigit() and len(value) == 4):
            add(field, _("A CFOP has 4 digits."))
    if rule.ncm_prefix and not rule.ncm_prefix.isdigit():
        add("ncm_prefix", _("The NCM has digits only."))
    if rule.product_origins and not all(
        p.strip() in "012345678" and p.strip() for p in rule.product_origins.split(",")
    ):
        add("product_origins", _("Origins are digits 0 to 8 separated by commas."))
    if rule.cclasstrib and rule.cclasstrib not in cclasstrib_codes():
        add("cclasstrib", _("cClassTrib %(v)s is not in the official table.") % {"v": rule.cclasstrib})
    for field in ("rate", "base_reduction", "credit_rate", "st_rate"):
        value = getattr(rule, field)
        if value is not None and not 0 <= value <= 100:
            add(field, _("A percentage between 0 and 100."))
    if rule.mva is not None and rule.mva < 0:
        add("mva", _("The MVA cannot be negative."))
    if rule.valid_from and rule.valid_until and rule.valid_from > rule.valid_until:
        add("valid_until", _("The end comes before the start."))
    if rule.operation_id and not Operation.objects.filter(pk=rule.operation_id, company_id=rule.company_id).exists():
        problems.append(missing_row("operation_id", _("Operation not found.")))
    return problems


def _check(rule: TaxRule) -> None:
    problems = _problems(rule)
    if problems:
        raise ValidationFailed(problems[0]["message"] if len(problems) == 1 else None, details=problems)


def create_tax_rule(*, actor: Actor, **fields) -> TaxRule:
    unknown = sorted(set(fields) - set(FIELDS))
    if unknown:
        raise ValidationFailed(details=[{"field": f, "message": _("Unknown field.")} for f in unknown])
    with transaction.atomic():
        rule = TaxRule(company_id=company_id_of(actor), **fields)
        _check(rule)
        rule.save()
        audit.record_created(actor, rule)
    return rule


def update_tax_rule(rule_id: int, *, actor: Actor, version: int | None, **changes) -> TaxRule:
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationFailed(details=[{"field": f, "message": _("Unknown field.")} for f in unknown])
    with transaction.atomic():
        rule = lock_for_edit(scoped(TaxRule, actor), rule_id, version)
        before = audit.snapshot(rule, list(changes))
        for field, value in changes.items():
            setattr(rule, field, value)
        _check(rule)
        rule.version += 1
        rule.save()
        audit.record_changed(actor, rule, before)
    return rule
