"""`/api/v1/companies`: the companies (emitentes) the user works in, and their branches."""

from datetime import datetime

from django.http import Http404
from ninja import Field, Router, Schema, Status

from retaguarda.companies import selectors, services
from retaguarda.companies.models import Company
from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, StrictSchema, VersionIn, idempotent, keyset_page_body
from retaguarda.core.api_auth import require

router = Router(tags=["companies"])


class CompanyIn(StrictSchema):
    writes = (Company,)
    typed = frozenset({"cnpj", "state_registration", "cnae", "postal_code", "phone", "municipality_id"})
    legal_name: str
    trade_name: str = ""
    cnpj: str = Field(description="numeric or alphanumeric, masked or not")
    state_registration: str = Field(description="digits, or ISENTO")
    municipal_registration: str = ""
    cnae: str = ""
    tax_regime: int = Field(description="CRT: 1 Simples Nacional, 2 Simples excess, 3 normal regime, 4 MEI")
    parent_id: int | None = Field(None, description="the head office, for a branch (same CNPJ root)")
    postal_code: str
    street: str
    number: str
    complement: str = ""
    district: str
    municipality_id: str = Field(description="IBGE code (7 digits)")
    phone: str = ""
    email: str = ""


class CompanyPatch(StrictSchema):
    writes = (Company,)
    typed = frozenset({"state_registration", "cnae", "postal_code", "phone", "municipality_id"})
    version: int = Field(description="the version you read; a stale one is refused with 409")
    legal_name: str | None = None
    trade_name: str | None = None
    state_registration: str | None = None
    municipal_registration: str | None = None
    cnae: str | None = None
    tax_regime: int | None = None
    postal_code: str | None = None
    street: str | None = None
    number: str | None = None
    complement: str | None = None
    district: str | None = None
    municipality_id: str | None = None
    phone: str | None = None
    email: str | None = None


class CompanyOut(Schema):
    id: int
    version: int
    legal_name: str
    trade_name: str
    cnpj: str
    cnpj_formatted: str
    state_registration: str
    municipal_registration: str
    cnae: str
    tax_regime: int
    parent_id: int | None
    postal_code: str
    street: str
    number: str
    complement: str
    district: str
    municipality_id: str
    municipality_name: str
    uf: str
    phone: str
    email: str
    is_active: bool
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_municipality_name(obj):
        return obj.municipality.name


def _get(request, company_id: int) -> Company:
    company = selectors.companies_for(request.user).filter(pk=company_id).first()
    if company is None:
        raise Http404
    return company


@router.get("", response=Page[CompanyOut], auth=require("companies.view", company=False))
def list_companies(request, active: bool | None = None, cursor: str | None = None, limit: PageLimit = 50):
    """The companies you may work in, head offices and branches."""
    qs = selectors.companies_for(request.user)
    if active is not None:
        qs = qs.filter(is_active=active)
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=("legal_name", "id"))


@router.post("", response={201: CompanyOut}, auth=require("companies.change", company=False))
@idempotent
def create_company(request, body: CompanyIn):
    """Register a company, or a branch with `parent_id`. You may work in it right away."""
    data = body.dict()
    if data["parent_id"] is not None:
        _get(request, data["parent_id"])
    company = services.create_company(actor=actor_of(request), **data)
    return Status(201, _get(request, company.pk))


@router.get("/{company_id}", response=CompanyOut, auth=require("companies.view", company=False))
def get_company(request, company_id: int):
    return _get(request, company_id)


@router.patch("/{company_id}", response=CompanyOut, auth=require("companies.change", company=False))
def update_company(request, company_id: int, body: CompanyPatch):
    """Change a company; send the `version` you read (409 `core.stale_version` when stale)."""
    _get(request, company_id)
    changes = {k: v for k, v in body.dict(exclude_unset=True).items() if k != "version" and v is not None}
    services.update_company(company_id, actor=actor_of(request), version=body.version, **changes)
    return _get(request, company_id)


@router.post("/{company_id}/deactivate", response=CompanyOut, auth=require("companies.change", company=False))
def deactivate_company(request, company_id: int, body: VersionIn | None = None):
    _get(request, company_id)
    services.deactivate_company(company_id, actor=actor_of(request), version=body.version if body else None)
    return _get(request, company_id)


@router.post("/{company_id}/reactivate", response=CompanyOut, auth=require("companies.change", company=False))
def reactivate_company(request, company_id: int, body: VersionIn | None = None):
    _get(request, company_id)
    services.reactivate_company(company_id, actor=actor_of(request), version=body.version if body else None)
    return _get(request, company_id)
