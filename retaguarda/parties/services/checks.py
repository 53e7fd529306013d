"""How a party, its addresses and contacts are checked and cleaned before anything is saved."""

import copy
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from retaguarda.br_tables import places
from retaguarda.br_tables.models import Municipality
from retaguarda.br_tables.places import clean_place
from retaguarda.core.cleaning import clean_email, clean_phone, one_line, text
from retaguarda.core.money import amount
from retaguarda.core.problems import Problems
from retaguarda.core.state_registration import EXEMPT, normalize_ie, validate_ie
from retaguarda.core.text import fold
from retaguarda.core.validators import normalize_cnpj, only_digits, validate_cnpj, validate_cpf
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


def clean_party(party: Party, problems: Problems) -> None:
    """Normalize `party` in place and note every problem with it."""
    party.document = normalize_cnpj(text(party.document))
    if not party.kind and party.document:
        party.kind = PartyKind.INDIVIDUAL if len(party.document) == 11 else PartyKind.COMPANY
    party.legal_name = one_line(party.legal_name)
    party.trade_name = one_line(party.trade_name)
    party.municipal_registration = text(party.municipal_registration)
    party.notes = text(party.notes)

    if party.kind not in PartyKind.values:
        problems.add("kind", _("Person type: choose individual (CPF) or company (CNPJ)."))
    if not party.document:
        problems.add("document", _("Enter the CPF or CNPJ."))
    elif party.kind == PartyKind.INDIVIDUAL:
        problems.check("document", validate_cpf, party.document)
    elif party.kind == PartyKind.COMPANY:
        problems.check("document", validate_cnpj, party.document)
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
    ie = normalize_ie(text(party.state_registration))
    if ie == EXEMPT:
        ie = ""  # exempt is said by the indicator; the NF-e sends no IE then
    if ie and not (2 <= len(ie) <= 14 and ie.lstrip("P").isdigit()):
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

    party.email = clean_email(party.email, problems)
    party.phone = clean_phone(party.phone, problems)

    try:
        limit = amount(Decimal(str(party.credit_limit if party.credit_limit not in (None, "") else "0")))
    except (InvalidOperation, TypeError, ValueError):
        problems.add("credit_limit", _("Credit limit: enter an amount such as 1500.00."))
        limit = Decimal("0")
    if limit < 0:
        problems.add("credit_limit", _("Credit limit cannot be negative."))
    party.credit_limit = limit

    terms = re.sub(r"\s*[/,;\- ]\s*", "/", text(party.payment_terms)).strip("/")
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
    problems.model_checks(
        party,
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


def check_ie_in_state(party: Party, uf: str | None, problems: Problems) -> None:
    """The IE's check digits, by the rule of the state of the party's billing address.

    Without an address the state is unknown and only the format is checked (by `clean_party`)."""
    if uf and party.state_registration and not problems.has("state_registration"):
        problems.check("state_registration", lambda ie: validate_ie(ie, uf), party.state_registration)


def clean_address(
    address: PartyAddress, problems: Problems, known: dict[str, Municipality], keep: str | None = None
) -> None:
    """`keep`: the municipality the address had, accepted even if the IBGE table retired it."""
    address.postal_code, municipality = clean_place(
        address.postal_code, address.municipality_id, problems, known=known, keep=keep
    )
    for name in ("street", "number", "complement", "district", "country_name"):
        setattr(address, name, one_line(getattr(address, name)))
    address.country_code = only_digits(text(address.country_code)) or BRAZIL
    address.country_name = address.country_name or "Brasil"
    if address.country_code != BRAZIL:
        problems.add("country_code", _("Country: only addresses in Brazil (1058) are supported for now."))
    if not address.street:
        problems.add("street", _("Enter the street."))
    if not address.number:
        problems.add("number", _("Enter the number (or S/N when there is none)."))
    if not address.district:
        problems.add("district", _("Enter the district."))
    if municipality is not None:
        address.municipality = municipality
        address.uf = municipality.uf
    address.is_billing = bool(address.is_billing)
    address.is_delivery = bool(address.is_delivery)
    problems.model_checks(address, exclude=["party", "municipality", "uf", "postal_code"])


def clean_contact(contact: PartyContact, problems: Problems) -> None:
    contact.name = one_line(contact.name)
    contact.role = text(contact.role)
    if not contact.name:
        problems.add("name", _("Enter the contact's name."))
    contact.email = clean_email(contact.email, problems)
    contact.phone = clean_phone(contact.phone, problems)
    problems.model_checks(contact, exclude=["party", "email", "phone"])


def pick(fields: dict, allowed: list[str], problems: Problems) -> dict:
    fields = dict(fields)
    if "municipality" in fields and "municipality_id" in allowed:
        value = fields.pop("municipality")
        fields["municipality_id"] = value.pk if isinstance(value, Municipality) else value
    for name in sorted(set(fields) - set(allowed)):
        problems.add(name, _("Unknown field: %(name)s.") % {"name": name})
        fields.pop(name)
    return fields


def prepare(
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
    fields = pick(fields, PARTY_FIELDS, problems)
    if existing is None:
        party = Party(company_id=company_id, **fields)
    else:
        party = copy.copy(existing)
        for name, value in fields.items():
            setattr(party, name, value)
    clean_party(party, problems)

    picked_addresses = []
    for i, data in enumerate(addresses):
        picked_addresses.append(pick(dict(data), ADDRESS_FIELDS, problems.within(f"addresses[{i}].")))
    if municipalities is None:
        municipalities = places.municipalities(a.get("municipality_id") for a in picked_addresses)
    address_objs = []
    for i, data in enumerate(picked_addresses):
        address = PartyAddress(**data)
        clean_address(address, problems.within(f"addresses[{i}]."), municipalities)
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
    billing = next((a for a in address_objs if a.is_billing), None)
    if billing is not None:
        check_ie_in_state(party, getattr(billing, "uf", None), problems)
    elif existing is not None:
        check_ie_in_state(party, billing_uf(existing), problems)
    contact_objs = []
    for i, data in enumerate(contacts):
        sub = problems.within(f"contacts[{i}].")
        contact = PartyContact(**pick(dict(data), CONTACT_FIELDS, sub))
        clean_contact(contact, sub)
        contact_objs.append(contact)
    return party, address_objs, contact_objs, problems


def billing_uf(party: Party) -> str | None:
    return PartyAddress.objects.filter(party=party, is_billing=True).values_list("uf", flat=True).first()


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
    *_built, problems = prepare(company_id, fields, addresses, (), existing=existing, municipalities=municipalities)
    return problems.items
