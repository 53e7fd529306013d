"""The adapter: one HTTP client for a ViaCEP-style CEP service and a BrasilAPI-style CNPJ service.

Every failure (off, unreachable, slow, an answer that is not the protocol's) comes back as an `Answer`
with a status, never as an exception: the caller offers what was found and the user goes on typing.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from retaguarda.core.validators import is_valid_cnpj, normalize_cep, normalize_cnpj, only_digits

log = logging.getLogger(__name__)

FOUND, NOT_FOUND, UNAVAILABLE, OFF = "found", "not_found", "unavailable", "off"
MAX_ANSWER_BYTES = 256 * 1024  # a CNPJ record with its partners is a few KB: more is not an answer
USER_AGENT = "Retaguarda (open-source ERP)"


@dataclass(frozen=True)
class PlaceFound:
    postal_code: str  # 8 digits
    street: str
    district: str
    municipality_code: str  # IBGE, 7 digits ("" when the service did not say)
    municipality_name: str
    uf: str
    number: str = ""
    complement: str = ""


@dataclass(frozen=True)
class CompanyFound:
    cnpj: str
    legal_name: str
    trade_name: str
    place: PlaceFound | None


@dataclass(frozen=True)
class Answer:
    status: str  # FOUND, NOT_FOUND, UNAVAILABLE or OFF
    found: PlaceFound | CompanyFound | None = None


class _Unavailable(Exception):
    pass


def _web_address(url: str) -> str:
    """An http(s) base address without its last slash; anything else (file:, ftp:) turns the lookup off."""
    url = (url or "").strip().rstrip("/")
    return url if url.startswith(("http://", "https://")) else ""


def _text(value) -> str:
    return " ".join(str(value).split()) if value not in (None, "") else ""


class Lookups:
    """`Lookups(cep_url=..., cnpj_url=...)`: either URL empty turns that lookup off."""

    def __init__(self, *, cep_url: str = "", cnpj_url: str = "", timeout: float = 3.0):
        self.cep_url = _web_address(cep_url)
        self.cnpj_url = _web_address(cnpj_url)
        self.timeout = timeout

    def cep(self, cep: str) -> Answer:
        digits = normalize_cep(cep)
        if not self.cep_url:
            return Answer(OFF)
        if len(digits) != 8:
            return Answer(NOT_FOUND)
        try:
            status, body = self._get(f"{self.cep_url}/{digits}/json/")
        except _Unavailable:
            return Answer(UNAVAILABLE)
        # ViaCEP answers a CEP it does not know with 200 and {"erro": true} ("true" in its newer version).
        if status == 400 or (isinstance(body, dict) and body.get("erro") not in (None, False, "false")):
            return Answer(NOT_FOUND)
        if not isinstance(body, dict) or not body.get("localidade"):
            log.warning("CEP service answered %s without an address for %s", status, digits)
            return Answer(UNAVAILABLE)
        return Answer(
            FOUND,
            PlaceFound(
                postal_code=only_digits(body.get("cep")) or digits,
                street=_text(body.get("logradouro")),
                district=_text(body.get("bairro")),
                municipality_code=only_digits(str(body.get("ibge") or "")),
                municipality_name=_text(body.get("localidade")),
                uf=_text(body.get("uf")).upper(),
            ),
        )

    def cnpj(self, cnpj: str) -> Answer:
        value = normalize_cnpj(cnpj)
        if not self.cnpj_url:
            return Answer(OFF)
        if not is_valid_cnpj(value):
            return Answer(NOT_FOUND)
        try:
            status, body = self._get(f"{self.cnpj_url}/{quote(value)}")
        except _Unavailable:
            return Answer(UNAVAILABLE)
        if status in (400, 404):
            return Answer(NOT_FOUND)
        if not isinstance(body, dict) or not body.get("razao_social"):
            log.warning("CNPJ service answered %s without a company for %s", status, value)
            return Answer(UNAVAILABLE)
        return Answer(
            FOUND,
            CompanyFound(
                cnpj=normalize_cnpj(str(body.get("cnpj") or value)),
                legal_name=_text(body.get("razao_social")),
                trade_name=_text(body.get("nome_fantasia")),
                place=_company_place(body),
            ),
        )

    def _get(self, url: str) -> tuple[int, object]:
        """(status, JSON body or None). Unreachable, slow, a server error or a body that is not JSON raise
        `_Unavailable`; 4xx answers are the protocol's way of saying "not found" and come back."""
        request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            if 400 <= exc.code < 500:
                return exc.code, None
            log.warning("lookup service %s answered %s", url, exc.code)
            raise _Unavailable from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            log.warning("lookup service %s unreachable: %s", url, exc)
            raise _Unavailable from exc
        if len(raw) > MAX_ANSWER_BYTES:
            raise _Unavailable
        try:
            return status, json.loads(raw)
        except ValueError as exc:
            raise _Unavailable from exc


def _company_place(body: dict) -> PlaceFound | None:
    """The address of a BrasilAPI-style record: the street's kind comes apart from its name there."""
    kind, street = _text(body.get("descricao_tipo_de_logradouro")), _text(body.get("logradouro"))
    if kind and not street.upper().startswith(kind.upper()):
        street = f"{kind} {street}".strip()
    cep = only_digits(str(body.get("cep") or ""))
    place = PlaceFound(
        postal_code=cep.zfill(8) if cep else "",
        street=street,
        district=_text(body.get("bairro")),
        municipality_code=only_digits(str(body.get("codigo_municipio_ibge") or "")),
        municipality_name=_text(body.get("municipio")),
        uf=_text(body.get("uf")).upper(),
        number=_text(body.get("numero")),
        complement=_text(body.get("complemento")),
    )
    return place if any((place.postal_code, place.street, place.municipality_code)) else None


def lookups() -> Lookups | None:
    """The install's lookups, or None when they are off (`LOOKUPS_ENABLED`)."""
    if not getattr(settings, "LOOKUPS_ENABLED", False):
        return None
    return Lookups(
        cep_url=getattr(settings, "LOOKUP_CEP_URL", ""),
        cnpj_url=getattr(settings, "LOOKUP_CNPJ_URL", ""),
        timeout=getattr(settings, "LOOKUP_TIMEOUT", 3.0),
    )


def find_cep(cep: str) -> Answer:
    service = lookups()
    return service.cep(cep) if service else Answer(OFF)


def find_cnpj(cnpj: str) -> Answer:
    service = lookups()
    return service.cnpj(cnpj) if service else Answer(OFF)
