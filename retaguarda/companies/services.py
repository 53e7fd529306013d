"""Companies (emitentes) and their branches: the only writers of Company rows."""

from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.br_tables.places import clean_place
from retaguarda.companies.errors import DuplicateCompany
from retaguarda.companies.models import Company
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.cleaning import clean_email, clean_phone, one_line, text
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.problems import Problems
from retaguarda.core.state_registration import normalize_ie, validate_ie
from retaguarda.core.validators import normalize_cnpj, only_digits, validate_cnpj
from retaguarda.core.versioning import lock_for_edit

CREATABLE = [
    "legal_name",
    "trade_name",
    "cnpj",
    "state_registration",
    "municipal_registration",
    "cnae",
    "tax_regime",
    "parent_id",
    "postal_code",
    "street",
    "number",
    "complement",
    "district",
    "municipality_id",
    "phone",
    "email",
    "is_active",
]
EDITABLE = [f for f in CREATABLE if f not in ("cnpj", "parent_id")]
AUDITED = CREATABLE


def _clean(company: Company, keep_municipality: str | None = None) -> None:
    """Normalize `company` in place; raise ValidationFailed listing every problem."""
    problems = Problems()
    raw_cnpj = text(company.cnpj)
    company.cnpj = normalize_cnpj(raw_cnpj)
    company.state_registration = normalize_ie(text(company.state_registration))
    company.legal_name = one_line(company.legal_name)
    company.trade_name = one_line(company.trade_name)
    company.cnae = only_digits(text(company.cnae))
    company.phone = clean_phone(company.phone, problems)
    company.email = clean_email(company.email, problems)
    for name in ("municipal_registration", "street", "number", "complement", "district"):
        setattr(company, name, one_line(getattr(company, name)))

    if not raw_cnpj:
        problems.add("cnpj", _("Enter the CNPJ."))
    else:
        problems.check("cnpj", validate_cnpj, company.cnpj)
    if not company.legal_name:
        problems.add("legal_name", _("Enter the legal name."))
    if not company.state_registration:
        problems.add("state_registration", _("State registration (IE): enter the number, or ISENTO."))
    if company.cnae and len(company.cnae) != 7:
        problems.add("cnae", _("CNAE: 7 digits, e.g. 4759-8/99."))
    company.postal_code, municipality = clean_place(
        company.postal_code, company.municipality_id, problems, keep=keep_municipality
    )
    if municipality is not None:
        company.municipality = municipality
        if company.state_registration:
            problems.check(
                "state_registration", lambda ie: validate_ie(ie, municipality.uf), company.state_registration
            )
    for name, message in (
        ("street", _("Enter the street.")),
        ("number", _("Enter the number (or S/N when there is none).")),
        ("district", _("Enter the district.")),
    ):
        if not getattr(company, name):
            problems.add(name, message)
    if company.parent_id:
        parent = Company.objects.filter(pk=company.parent_id).first()
        if parent is None:
            problems.missing("parent_id", _("Head office not found."))
        elif parent.parent_id is not None:
            problems.add("parent_id", _("A branch belongs to the head office, not to another branch."))
        elif not problems.has("cnpj") and parent.cnpj_root != company.cnpj[:8]:
            problems.add(
                "cnpj",
                _("A branch has the same CNPJ root (first 8 characters) as its head office: %(root)s.")
                % {"root": parent.cnpj_root},
            )
    problems.model_checks(company, exclude=["cnpj", "postal_code", "municipality", "parent"])
    problems.raise_if_any()


def _unknown(fields: dict, allowed: list[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed(
            details=[{"field": f, "message": _("This field cannot be changed here: %(name)s.") % {"name": f}}
                     for f in unknown]
        )  # fmt: skip


def create_company(*, actor: Actor, **fields) -> Company:
    """Register a company (or, with `parent_id`, a branch of one); its creator may work in it at once."""
    if "municipality" in fields:
        municipality = fields.pop("municipality")
        fields["municipality_id"] = getattr(municipality, "pk", municipality)
    if "parent" in fields:
        parent = fields.pop("parent")
        fields["parent_id"] = getattr(parent, "pk", parent)
    _unknown(fields, CREATABLE)
    with transaction.atomic():
        company = Company(**fields)
        _clean(company)
        if Company.objects.filter(cnpj=company.cnpj).exists():
            raise DuplicateCompany(details=[{"field": "cnpj", "message": str(DuplicateCompany.default_message)}])
        company.save()
        audit.record_created(actor, company, company_id=company.pk)
        if actor.user is not None and not actor.user.is_superuser:
            actor.user.companies.add(company)
    return company


def update_company(company_id: int, *, actor: Actor, version: int | None, **changes) -> Company:
    _unknown(changes, EDITABLE)
    with transaction.atomic():
        company = lock_for_edit(Company.objects, company_id, version)
        before = audit.snapshot(company, list(changes))
        kept = company.municipality_id
        for field, value in changes.items():
            setattr(company, field, value)
        _clean(company, keep_municipality=kept)
        if audit.snapshot(company, list(changes)) == before:
            return company
        company.version += 1
        company.save()
        audit.record_changed(actor, company, before, company_id=company.pk)
    return company


def _set_active(company_id: int, active: bool, *, actor: Actor, version: int | None) -> Company:
    with transaction.atomic():
        company = lock_for_edit(Company.objects, company_id, version)
        if company.is_active == active:
            return company
        before = audit.snapshot(company, ["is_active"])
        company.is_active = active
        company.version += 1
        company.save(update_fields=["is_active", "version", "updated_at"])
        action = "reactivated" if active else "deactivated"
        audit.record_changed(actor, company, before, action=action, company_id=company.pk)
    return company


def deactivate_company(company_id: int, *, actor: Actor, version: int | None = None) -> Company:
    """An inactive company keeps its history; nobody issues documents for it any more."""
    return _set_active(company_id, False, actor=actor, version=version)


def reactivate_company(company_id: int, *, actor: Actor, version: int | None = None) -> Company:
    return _set_active(company_id, True, actor=actor, version=version)
