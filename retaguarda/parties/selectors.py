"""Reads of parties shared by the API, the pages, the importers and other apps."""

import re

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery

from retaguarda.core.models import AuditRecord
from retaguarda.core.scope import scoped
from retaguarda.core.text import fold
from retaguarda.core.validators import normalize_cnpj
from retaguarda.parties.models import ROLE_FIELDS, Party, PartyAddress, PartyContact, Role

ROLES = [r.value for r in Role]


def _billing(field: str):
    return Subquery(PartyAddress.objects.filter(party=OuterRef("pk"), is_billing=True).values(field)[:1])


def parties(
    *,
    company,
    q: str = "",
    role: str = "",
    active: bool | None = True,
    uf: str = "",
    city: str = "",
) -> QuerySet[Party]:
    """Parties of `company`, searched by name, CPF/CNPJ (masked or not) or city name.

    Each row carries `billing_city` and `billing_uf` (its billing address), in the same query.
    """
    qs = scoped(Party, company).annotate(billing_city=_billing("municipality__name"), billing_uf=_billing("uf"))
    if role:
        qs = qs.filter(**{ROLE_FIELDS[Role(role)]: True})
    if active is not None:
        qs = qs.filter(is_active=active)
    if uf:
        qs = qs.filter(Exists(PartyAddress.objects.filter(party=OuterRef("pk"), uf=uf.strip().upper())))
    if city:
        qs = qs.filter(_in_city(city))
    q = (q or "").strip()
    if q:
        condition = Q()
        for word in q.split():
            condition &= Q(search_text__contains=fold(word)) | _in_city(word)
        document = normalize_cnpj(q.replace(" ", ""))
        if re.fullmatch(r"[0-9A-Z]{3,14}", document):  # "ABC" of an alphanumeric CNPJ too
            condition |= Q(document__contains=document)
        qs = qs.filter(condition)
    return qs


def _in_city(name: str) -> Exists:
    return Exists(
        PartyAddress.objects.filter(party=OuterRef("pk"), municipality__search_name__contains=fold(name.strip()))
    )


def with_details(qs: QuerySet[Party]) -> QuerySet[Party]:
    """Addresses (with municipality) and contacts prefetched: two queries whatever the number of parties."""
    return qs.prefetch_related(
        Prefetch("addresses", queryset=PartyAddress.objects.select_related("municipality")),
        Prefetch("contacts", queryset=PartyContact.objects.all()),
    )


def get_party(*, company, pk: int) -> Party:
    """One party of `company` with addresses and contacts; Party.DoesNotExist otherwise."""
    return with_details(scoped(Party, company)).get(pk=pk)


def billing_address(party: Party) -> PartyAddress | None:
    addresses = list(party.addresses.all())
    return next((a for a in addresses if a.is_billing), addresses[0] if addresses else None)


def delivery_address(party: Party) -> PartyAddress | None:
    return next((a for a in party.addresses.all() if a.is_delivery), None) or billing_address(party)


def history(party: Party) -> QuerySet[AuditRecord]:
    """The party's audit trail, its addresses and contacts included, newest first."""
    return AuditRecord.objects.filter(object_type=party._meta.label_lower, object_id=str(party.pk)).order_by("-id")
