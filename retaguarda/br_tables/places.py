"""Where an address is: its CEP and its IBGE municipality, checked against each other.

Shared by every record with an address (companies, parties, later carriers' and delivery points).
"""

from typing import Any

from django.utils.translation import gettext as _

from retaguarda.br_tables.models import Municipality
from retaguarda.br_tables.postal_codes import uf_of_cep
from retaguarda.core.cleaning import text
from retaguarda.core.problems import Problems
from retaguarda.core.validators import normalize_cep, validate_cep


def municipalities(codes) -> dict[str, Municipality]:
    """The municipalities of these IBGE codes, in one query (for checking many addresses)."""
    return Municipality.objects.in_bulk([c for c in (text(code) for code in codes) if c])


def clean_place(
    raw_cep: Any,
    municipality_code: Any,
    problems: Problems,
    *,
    known: dict[str, Municipality] | None = None,
    keep: str | None = None,
    cep_field: str = "postal_code",
    municipality_field: str = "municipality_id",
) -> tuple[str, Municipality | None]:
    """The CEP as stored (digits) and the municipality, noting every problem: a missing or malformed
    CEP, an unknown IBGE code, a CEP of another state than the municipality's.

    `known`: municipalities already fetched (see `municipalities`); otherwise one query. A municipality
    the IBGE table no longer has is refused unless it is `keep`, the one the record already had."""
    raw_cep, code = text(raw_cep), text(municipality_code)
    cep = normalize_cep(raw_cep)
    cep_ok = problems.check(cep_field, validate_cep, raw_cep) if raw_cep else False
    if not raw_cep:
        problems.add(cep_field, _("Enter the CEP."))
    municipality = (known if known is not None else municipalities([code])).get(code) if code else None
    if municipality is None:
        if code:
            problems.add(
                municipality_field,
                _("Municipality: IBGE code %(code)s does not exist in the official table.") % {"code": code},
            )
        else:
            problems.add(municipality_field, _("Choose the municipality."))
    elif not municipality.is_active and municipality.code != keep:
        problems.add(
            municipality_field,
            _("Municipality: IBGE code %(code)s is no longer in the official table; choose the current one.")
            % {"code": code},
        )
    if municipality is not None and cep_ok:
        cep_uf = uf_of_cep(cep)
        if cep_uf and cep_uf != municipality.uf:
            problems.add(
                cep_field,
                _("CEP %(cep)s belongs to %(cep_uf)s, but the municipality %(city)s is in %(uf)s.")
                % {"cep": raw_cep, "cep_uf": cep_uf, "city": municipality.name, "uf": municipality.uf},
            )
    return cep, municipality
