"""Lookups used by forms and the API."""

from django.db.models import QuerySet

from retaguarda.br_tables.loader import fold
from retaguarda.br_tables.models import Cfop, Municipality, Ncm


def municipalities(*, q: str = "", uf: str = "", code: str = "") -> QuerySet[Municipality]:
    qs = Municipality.objects.all()
    if code:
        qs = qs.filter(code=code)
    if uf:
        qs = qs.filter(uf=uf.upper())
    if q:
        qs = qs.filter(search_name__contains=fold(q))
    return qs


def municipality_by_name(name: str, uf: str) -> Municipality | None:
    return Municipality.objects.filter(search_name=fold(name.strip()), uf=uf.upper().strip()).first()


def ncms(*, q: str = "") -> QuerySet[Ncm]:
    qs = Ncm.objects.all()
    q = q.strip()
    digits = q.replace(".", "")
    if digits.isdigit():
        return qs.filter(code__startswith=digits)
    for word in fold(q).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def cfops(*, q: str = "", direction: str = "") -> QuerySet[Cfop]:
    qs = Cfop.objects.all()
    if direction:
        qs = qs.filter(direction=direction)
    if q.isdigit():
        return qs.filter(code__startswith=q)
    if q:
        qs = qs.filter(description__icontains=q)
    return qs
