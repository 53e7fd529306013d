"""Parties, their addresses and contacts: the only writers of these tables.

Every function validates everything it is given and reports every problem at once
(`ValidationFailed` with one `{"field", "message"}` per problem), writes field-by-field audit
records inside its transaction, and bumps the party's `version` so edits made from a stale
screen are refused with 409.
"""

from retaguarda.parties.services.addresses import add_address, remove_address, update_address
from retaguarda.parties.services.checks import party_problems
from retaguarda.parties.services.contacts import add_contact, remove_contact, update_contact
from retaguarda.parties.services.parties import create_party, deactivate_party, reactivate_party, update_party

__all__ = [
    "add_address",
    "add_contact",
    "create_party",
    "deactivate_party",
    "party_problems",
    "reactivate_party",
    "remove_address",
    "remove_contact",
    "update_address",
    "update_contact",
    "update_party",
]
