"""Companies (emitentes): the only writers of Company rows."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from retaguarda.companies.errors import DuplicateCompany
from retaguarda.companies.models import Company
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import ValidationFailed
from retaguarda.core.validators import normalize_cep, normalize_cnpj, validate_cep, validate_cnpj
from retaguarda.core.versioning import lock_for_edit

EDITABLE = [
    "legal_name",
    "trade_name",
    "state_registration",
    "municipal_registration",
    "cnae",
    "tax_regime",
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


def _clean(company: Company) -> None:
    company.cnpj = normalize_cnpj(company.cnpj)
    company.postal_code = normalize_cep(company.postal_code)
    company.state_registration = (company.state_registration or "").strip().upper()
    errors: dict[str, list] = {}
    for field, check in (("cnpj", validate_cnpj), ("postal_code", validate_cep)):
        try:
            check(getattr(company, field))
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
    if company.state_registration != "ISENTO" and not company.state_registration.isdigit():
        errors.setdefault("state_registration", []).append(_("Inscrição estadual: use só números, ou ISENTO."))
    if company.parent_id and company.parent.cnpj_root != company.cnpj[:8]:
        errors.setdefault("parent", []).append(
            _("A filial deve ter a mesma raiz de CNPJ (8 primeiros caracteres) da matriz.")
        )
    try:
        company.full_clean(exclude=["cnpj", "postal_code", "state_registration"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed.from_django(ValidationError(errors))


def create_company(*, actor: Actor, **fields) -> Company:
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
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed(details=[{"field": f, "message": _("Campo não editável.")} for f in sorted(unknown)])
    with transaction.atomic():
        company = lock_for_edit(Company.objects, company_id, version)
        before = audit.snapshot(company, list(changes))
        for field, value in changes.items():
            setattr(company, field, value)
        _clean(company)
        company.version += 1
        company.save()
        audit.record_changed(actor, company, before, company_id=company.pk)
    return company
