"""Register and change parties (customers, suppliers, carriers)."""

from django.db import IntegrityError, transaction

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.problems import Problems
from retaguarda.core.scope import company_id_of, scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.parties.errors import DuplicateDocument
from retaguarda.parties.models import Party
from retaguarda.parties.services.checks import (
    AUDITED_ADDRESS,
    AUDITED_PARTY,
    CONTACT_FIELDS,
    PARTY_FIELDS,
    billing_uf,
    check_ie_in_state,
    clean_party,
    pick,
    prepare,
)
from retaguarda.parties.services.history import address_key, contact_key, record_child


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
    party, address_objs, contact_objs, problems = prepare(company_id, fields, addresses, contacts)
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
            record_child(actor, party, "address_added", address_key, address, None, AUDITED_ADDRESS)
        for contact in contact_objs:
            contact.party = party
            contact.save()
            record_child(actor, party, "contact_added", contact_key, contact, None, CONTACT_FIELDS)
    return party


def update_party(party_id: int, *, actor: Actor, version: int | None, **changes) -> Party:
    """Change the party's own fields (addresses and contacts have their own functions)."""
    problems = Problems()
    changes = pick(changes, PARTY_FIELDS, problems)
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        before = audit.snapshot(party, AUDITED_PARTY)
        for field, value in changes.items():
            setattr(party, field, value)
        clean_party(party, problems)
        check_ie_in_state(party, billing_uf(party), problems)
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
