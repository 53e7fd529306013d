"""A party's addresses: one billing and one delivery address at most, flags moving to the newest."""

from django.db import transaction

from retaguarda.br_tables import places
from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.problems import Problems
from retaguarda.core.scope import scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.parties.models import Party, PartyAddress
from retaguarda.parties.services.checks import ADDRESS_FIELDS, AUDITED_ADDRESS, clean_address, pick
from retaguarda.parties.services.history import address_key, bump, locked_child, record_child


def clear_flags(party: Party, address: PartyAddress) -> None:
    """A new billing/delivery address takes the flag from the party's other addresses."""
    others = PartyAddress.objects.filter(party=party).exclude(pk=address.pk)
    if address.is_billing:
        others.filter(is_billing=True).update(is_billing=False)
    if address.is_delivery:
        others.filter(is_delivery=True).update(is_delivery=False)


def add_address(party_id: int, *, actor: Actor, version: int | None = None, **fields) -> PartyAddress:
    """Add an address; flagged billing or delivery, it takes that flag from the party's other addresses."""
    problems = Problems()
    fields = pick(fields, ADDRESS_FIELDS, problems)
    address = PartyAddress(**fields)
    clean_address(address, problems, places.municipalities([fields.get("municipality_id")]))
    with transaction.atomic():
        party = lock_for_edit(scoped(Party, actor), party_id, version)
        problems.raise_if_any()
        address.party = party
        if not address.is_billing and not party.addresses.filter(is_billing=True).exists():
            address.is_billing = True
        clear_flags(party, address)
        address.save()
        bump(party)
        record_child(actor, party, "address_added", address_key, address, None, AUDITED_ADDRESS)
    return address


def update_address(address_id: int, *, actor: Actor, version: int | None = None, **changes) -> PartyAddress:
    problems = Problems()
    changes = pick(changes, ADDRESS_FIELDS, problems)
    with transaction.atomic():
        party, address = locked_child(PartyAddress, address_id, actor, version)
        before = audit.snapshot(address, AUDITED_ADDRESS)
        for field, value in changes.items():
            setattr(address, field, value)
        clean_address(
            address, problems, places.municipalities([address.municipality_id]), keep=before["municipality_id"]
        )
        problems.raise_if_any()
        if audit.snapshot(address, AUDITED_ADDRESS) == before:
            return address
        clear_flags(party, address)
        address.save()
        bump(party)
        record_child(actor, party, "address_changed", address_key, address, before, AUDITED_ADDRESS)
    return address


def remove_address(address_id: int, *, actor: Actor, version: int | None = None) -> None:
    """Remove an address; when it was the billing address, the oldest remaining one becomes billing."""
    with transaction.atomic():
        party, address = locked_child(PartyAddress, address_id, actor, version)
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
                    actor, party, "address_changed", {address_key(heir, "is_billing"): [False, True]},
                    company_id=party.company_id,
                )  # fmt: skip
        bump(party)
        record_child(actor, party, "address_removed", address_key, address, before, AUDITED_ADDRESS)
