"""What every change to a party's addresses and contacts shares: the lock, the version, the audit."""

from retaguarda.core import audit
from retaguarda.core.actor import Actor
from retaguarda.core.errors import NotFound
from retaguarda.core.scope import scoped
from retaguarda.core.versioning import lock_for_edit
from retaguarda.parties.models import Party, PartyAddress, PartyContact


def address_key(address: PartyAddress, field: str) -> str:
    return f"address#{address.pk}.{field}"


def contact_key(contact: PartyContact, field: str) -> str:
    return f"contact#{contact.pk}.{field}"


def record_child(actor: Actor, party: Party, action: str, key, obj, before: dict | None, fields: list[str]):
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


def bump(party: Party) -> None:
    party.version += 1
    party.save(update_fields=["version", "updated_at"])


def locked_child(model, child_id: int, actor: Actor, version: int | None):
    """The child row and its party, the party locked (and checked against `version`)."""
    child = model.objects.filter(pk=child_id, party__in=scoped(Party, actor)).first()
    if child is None:
        raise NotFound()
    party = lock_for_edit(scoped(Party, actor), child.party_id, version)
    child = model.objects.select_for_update().filter(pk=child_id).first()
    if child is None:
        raise NotFound()
    return party, child
