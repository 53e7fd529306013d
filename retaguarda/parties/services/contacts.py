"""A party's contacts (people to talk to, with their e-mail and phone)."""

from django.db import transaction

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.parties.models import Party, PartyContact
from retaguarda.parties.services.checks import CONTACT_FIELDS, clean_contact, pick
from retaguarda.parties.services.history import bump, contact_key, locked_child, record_child


def add_contact(party_id: int, *, actor: Actor, version: int | None = None, **fields) -> PartyContact:
    problems = Problems()
    contact = PartyContact(**pick(fields, CONTACT_FIELDS, problems))
    clean_contact(contact, problems)
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        problems.raise_if_any()
        contact.party = party
        contact.save()
        bump(party)
        record_child(actor, party, "contact_added", contact_key, contact, None, CONTACT_FIELDS)
    return contact


def update_contact(contact_id: int, *, actor: Actor, version: int | None = None, **changes) -> PartyContact:
    problems = Problems()
    changes = pick(changes, CONTACT_FIELDS, problems)
    with transaction.atomic():
        party, contact = locked_child(PartyContact, contact_id, actor, version)
        before = audit.snapshot(contact, CONTACT_FIELDS)
        for field, value in changes.items():
            setattr(contact, field, value)
        clean_contact(contact, problems)
        problems.raise_if_any()
        if audit.snapshot(contact, CONTACT_FIELDS) == before:
            return contact
        contact.save()
        bump(party)
        record_child(actor, party, "contact_changed", contact_key, contact, before, CONTACT_FIELDS)
    return contact


def remove_contact(contact_id: int, *, actor: Actor, version: int | None = None) -> None:
    with transaction.atomic():
        party, contact = locked_child(PartyContact, contact_id, actor, version)
        before = audit.snapshot(contact, CONTACT_FIELDS)
        contact.delete()
        contact.pk = contact_id
        bump(party)
        record_child(actor, party, "contact_removed", contact_key, contact, before, CONTACT_FIELDS)
