"""`/api/v1/br`: the official reference tables, read-only, with cursor pagination.

Every signed-in user may read them (`br_tables.view` is granted to all departments).
"""

from ninja import Router, Schema

from retaguarda.br_tables import selectors
from retaguarda.core.api import Page, PageLimit, keyset_page_body
from retaguarda.core.api_auth import require

router = Router(tags=["br_tables"])


class MunicipalityOut(Schema):
    code: str
    name: str
    uf: str
    is_capital: bool


class NcmOut(Schema):
    code: str
    description: str
    full_description: str


class CfopOut(Schema):
    code: str
    description: str
    direction: str
    scope: str
    usable_in_nfe: bool
    is_return: bool


class CestOut(Schema):
    code: str
    segment: str
    segment_name: str
    description: str
    ncm_prefixes: list[str]

    @staticmethod
    def resolve_ncm_prefixes(obj):
        return [p for p in obj.ncm_prefixes.split(";") if p]


def _page(qs, cursor, limit, ordering):
    return keyset_page_body(qs, cursor=cursor, limit=limit, ordering=ordering)


@router.get("/municipalities", response=Page[MunicipalityOut], auth=require("br_tables.view", company=False))
def municipalities(
    request, q: str = "", uf: str = "", code: str = "", cursor: str | None = None, limit: PageLimit = 50
):
    """IBGE municipalities by name (accents and case ignored), UF, or 7-digit code."""
    return _page(selectors.municipalities(q=q, uf=uf, code=code), cursor, limit, ("name", "code"))


@router.get("/ncm", response=Page[NcmOut], auth=require("br_tables.view", company=False))
def ncm(request, q: str = "", cursor: str | None = None, limit: PageLimit = 50):
    """NCM by code prefix (dots allowed: 2202.10) or by words of the description."""
    return _page(selectors.ncms(q=q), cursor, limit, ("code",))


@router.get("/cfop", response=Page[CfopOut], auth=require("br_tables.view", company=False))
def cfop(request, q: str = "", direction: str = "", cursor: str | None = None, limit: PageLimit = 50):
    """CFOP by code prefix or description; `direction` is `entrada` or `saida`."""
    return _page(selectors.cfops(q=q, direction=direction), cursor, limit, ("code",))


@router.get("/cest", response=Page[CestOut], auth=require("br_tables.view", company=False))
def cest(request, ncm: str = "", q: str = "", cursor: str | None = None, limit: PageLimit = 50):
    """CEST codes; with `ncm`, only those whose NCM list covers that NCM."""
    return _page(selectors.cests(ncm=ncm, q=q), cursor, limit, ("code",))
