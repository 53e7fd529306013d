"""Lookups used by forms and the API."""

import re

from django.db.models import Q, QuerySet

from retaguarda.br_tables.models import Cest, Cfop, Municipality, Ncm
from retaguarda.core.text import fold

_NAME_AND_UF = re.compile(r"^(?P<name>.*?)\s*(?:/|-|,|\s)\s*(?P<uf>[A-Za-z]{2})$")


def municipalities(*, q: str = "", uf: str = "", code: str = "") -> QuerySet[Municipality]:
    qs = Municipality.objects.all() if code else Municipality.objects.filter(is_active=True)
    if code:
        qs = qs.filter(code=code.strip())
    if uf:
        qs = qs.filter(uf=uf.strip().upper())
    if q:
        qs = qs.filter(search_name__contains=fold(q.strip()))
    return qs


def search_municipalities(text: str) -> QuerySet[Municipality]:
    """What a person types in a form: "campinas", "Campinas/SP", "bom jesus - pi", or an IBGE code."""
    text = (text or "").strip()
    if text.isdigit():
        return Municipality.objects.filter(code__startswith=text, is_active=True)
    match = _NAME_AND_UF.match(text)
    if match and Municipality.objects.filter(uf=match["uf"].upper()).exists():
        by_uf = municipalities(q=match["name"], uf=match["uf"])
        if by_uf.exists():
            return by_uf
    return municipalities(q=text)


def ranked(qs: QuerySet[Municipality], text: str, limit: int = 10) -> list[Municipality]:
    """Best matches first: names that start with the text, capitals, then alphabetical."""
    key = fold((text or "").split("/")[0].strip())
    rows = list(qs.order_by("name", "code")[:200])
    rows.sort(key=lambda m: (not m.search_name.startswith(key), not m.is_capital, m.search_name))
    return rows[:limit]


def municipality_by_name(name: str, uf: str) -> Municipality | None:
    return Municipality.objects.filter(search_name=fold(name.strip()), uf=uf.upper().strip()).first()


def ncms(*, q: str = "") -> QuerySet[Ncm]:
    qs = Ncm.objects.filter(is_active=True)
    q = q.strip()
    digits = q.replace(".", "")
    if digits.isdigit():
        return qs.filter(code__startswith=digits)
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def cfops(*, q: str = "", direction: str = "") -> QuerySet[Cfop]:
    qs = Cfop.objects.filter(is_active=True)
    q = q.strip()
    if direction:
        qs = qs.filter(direction=direction)
    if q.replace(".", "").isdigit():
        return qs.filter(code__startswith=q.replace(".", ""))
    for word in q.split():
        qs = qs.filter(description__icontains=word)
    return qs


def cests(*, ncm: str = "", q: str = "") -> QuerySet[Cest]:
    """CEST codes; with `ncm`, those whose ";"-separated NCM prefixes include a prefix of it."""
    qs = Cest.objects.filter(is_active=True)
    ncm = re.sub(r"\D", "", ncm or "")
    if ncm:
        condition = Q()
        for size in range(2, len(ncm) + 1):
            prefix = ncm[:size]
            condition |= (
                Q(ncm_prefixes=prefix)
                | Q(ncm_prefixes__startswith=f"{prefix};")
                | Q(ncm_prefixes__endswith=f";{prefix}")
                | Q(ncm_prefixes__contains=f";{prefix};")
            )
        qs = qs.filter(condition)
    q = (q or "").strip()
    if q.replace(".", "").isdigit():
        qs = qs.filter(code__startswith=q.replace(".", ""))
    elif q:
        for word in q.split():
            qs = qs.filter(description__icontains=word)
    return qs
