"""Parties, their addresses and contacts: the only writers of these tables.

Every function validates everything it is given and reports every problem at once
(`ValidationFailed` with one `{"field", "message"}` per problem), writes field-by-field audit
records inside its transaction, and bumps the party's `version` so edits made from a stale
screen are refused with 409.
"""

import copy
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from retaguarda.br_tables.models import Municipality
from retaguarda.br_tables.postal_codes import uf_of_cep
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound, ValidationFailed
from retaguarda.core.money import amount
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.text import fold
from retaguarda.core.validators import (
    normalize_cep,
    normalize_cnpj,
    only_digits,
    validate_cep,
    validate_cnpj,
    validate_cpf,
)
from retaguarda.core.versioning import lock_for_edit
from retaguarda.parties.errors import DuplicateDocument
from retaguarda.parties.models import BRAZIL, IeIndicator, Party, PartyAddress, PartyContact, PartyKind

PARTY_FIELDS = [
    "kind",
    "document",
    "legal_name",
    "trade_name",
    "is_customer",
    "is_supplier",
    "is_carrier",
    "ie_indicator",
    "state_registration",
    "municipal_registration",
    "email",
    "phone",
    "notes",
    "credit_limit",
    "payment_terms",
    "lead_time_days",
    "is_active",
]
ADDRESS_FIELDS = [
    "postal_code",
    "street",
    "number",
    "complement",
    "district",
    "municipality_id",
    "country_code",
    "country_name",
    "is_billing",
    "is_delivery",
]
CONTACT_FIELDS = ["name", "role", "email", "phone"]
AUDITED_PARTY = [*PARTY_FIELDS]
AUDITED_ADDRESS = [*ADDRESS_FIELDS, "uf"]

_PAYMENT_TERMS = re.compile(r"^\d{1,3}(/\d{1,3}){0,23}$")


class Problems:
    """Collects every validation problem, then raises them together."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.items: list[dict[str, Any]] = []

    def add(self, field: str | None, message: str) -> None:
        name = f"{self.prefix}{field}" if field else (self.prefix.rstrip(".") or None)
        self.items.append({"field": name, "message": str(message)})

    def extend(self, other: "Problems") -> None:
        self.items.extend(other.items)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        if len(self.items) == 1:
            raise ValidationFailed(self.items[0]["message"], details=self.items)
        message = ngettext(
            "%(count)d problem found: fix the fields listed.",
            "%(count)d problems found: fix the fields listed.",
            len(self.items),
        ) % {"count": len(self.items)}
        raise ValidationFailed(message, details=self.items)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _full_clean(obj, problems: Problems, exclude: list[str]) -> None:
    """Field-level checks (max lengths, choices) of the model, with the field's name in each message.

    Fields already reported are left out, so each problem is said once.
    """
    reported = {
        item["field"][len(problems.prefix) :]
        for item in problems.items
        if item["field"] and item["field"].startswith(problems.prefix)
    }
    try:
        obj.full_clean(exclude=[*exclude, *reported], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            label = str(obj._meta.get_field(field).verbose_name) if field != "__all__" else ""
            for message in messages:
                problems.add(field, f"{label[:1].upper()}{label[1:]}: {message}" if label else message)


def _clean_phone(value: Any, field: str, problems: Problems) -> str:
    digits = only_digits(_text(value))
    if digits and not 10 <= len(digits) <= 13:
        problems.add(field, _("Phone: use the area code and the number, 10 or 11 digits, e.g. (11) 3333-4444."))
    return digits


def _clean_email(value: Any, field: str, problems: Problems) -> str:
    email = _text(value).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            problems.add(field, _("Email: “%(value)s” is not a valid address.") % {"value": email})
    return email


def _clean_party(party: Party, problems: Problems) -> None:
    """Normalize `party` in place and note every problem with it."""
    party.document = normalize_cnpj(_text(party.document))
    if not party.kind and party.document:
        party.kind = PartyKind.INDIVIDUAL if len(party.document) == 11 else PartyKind.COMPANY
    party.legal_name = " ".join(_text(party.legal_name).split())
    party.trade_name = " ".join(_text(party.trade_name).split())
    party.municipal_registration = _text(party.municipal_registration)
    party.notes = _text(party.notes)

    if party.kind not in PartyKind.values:
        problems.add("kind", _("Person type: choose individual (CPF) or company (CNPJ)."))
    if not party.document:
        problems.add("document", _("Enter the CPF or CNPJ."))
    elif party.kind == PartyKind.INDIVIDUAL:
        try:
            validate_cpf(party.document)
        except ValidationError as exc:
            problems.add("document", exc.messages[0])
    elif party.kind == PartyKind.COMPANY:
        try:
            validate_cnpj(party.document)
        except ValidationError as exc:
            problems.add("document", exc.messages[0])
    if not party.legal_name:
        problems.add(
            "legal_name",
            _("Enter the name (full name for an individual, legal name for a company)."),
        )
    if not (party.is_customer or party.is_supplier or party.is_carrier):
        problems.add("roles", _("Choose at least one role: customer, supplier or carrier."))

    # State registration (IE) and the NF-e indIEDest indicator.
    try:
        party.ie_indicator = int(party.ie_indicator)
    except (TypeError, ValueError):
        party.ie_indicator = None
    ie = re.sub(r"[.\-/\s]", "", _text(party.state_registration)).upper()
    if ie == "ISENTO":
        ie = ""  # exempt is said by the indicator; the NF-e sends no IE then
    if ie and not (ie.isdigit() and 2 <= len(ie) <= 14):
        problems.add("state_registration", _("State registration (IE): use digits only, up to 14."))
    if party.ie_indicator not in IeIndicator.values:
        problems.add("ie_indicator", _("IE indicator: use 1 (ICMS taxpayer), 2 (exempt) or 9 (not a taxpayer)."))
    elif party.ie_indicator == IeIndicator.TAXPAYER and not ie:
        problems.add(
            "state_registration",
            _("State registration (IE): an ICMS taxpayer (indicator 1) must have one."),
        )
    elif party.ie_indicator == IeIndicator.EXEMPT and ie:
        problems.add(
            "state_registration",
            _("State registration (IE): leave it blank for an exempt party (indicator 2), or use indicator 1."),
        )
    party.state_registration = ie

    party.email = _clean_email(party.email, "email", problems)
    party.phone = _clean_phone(party.phone, "phone", problems)

    try:
        limit = amount(Decimal(str(party.credit_limit if party.credit_limit not in (None, "") else "0")))
    except (InvalidOperation, TypeError, ValueError):
        problems.add("credit_limit", _("Credit limit: enter an amount such as 1500.00."))
        limit = Decimal("0")
    if limit < 0:
        problems.add("credit_limit", _("Credit limit cannot be negative."))
    party.credit_limit = limit

    terms = re.sub(r"\s*[/,;\- ]\s*", "/", _text(party.payment_terms)).strip("/")
    if terms:
        if not _PAYMENT_TERMS.match(terms):
            problems.add(
                "payment_terms",
                _("Payment terms: list the days of each installment separated by “/”, e.g. 30/60/90."),
            )
        elif [int(d) for d in terms.split("/")] != sorted(int(d) for d in terms.split("/")):
            problems.add("payment_terms", _("Payment terms: the days must be in increasing order, e.g. 30/60/90."))
    party.payment_terms = terms

    try:
        party.lead_time_days = int(party.lead_time_days or 0)
    except (TypeError, ValueError):
        problems.add("lead_time_days", _("Lead time: enter a whole number of days."))
        party.lead_time_days = 0
    if not 0 <= party.lead_time_days <= 365:
        problems.add("lead_time_days", _("Lead time: between 0 and 365 days."))
        party.lead_time_days = 0

    party.search_text = fold(f"{party.legal_name} {party.trade_name}")[:300]
    _full_clean(
        party,
        problems,
        exclude=[
            "company",
            "kind",
            "document",
            "ie_indicator",
            "state_registration",
            "email",
            "phone",
            "credit_limit",
            "lead_time_days",
            "search_text",
        ],
    )


def _municipalities(codes) -> dict[str, Municipality]:
    return Municipality.objects.in_bulk([c for c in codes if c])


def _clean_address(address: PartyAddress, problems: Problems, municipalities: dict[str, Municipality]) -> None:
    raw_cep = _text(address.postal_code)
    address.postal_code = normalize_cep(raw_cep)
    for name in ("street", "number", "complement", "district", "country_name"):
        setattr(address, name, " ".join(_text(getattr(address, name)).split()))
    address.country_code = only_digits(_text(address.country_code)) or BRAZIL
    address.country_name = address.country_name or "Brasil"
    if address.country_code != BRAZIL:
        problems.add("country_code", _("Country: only addresses in Brazil (1058) are supported for now."))
    if not raw_cep:
        problems.add("postal_code", _("Enter the CEP."))
    else:
        try:
            validate_cep(raw_cep)
        except ValidationError as exc:
            problems.add("postal_code", exc.messages[0])
    if not address.street:
        problems.add("street", _("Enter the street."))
    if not address.number:
        problems.add("number", _("Enter the number (or S/N when there is none)."))
    if not address.district:
        problems.add("district", _("Enter the district."))
    code = _text(address.municipality_id)
    municipality = municipalities.get(code)
    if municipality is None:
        if code:
            problems.add(
                "municipality_id",
                _("Municipality: IBGE code %(code)s does not exist in the official table.") % {"code": code},
            )
        else:
            problems.add("municipality_id", _("Choose the municipality."))
    else:
        address.municipality = municipality
        address.uf = municipality.uf
        cep_uf = uf_of_cep(address.postal_code)
        if cep_uf and cep_uf != municipality.uf and len(address.postal_code) == 8:
            problems.add(
                "postal_code",
                _("CEP %(cep)s belongs to %(cep_uf)s, but the municipality %(city)s is in %(uf)s.")
                % {"cep": raw_cep, "cep_uf": cep_uf, "city": municipality.name, "uf": municipality.uf},
            )
    address.is_billing = bool(address.is_billing)
    address.is_delivery = bool(address.is_delivery)
    _full_clean(address, problems, exclude=["party", "municipality", "uf", "postal_code"])


def _clean_contact(contact: PartyContact, problems: Problems) -> None:
    contact.name = " ".join(_text(contact.name).split())
    contact.role = _text(contact.role)
    if not contact.name:
        problems.add("name", _("Enter the contact's name."))
    contact.email = _clean_email(contact.email, "email", problems)
    contact.phone = _clean_phone(contact.phone, "phone", problems)
    _full_clean(contact, problems, exclude=["party", "email", "phone"])


def _pick(fields: dict, allowed: list[str], problems: Problems) -> dict:
    fields = dict(fields)
    if "municipality" in fields and "municipality_id" in allowed:
        value = fields.pop("municipality")
        fields["municipality_id"] = value.pk if isinstance(value, Municipality) else value
    for name in sorted(set(fields) - set(allowed)):
        problems.add(name, _("Unknown field: %(name)s.") % {"name": name})
        fields.pop(name)
    return fields


def _duplicate(company_id: int, document: str, exclude_pk: int | None = None) -> bool:
    qs = Party.objects.filter(company_id=company_id, document=document)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return bool(document) and qs.exists()


def _duplicate_error() -> DuplicateDocument:
    return DuplicateDocument(details=[{"field": "document", "message": str(DuplicateDocument.default_message)}])


def _save_party(party: Party) -> None:
    try:
        with transaction.atomic():
            party.save()
    except IntegrityError as exc:
        if _duplicate(party.company_id, party.document, party.pk):
            raise _duplicate_error() from exc
        raise


def _addr_key(address: PartyAddress, field: str) -> str:
    return f"address#{address.pk}.{field}"


def _contact_key(contact: PartyContact, field: str) -> str:
    return f"contact#{contact.pk}.{field}"


def _record_child(actor: Actor, party: Party, action: str, key, obj, before: dict | None, fields: list[str]):
    after = audit.snapshot(obj, fields)
    if before is None:
        changes = {key(obj, f): [None, v] for f, v in after.items() if v not in (None, "", False)}
    elif action.endswith("removed"):
        changes = {key(obj, f): [v, None] for f, v in before.items() if v not in (None, "", False)}
    else:
        changes = {key(obj, f): [before.get(f), v] for f, v in after.items() if before.get(f) != v}
        if not changes:
            return None
    return audit.record(actor, party, action, changes, company_id=party.company_id)


def _bump(party: Party) -> None:
    party.version += 1
    party.save(update_fields=["version", "updated_at"])


def _clear_flags(party: Party, address: PartyAddress) -> None:
    """A new billing/delivery address takes the flag from the party's other addresses."""
    others = PartyAddress.objects.filter(party=party).exclude(pk=address.pk)
    if address.is_billing:
        others.filter(is_billing=True).update(is_billing=False)
    if address.is_delivery:
        others.filter(is_delivery=True).update(is_delivery=False)


# --- Party ---------------------------------------------------------------------------------------


def _prepare(
    company_id: int | None,
    fields: dict,
    addresses,
    contacts,
    *,
    existing: Party | None = None,
    municipalities: dict[str, Municipality] | None = None,
):
    """The party, its addresses and contacts built and cleaned, and every problem found; nothing saved."""
    problems = Problems()
    fields = _pick(fields, PARTY_FIELDS, problems)
    if existing is None:
        party = Party(company_id=company_id, **fields)
    else:
        party = copy.copy(existing)
        for name, value in fields.items():
            setattr(party, name, value)
    _clean_party(party, problems)

    picked_addresses = []
    for i, data in enumerate(addresses):
        sub = Problems(f"addresses[{i}].")
        picked_addresses.append(_pick(dict(data), ADDRESS_FIELDS, sub))
        problems.extend(sub)
    if municipalities is None:
        municipalities = _municipalities(_text(a.get("municipality_id")) for a in picked_addresses)
    address_objs = []
    for i, data in enumerate(picked_addresses):
        sub = Problems(f"addresses[{i}].")
        address = PartyAddress(**data)
        _clean_address(address, sub, municipalities)
        problems.extend(sub)
        address_objs.append(address)
    for flag, message in (
        ("is_billing", _("Only one address can be the billing address.")),
        ("is_delivery", _("Only one address can be the delivery address.")),
    ):
        flagged = [i for i, a in enumerate(address_objs) if getattr(a, flag)]
        for i in flagged[1:]:
            problems.add(f"addresses[{i}].{flag}", message)
    if address_objs and not any(a.is_billing for a in address_objs):
        address_objs[0].is_billing = True
    contact_objs = []
    for i, data in enumerate(contacts):
        sub = Problems(f"contacts[{i}].")
        contact = PartyContact(**_pick(dict(data), CONTACT_FIELDS, sub))
        _clean_contact(contact, sub)
        problems.extend(sub)
        contact_objs.append(contact)
    return party, address_objs, contact_objs, problems


def party_problems(
    fields: dict,
    *,
    company_id: int,
    addresses: list[dict] = (),
    existing: Party | None = None,
    municipalities: dict[str, Municipality] | None = None,
) -> list[dict]:
    """Every problem `create_party` (or `update_party` of `existing`) would report, without saving.

    For importers, which check every row before saving any. Duplicate documents are left to the caller,
    which knows the whole file.
    """
    *_built, problems = _prepare(company_id, fields, addresses, (), existing=existing, municipalities=municipalities)
    return problems.items


def create_party(
    *,
    actor: Actor,
    company_id: int | None = None,
    addresses: list[dict] = (),
    contacts: list[dict] = (),
    **fields,
) -> Party:
    """Register a party with its addresses and contacts. The first address is billing unless one says so."""
    company_id = company_id_of(company_id or actor)
    party, address_objs, contact_objs, problems = _prepare(company_id, fields, addresses, contacts)
    with transaction.atomic():
        duplicate = _duplicate(company_id, party.document)
        if duplicate and problems.items:
            problems.add("document", DuplicateDocument.default_message)
        problems.raise_if_any()
        if duplicate:
            raise _duplicate_error()
        _save_party(party)
        created = {f: v for f, v in audit.snapshot(party, AUDITED_PARTY).items() if v not in (None, "")}
        audit.record(actor, party, "created", {f: [None, v] for f, v in created.items()}, company_id=company_id)
        for address in address_objs:
            address.party = party
            address.save()
            _record_child(actor, party, "address_added", _addr_key, address, None, AUDITED_ADDRESS)
        for contact in contact_objs:
            contact.party = party
            contact.save()
            _record_child(actor, party, "contact_added", _contact_key, contact, None, CONTACT_FIELDS)
    return party


def update_party(party_id: int, *, actor: Actor, version: int | None, **changes) -> Party:
    """Change the party's own fields (addresses and contacts have their own functions)."""
    problems = Problems()
    changes = _pick(changes, PARTY_FIELDS, problems)
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        before = audit.snapshot(party, AUDITED_PARTY)
        for field, value in changes.items():
            setattr(party, field, value)
        _clean_party(party, problems)
        duplicate = _duplicate(party.company_id, party.document, party.pk)
        if duplicate and problems.items:
            problems.add("document", DuplicateDocument.default_message)
        problems.raise_if_any()
        if duplicate:
            raise _duplicate_error()
        after = audit.snapshot(party, AUDITED_PARTY)
        if after == before:
            return party
        party.version += 1
        _save_party(party)
        audit.record_changed(actor, party, before, company_id=party.company_id)
    return party


def _set_active(party_id: int, active: bool, *, actor: Actor, version: int | None) -> Party:
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        if party.is_active == active:
            return party
        before = audit.snapshot(party, ["is_active"])
        party.is_active = active
        party.version += 1
        party.save(update_fields=["is_active", "version", "updated_at"])
        audit.record_changed(
            actor, party, before, action="reactivated" if active else "deactivated", company_id=party.company_id
        )
    return party


def deactivate_party(party_id: int, *, actor: Actor, version: int | None = None) -> Party:
    """An inactive party stays in history but is left out of searches for new documents."""
    return _set_active(party_id, False, actor=actor, version=version)


def reactivate_party(party_id: int, *, actor: Actor, version: int | None = None) -> Party:
    return _set_active(party_id, True, actor=actor, version=version)


# --- Addresses -----------------------------------------------------------------------------------


def _locked_child(model, child_id: int, actor: Actor, version: int | None):
    """The child row and its party, the party locked (and checked against `version`)."""
    child = model.objects.filter(pk=child_id, party__in=scoped(Party, actor)).first()
    if child is None:
        raise NotFound()
    party = lock_for_edit(scoped(Party, actor), child.party_id, version)
    child = model.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise NotFound()
    return party, child


def add_address(party_id: int, *, actor: Actor, version: int | None = None, **fields) -> PartyAddress:
    """Add an address; flagged billing or delivery, it takes that flag from the party's other addresses."""
    problems = Problems()
    fields = _pick(fields, ADDRESS_FIELDS, problems)
    address = PartyAddress(**fields)
    _clean_address(address, problems, _municipalities([_text(fields.get("municipality_id"))]))
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        problems.raise_if_any()
        address.party = party
        if not address.is_billing and not party.addresses.filter(is_billing=True).exists():
            address.is_billing = True
        _clear_flags(party, address)
        address.save()
        _bump(party)
        _record_child(actor, party, "address_added", _addr_key, address, None, AUDITED_ADDRESS)
    return address


def update_address(address_id: int, *, actor: Actor, version: int | None = None, **changes) -> PartyAddress:
    problems = Problems()
    changes = _pick(changes, ADDRESS_FIELDS, problems)
    with transaction.atomic():
        party, address = _locked_child(PartyAddress, address_id, actor, version)
        before = audit.snapshot(address, AUDITED_ADDRESS)
        for field, value in changes.items():
            setattr(address, field, value)
        code = _text(address.municipality_id)
        _clean_address(address, problems, _municipalities([code]))
        problems.raise_if_any()
        if audit.snapshot(address, AUDITED_ADDRESS) == before:
            return address
        _clear_flags(party, address)
        address.save()
        _bump(party)
        _record_child(actor, party, "address_changed", _addr_key, address, before, AUDITED_ADDRESS)
    return address


def remove_address(address_id: int, *, actor: Actor, version: int | None = None) -> None:
    """Remove an address; when it was the billing address, the oldest remaining one becomes billing."""
    with transaction.atomic():
        party, address = _locked_child(PartyAddress, address_id, actor, version)
        before = audit.snapshot(address, AUDITED_ADDRESS)
        was_billing = address.is_billing
        address.delete()
        address.pk = address_id
        if was_billing:
            heir = party.addresses.order_by("id").first()
            if heir is not None:
                heir.is_billing = True
                heir.save(update_fields=["is_billing", "updated_at"])
                audit.record(
                    actor, party, "address_changed", {_addr_key(heir, "is_billing"): [False, True]},
                    company_id=party.company_id,
                )  # fmt: skip
        _bump(party)
        _record_child(actor, party, "address_removed", _addr_key, address, before, AUDITED_ADDRESS)


# --- Contacts ------------------------------------------------------------------------------------


def add_contact(party_id: int, *, actor: Actor, version: int | None = None, **fields) -> PartyContact:
    problems = Problems()
    contact = PartyContact(**_pick(fields, CONTACT_FIELDS, problems))
    _clean_contact(contact, problems)
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        problems.raise_if_any()
        contact.party = party
        contact.save()
        _bump(party)
        _record_child(actor, party, "contact_added", _contact_key, contact, None, CONTACT_FIELDS)
    return contact


def update_contact(contact_id: int, *, actor: Actor, version: int | None = None, **changes) -> PartyContact:
    problems = Problems()
    changes = _pick(changes, CONTACT_FIELDS, problems)
    with transaction.atomic():
        party, contact = _locked_child(PartyContact, contact_id, actor, version)
        before = audit.snapshot(contact, CONTACT_FIELDS)
        for field, value in changes.items():
            setattr(contact, field, value)
        _clean_contact(contact, problems)
        problems.raise_if_any()
        if audit.snapshot(contact, CONTACT_FIELDS) == before:
            return contact
        contact.save()
        _bump(party)
        _record_child(actor, party, "contact_changed", _contact_key, contact, before, CONTACT_FIELDS)
    return contact


def remove_contact(contact_id: int, *, actor: Actor, version: int | None = None) -> None:
    with transaction.atomic():
        party, contact = _locked_child(PartyContact, contact_id, actor, version)
        before = audit.snapshot(contact, CONTACT_FIELDS)
        contact.delete()
        contact.pk = contact_id
        _bump(party)
        _record_child(actor, party, "contact_removed", _contact_key, contact, before, CONTACT_FIELDS)
