"""Companies (emitentes) and their branches: the only writers of Company rows."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Municipality
from retaguarda.br_tables.postal_codes import uf_of_cep
from retaguarda.companies.errors import DuplicateCompany
from retaguarda.companies.models import Company
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.validators import normalize_cep, normalize_cnpj, only_digits, validate_cep, validate_cnpj
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


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _clean(company: Company) -> None:
    """Normalize `company` in place; raise ValidationFailed listing every problem."""
    errors: dict[str, list] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    raw_cnpj, raw_cep = _text(company.cnpj), _text(company.postal_code)
    company.cnpj = normalize_cnpj(raw_cnpj)
    company.postal_code = normalize_cep(raw_cep)
    company.state_registration = re.sub(r"[.\-/\s]", "", _text(company.state_registration)).upper()
    company.legal_name = " ".join(_text(company.legal_name).split())
    company.trade_name = " ".join(_text(company.trade_name).split())
    company.cnae = only_digits(_text(company.cnae))
    company.phone = only_digits(_text(company.phone))
    company.email = _text(company.email).lower()
    for name in ("municipal_registration", "street", "number", "complement", "district"):
        setattr(company, name, " ".join(_text(getattr(company, name)).split()))

    if not raw_cnpj:
        add("cnpj", _("Enter the CNPJ."))
    else:
        try:
            validate_cnpj(company.cnpj)
        except ValidationError as exc:
            add("cnpj", exc.messages[0])
    if not company.legal_name:
        add("legal_name", _("Enter the legal name."))
    ie = company.state_registration
    if not ie:
        add("state_registration", _("State registration (IE): enter the number, or ISENTO."))
    elif ie != "ISENTO" and not (ie.isdigit() and 2 <= len(ie) <= 14):
        add("state_registration", _("State registration (IE): use digits only, or ISENTO."))
    if company.cnae and len(company.cnae) != 7:
        add("cnae", _("CNAE: 7 digits, e.g. 4759-8/99."))
    if company.phone and not 10 <= len(company.phone) <= 13:
        add("phone", _("Phone: use the area code and the number, 10 or 11 digits, e.g. (11) 3333-4444."))
    if company.email:
        try:
            validate_email(company.email)
        except ValidationError:
            add("email", _("Email: “%(value)s” is not a valid address.") % {"value": company.email})
    if not raw_cep:
        add("postal_code", _("Enter the CEP."))
    else:
        try:
            validate_cep(raw_cep)
        except ValidationError as exc:
            add("postal_code", exc.messages[0])
    for name, message in (
        ("street", _("Enter the street.")),
        ("number", _("Enter the number (or S/N when there is none).")),
        ("district", _("Enter the district.")),
    ):
        if not getattr(company, name):
            add(name, message)
    municipality = Municipality.objects.filter(code=_text(company.municipality_id)).first()
    if municipality is None:
        if company.municipality_id:
            add(
                "municipality_id",
                _("Municipality: IBGE code %(code)s does not exist in the official table.")
                % {"code": company.municipality_id},
            )
        else:
            add("municipality_id", _("Choose the municipality."))
    else:
        company.municipality = municipality
        cep_uf = uf_of_cep(company.postal_code)
        if cep_uf and cep_uf != municipality.uf and "postal_code" not in errors:
            add(
                "postal_code",
                _("CEP %(cep)s belongs to %(cep_uf)s, but the municipality %(city)s is in %(uf)s.")
                % {"cep": raw_cep, "cep_uf": cep_uf, "city": municipality.name, "uf": municipality.uf},
            )
    if company.parent_id:
        parent = Company.objects.filter(pk=company.parent_id).first()
        if parent is None:
            add("parent_id", _("Head office not found."))
        elif parent.parent_id is not None:
            add("parent_id", _("A branch belongs to the head office, not to another branch."))
        elif "cnpj" not in errors and parent.cnpj_root != company.cnpj[:8]:
            add(
                "cnpj",
                _("A branch has the same CNPJ root (first 8 characters) as its head office: %(root)s.")
                % {"root": parent.cnpj_root},
            )
    try:
        company.full_clean(exclude=["cnpj", "postal_code", "municipality", "parent", *errors], validate_unique=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            label = str(Company._meta.get_field(field).verbose_name) if field != "__all__" else ""
            for message in messages:
                add(field, f"{label[:1].upper()}{label[1:]}: {message}" if label else message)
    if errors:
        raise ValidationFailed.from_django(ValidationError(errors))


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
        for field, value in changes.items():
            setattr(company, field, value)
        _clean(company)
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
