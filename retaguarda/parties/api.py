"""`/api/v1/parties`: customers, suppliers and carriers with their addresses and contacts."""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from django.http import Http404
from ninja import Field, Router, Schema, Status

from retaguarda.core.actor import actor_of
from retaguarda.core.api import Page, PageLimit, StrictSchema, VersionIn, idempotent, keyset_page_body
from retaguarda.core.api_auth import require
from retaguarda.core.api_numbers import Amount
from retaguarda.parties import selectors, services
from retaguarda.parties.models import Party, PartyAddress, PartyContact

router = Router(tags=["parties"])

READ = require("parties.view")
WRITE = require("parties.change")


class AddressIn(StrictSchema):
    writes = (PartyAddress,)
    typed = frozenset({"postal_code", "municipality_id"})
    postal_code: str = Field(description="CEP, masked or not")
    street: str
    number: str = Field(description='"S/N" when there is none')
    complement: str = ""
    district: str
    municipality_id: str = Field(description="IBGE code of the municipality (7 digits); the UF follows from it")
    is_billing: bool = False
    is_delivery: bool = False


class AddressPatch(StrictSchema):
    writes = (PartyAddress,)
    typed = frozenset({"postal_code", "municipality_id"})
    version: int | None = Field(None, description="the party's version, to refuse edits from a stale copy")
    postal_code: str | None = None
    street: str | None = None
    number: str | None = None
    complement: str | None = None
    district: str | None = None
    municipality_id: str | None = None
    is_billing: bool | None = None
    is_delivery: bool | None = None


class AddressOut(Schema):
    id: int
    postal_code: str
    street: str
    number: str
    complement: str
    district: str
    municipality_id: str
    municipality_name: str
    uf: str
    country_code: str
    country_name: str
    is_billing: bool
    is_delivery: bool

    @staticmethod
    def resolve_municipality_name(obj):
        return obj.municipality.name


class ContactIn(StrictSchema):
    writes = (PartyContact,)
    typed = frozenset({"phone"})
    name: str
    role: str = ""
    email: str = ""
    phone: str = ""


class ContactPatch(StrictSchema):
    writes = (PartyContact,)
    typed = frozenset({"phone"})
    version: int | None = None
    name: str | None = None
    role: str | None = None
    email: str | None = None
    phone: str | None = None


class ContactOut(Schema):
    id: int
    name: str
    role: str
    email: str
    phone: str


class PartyIn(StrictSchema):
    writes = (Party,)
    typed = frozenset({"document", "state_registration", "phone"})
    kind: Literal["individual", "company"] | None = Field(None, description="inferred from the document when absent")
    document: str = Field(description="CPF or CNPJ (numeric or alphanumeric), masked or not")
    legal_name: str
    trade_name: str = ""
    is_customer: bool = False
    is_supplier: bool = False
    is_carrier: bool = False
    ie_indicator: Literal[1, 2, 9] = Field(
        9, description="NF-e indIEDest: 1 contribuinte, 2 isento, 9 não contribuinte"
    )
    state_registration: str = ""
    municipal_registration: str = ""
    email: str = ""
    phone: str = ""
    notes: str = ""
    credit_limit: Decimal = Decimal("0")
    payment_terms: str = Field("", description="days of each installment, e.g. 30/60/90")
    lead_time_days: int = 0
    addresses: list[AddressIn] = []
    contacts: list[ContactIn] = []


class PartyPatch(StrictSchema):
    writes = (Party,)
    typed = frozenset({"document", "state_registration", "phone"})
    version: int = Field(description="the version you read; a stale one is refused with 409")
    kind: Literal["individual", "company"] | None = None
    document: str | None = None
    legal_name: str | None = None
    trade_name: str | None = None
    is_customer: bool | None = None
    is_supplier: bool | None = None
    is_carrier: bool | None = None
    ie_indicator: Literal[1, 2, 9] | None = None
    state_registration: str | None = None
    municipal_registration: str | None = None
    email: str | None = None
    phone: str | None = None
    notes: str | None = None
    credit_limit: Decimal | None = None
    payment_terms: str | None = None
    lead_time_days: int | None = None


class PartyOut(Schema):
    id: int
    version: int
    kind: str
    document: str
    document_formatted: str
    legal_name: str
    trade_name: str
    is_customer: bool
    is_supplier: bool
    is_carrier: bool
    roles: list[str]
    ie_indicator: int
    state_registration: str
    municipal_registration: str
    email: str
    phone: str
    notes: str
    credit_limit: Amount
    payment_terms: str
    lead_time_days: int
    is_active: bool
    created_at: datetime
    updated_at: datetime
    addresses: list[AddressOut]
    contacts: list[ContactOut]

    @staticmethod
    def resolve_addresses(obj):
        return list(obj.addresses.all())

    @staticmethod
    def resolve_contacts(obj):
        return list(obj.contacts.all())


def _get(request, party_id: int) -> Party:
    try:
        return selectors.get_party(company=request.company, pk=party_id)
    except Party.DoesNotExist as exc:
        raise Http404 from exc


def _patch_fields(body: Schema) -> dict:
    data = body.dict(exclude_unset=True)
    data.pop("version", None)
    return {k: v for k, v in data.items() if v is not None}


@router.get("", response=Page[PartyOut], auth=READ)
def list_parties(
    request,
    q: str = "",
    role: Literal["customer", "supplier", "carrier"] | None = None,
    active: bool | None = True,
    uf: str = "",
    city: str = "",
    cursor: str | None = None,
    limit: PageLimit = 50,
):
    """Search by name, CPF/CNPJ (masked or not) or city; filter by role, state and active flag."""
    qs = selectors.parties(company=request.company, q=q, role=role or "", active=active, uf=uf, city=city)
    return keyset_page_body(selectors.with_details(qs), cursor=cursor, limit=limit, ordering=("legal_name", "id"))


@router.post("", response={201: PartyOut}, auth=WRITE)
@idempotent
def create_party(request, body: PartyIn):
    """Register a party with its addresses and contacts. Send `Idempotency-Key` to make retries safe."""
    data = body.dict()
    if data["kind"] is None:
        data.pop("kind")
    party = services.create_party(actor=actor_of(request), **data)
    return Status(201, _get(request, party.pk))


@router.get("/{party_id}", response=PartyOut, auth=READ)
def get_party(request, party_id: int):
    return _get(request, party_id)


@router.patch("/{party_id}", response=PartyOut, auth=WRITE)
def update_party(request, party_id: int, body: PartyPatch):
    """Change the party's fields; send the `version` you read (409 `core.stale_version` when stale)."""
    services.update_party(party_id, actor=actor_of(request), version=body.version, **_patch_fields(body))
    return _get(request, party_id)


@router.post("/{party_id}/deactivate", response=PartyOut, auth=WRITE)
def deactivate_party(request, party_id: int, body: VersionIn | None = None):
    services.deactivate_party(party_id, actor=actor_of(request), version=body.version if body else None)
    return _get(request, party_id)


@router.post("/{party_id}/reactivate", response=PartyOut, auth=WRITE)
def reactivate_party(request, party_id: int, body: VersionIn | None = None):
    services.reactivate_party(party_id, actor=actor_of(request), version=body.version if body else None)
    return _get(request, party_id)


@router.post("/{party_id}/addresses", response={201: AddressOut}, auth=WRITE)
def add_address(request, party_id: int, body: AddressIn, version: int | None = None):
    _get(request, party_id)
    address = services.add_address(party_id, actor=actor_of(request), version=version, **body.dict())
    return Status(201, address)


@router.patch("/{party_id}/addresses/{address_id}", response=AddressOut, auth=WRITE)
def update_address(request, party_id: int, address_id: int, body: AddressPatch):
    party = _get(request, party_id)
    if not any(a.pk == address_id for a in party.addresses.all()):
        raise Http404
    return services.update_address(address_id, actor=actor_of(request), version=body.version, **_patch_fields(body))


@router.delete("/{party_id}/addresses/{address_id}", response={204: None}, auth=WRITE)
def remove_address(request, party_id: int, address_id: int, version: int | None = None):
    party = _get(request, party_id)
    if not any(a.pk == address_id for a in party.addresses.all()):
        raise Http404
    services.remove_address(address_id, actor=actor_of(request), version=version)
    return Status(204, None)


@router.post("/{party_id}/contacts", response={201: ContactOut}, auth=WRITE)
def add_contact(request, party_id: int, body: ContactIn, version: int | None = None):
    _get(request, party_id)
    return Status(201, services.add_contact(party_id, actor=actor_of(request), version=version, **body.dict()))


@router.patch("/{party_id}/contacts/{contact_id}", response=ContactOut, auth=WRITE)
def update_contact(request, party_id: int, contact_id: int, body: ContactPatch):
    party = _get(request, party_id)
    if not any(c.pk == contact_id for c in party.contacts.all()):
        raise Http404
    return services.update_contact(contact_id, actor=actor_of(request), version=body.version, **_patch_fields(body))


@router.delete("/{party_id}/contacts/{contact_id}", response={204: None}, auth=WRITE)
def remove_contact(request, party_id: int, contact_id: int, version: int | None = None):
    party = _get(request, party_id)
    if not any(c.pk == contact_id for c in party.contacts.all()):
        raise Http404
    services.remove_contact(contact_id, actor=actor_of(request), version=version)
    return Status(204, None)
