"""NF-e events built by us (nfelib 3.2.0's helpers are broken and refuse alphanumeric keys):
cancellation (110111) and correction letter (CC-e, 110110), and the voiding of number ranges.

The event schemas nfelib ships (tiposBasico_v1.03) still say a key is `[0-9]{44}` and a CNPJ
`[0-9]{14}`, so they refuse the alphanumeric CNPJ SEFAZ accepts since July 2026 (NT 2025.001). This
module is the one place that widens them: it copies the schemas once per process and replaces each
pattern the way the NT does (positions 7-20 of the key, the first 12 characters of the CNPJ, may hold
capital letters). `test_events` fails the day nfelib's schemas change under it; drop the patch then.
"""

import functools
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

from lxml import etree

from retaguarda.fiscal.keys import UF_CODES
from retaguarda.fiscal.xml import schemas
from retaguarda.fiscal.xml.formats import when

NFE = "http://www.portalfiscal.inf.br/nfe"
NFELIB = schemas.NFELIB
CANCEL, CORRECTION = "110111", "110110"
SCHEMA_FOLDERS = {CANCEL: "nfe_evento_cancel", CORRECTION: "nfe_evento_cce"}
SCHEMA_FILES = {CANCEL: "eventoCancNFe_v1.00.xsd", CORRECTION: "CCe_v1.00.xsd"}
MAX_CORRECTIONS = 20

# (what nfelib 3.2.0 says, what NT 2025.001 allows)
PATTERN_PATCHES = [
    ('value="[0-9]{44}"', 'value="[0-9]{6}[0-9A-Z]{12}[0-9]{26}"'),
    ("([\\d]{14})([\\d]{5})", "([0-9A-Z]{12}[\\d]{2})([\\d]{5})"),
    ('value="[0-9]{14}"', 'value="[0-9A-Z]{12}[0-9]{2}"'),
    ('value="[0-9]{0}|[0-9]{14}"', 'value="[0-9]{0}|[0-9A-Z]{12}[0-9]{2}"'),
    ('value="ID[0-9]{52}"', 'value="ID[0-9]{12}[0-9A-Z]{12}[0-9]{28}"'),
]


@functools.cache
def patched_folder(event_type: str) -> Path:
    """A copy of the event's schemas with the alphanumeric CNPJ patterns (built once per process)."""
    source = NFELIB / SCHEMA_FOLDERS[event_type] / "schemas" / "v1_0"
    target = Path(tempfile.mkdtemp(prefix=f"rtg-{event_type}-"))
    applied = {old: 0 for old, _new in PATTERN_PATCHES}
    for xsd in source.glob("*.xsd"):
        text = xsd.read_text(encoding="utf-8")
        for old, new in PATTERN_PATCHES:
            applied[old] += text.count(old)
            text = text.replace(old, new)
        (target / xsd.name).write_text(text, encoding="utf-8")
    if not any(applied.values()):
        shutil.rmtree(target, ignore_errors=True)
        raise RuntimeError(f"nfelib's {event_type} schemas changed; review the alphanumeric CNPJ patch")
    return target


def event_errors(event: etree._Element) -> list[str]:
    """Schema errors of one signed `evento` (patched for the alphanumeric CNPJ)."""
    kind = event.findtext(f"{{{NFE}}}infEvento/{{{NFE}}}tpEvento")
    if kind not in SCHEMA_FILES:
        return [f"event type {kind} is not supported"]
    return schemas.errors(event, SCHEMA_FILES[kind], patched_folder(kind))


def errors(env_evento: etree._Element) -> list[str]:
    """Schema errors of every `evento` in an `envEvento` batch."""
    found = []
    for event in env_evento.findall(f"{{{NFE}}}evento"):
        found += event_errors(event)
    return found


@functools.cache
def correction_conditions() -> str:
    """The CC-e's legal conditions of use, exactly as the schema enumerates them (without accents)."""
    text = (NFELIB / "nfe_evento_cce" / "schemas" / "v1_0" / "leiauteCCe_v1.00.xsd").read_text(encoding="utf-8")
    values = re.findall(r'<xs:enumeration value="(A Carta de Correcao[^"]+)"', text)
    return values[0]


def build(
    *, event_type: str, key: str, cnpj: str, environment: int, sequence: int, moment: datetime, details: dict
) -> etree._Element:
    """An unsigned `evento` for the note `key`."""
    root = etree.Element(f"{{{NFE}}}evento", nsmap={None: NFE}, versao="1.00")
    inf = etree.SubElement(root, f"{{{NFE}}}infEvento", Id=f"ID{event_type}{key}{sequence:02d}")
    uf = key[:2]
    for tag, value in (
        ("cOrgao", uf),
        ("tpAmb", str(environment)),
        ("CNPJ", cnpj),
        ("chNFe", key),
        ("dhEvento", when(moment)),
        ("tpEvento", event_type),
        ("nSeqEvento", str(sequence)),
        ("verEvento", "1.00"),
    ):
        etree.SubElement(inf, f"{{{NFE}}}{tag}").text = value
    det = etree.SubElement(inf, f"{{{NFE}}}detEvento", versao="1.00")
    if event_type == CANCEL:
        items = (("descEvento", "Cancelamento"), ("nProt", details["protocol"]), ("xJust", details["reason"]))
    else:
        items = (
            ("descEvento", "Carta de Correcao"),
            ("xCorrecao", details["text"]),
            ("xCondUso", correction_conditions()),
        )
    for tag, value in items:
        etree.SubElement(det, f"{{{NFE}}}{tag}").text = value
    return root


def void_request(
    *, uf: str, environment: int, year: int, cnpj: str, model: int, series: int, first: int, last: int, reason: str
):
    """An unsigned `inutNFe` for the numbers first..last of a series."""
    root = etree.Element(f"{{{NFE}}}inutNFe", nsmap={None: NFE}, versao="4.00")
    ident = f"ID{UF_CODES[uf]}{year % 100:02d}{cnpj}{model:02d}{series:03d}{first:09d}{last:09d}"
    inf = etree.SubElement(root, f"{{{NFE}}}infInut", Id=ident)
    for tag, value in (
        ("tpAmb", str(environment)),
        ("xServ", "INUTILIZAR"),
        ("cUF", UF_CODES[uf]),
        ("ano", f"{year % 100:02d}"),
        ("CNPJ", cnpj),
        ("mod", str(model)),
        ("serie", str(series)),
        ("nNFIni", str(first)),
        ("nNFFin", str(last)),
        ("xJust", reason),
    ):
        etree.SubElement(inf, f"{{{NFE}}}{tag}").text = value
    return root
