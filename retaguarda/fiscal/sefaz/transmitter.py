"""The transmitter: how the fiscal services talk to SEFAZ, whatever SEFAZ is (a state's own
authorizer, SVRS/SVAN, SVC in contingency, or the local fake). One implementation rides on nfelib's
SOAP clients (brazil-fiscal-client): mutual TLS with the company's certificate held in memory,
server certificates verified, the endpoints of every state and environment from nfelib's table,
or the fake's address when the company points at it."""

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from lxml import etree

NFE = "http://www.portalfiscal.inf.br/nfe"


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, for the document's SEFAZ conversation."""

    service: str
    request: str
    response: str
    status_code: str = ""
    message: str = ""
    at: datetime = field(default_factory=timezone.now)
    milliseconds: int = 0


@dataclass(frozen=True)
class Answer:
    """What SEFAZ said about one note, event or range: `cStat`, `xMotivo` and the protocol, with the
    XML element that carries them (`protNFe`, `retEvento`, `infInut`) and the whole exchange."""

    status_code: str
    message: str
    protocol: str = ""
    receipt: str = ""
    element: bytes = b""
    exchange: Exchange | None = None


class SefazUnavailable(Exception):
    """No answer (timeout, connection dropped or refused): the outcome at SEFAZ is unknown."""

    def __init__(self, message: str, exchange: Exchange | None = None):
        super().__init__(message)
        self.exchange = exchange


class Transmitter:
    """The interface the services use; `sefaz.client.NfelibTransmitter` implements it."""

    def status(self) -> Answer:
        raise NotImplementedError

    def authorize(self, signed_nfe: bytes, *, synchronous: bool = True) -> Answer:
        raise NotImplementedError

    def authorize_batch(self, signed_nfes: list[bytes]) -> Answer:
        """An asynchronous batch (indSinc=0, up to 50 notes): 103 and the receipt number, or a refusal."""
        raise NotImplementedError

    def receipt(self, number: str) -> list[Answer]:
        raise NotImplementedError

    def query(self, key: str) -> Answer:
        raise NotImplementedError

    def event(self, signed_event: bytes) -> Answer:
        raise NotImplementedError

    def void(self, signed_request: bytes) -> Answer:
        raise NotImplementedError


def find(xml: bytes, tag: str):
    """The first element `tag` (NF-e namespace) anywhere in a SOAP answer."""
    root = etree.fromstring(xml)
    return root if root.tag == f"{{{NFE}}}{tag}" else root.find(f".//{{{NFE}}}{tag}")


def text(element, tag: str) -> str:
    if element is None:
        return ""
    return element.findtext(f"{{{NFE}}}{tag}") or ""


class Clock:
    """Milliseconds of one call."""

    def __enter__(self):
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.milliseconds = int((time.perf_counter() - self.started) * 1000)
        return False
