"""A local fake SEFAZ: the NF-e 4.00 web services over TLS on 127.0.0.1, for tests, the demo and a
laptop with no SEFAZ in reach.

It has its own CA (`pki`), requires a client certificate issued by it, reads SOAP 1.1 or 1.2 and
answers in the same version, checks the schema (225) and the signature (297) of what it receives,
keeps what it authorized, answers duplicates (204/539), and can be told to reject, deny, go out of
service (108/109), time out or drop the connection after committing an authorization, so tests drive
every path a real SEFAZ can take.
"""

import base64
import hashlib
import itertools
import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature

from retaguarda.core.local_server import LocalServer
from retaguarda.fiscal.sefaz import pki
from retaguarda.fiscal.xml import schemas

log = logging.getLogger(__name__)

NFE = "http://www.portalfiscal.inf.br/nfe"
DS = "http://www.w3.org/2000/09/xmldsig#"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSDL = "http://www.portalfiscal.inf.br/nfe/wsdl/"
SERVICES = (
    "NFeStatusServico4",
    "NFeAutorizacao4",
    "NFeRetAutorizacao4",
    "NFeConsultaProtocolo4",
    "NFeRecepcaoEvento4",
    "NFeInutilizacao4",
)
VERSION = "RTG-FAKE-1.0"
BRASILIA = ZoneInfo("America/Sao_Paulo")


def _now() -> str:
    return datetime.now(BRASILIA).replace(microsecond=0).isoformat()


@dataclass
class Script:
    """What the fake does with the next authorizations (tests set it; `None` means answer normally)."""

    reject: tuple[str, str] | None = None  # (cStat, xMotivo) for every note
    deny: bool = False
    out_of_service: str | None = None  # "108" or "109"
    drop_after_commit: int = 0  # authorize, then close the connection without answering (count)
    delay_after_commit: float = 0.0  # authorize, then wait this long before answering


@dataclass
class Authorized:
    key: str
    protocol: str
    digest: str
    received_at: str
    cancelled_protocol: str = ""
    corrections: list[int] = field(default_factory=list)


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.notes: dict[str, Authorized] = {}
        self.by_number: dict[tuple[str, str, str, str], str] = {}  # (cnpj, model, series, number) -> key
        self.receipts: dict[str, list[bytes]] = {}
        self.voided: list[tuple[str, str, str, int, int]] = []
        self.requests: list[str] = []  # service names, in order
        self.script = Script()
        self._protocols = itertools.count(1)
        self._receipts = itertools.count(1)

    def protocol(self, uf_code: str) -> str:
        return f"{uf_code[:1] or '1'}{datetime.now().year % 100:02d}{next(self._protocols):012d}"

    def receipt(self, uf_code: str) -> str:
        return f"{uf_code:0>2}{next(self._receipts):013d}"


def _el(parent, tag, text=None, **attrs):
    node = etree.SubElement(parent, f"{{{NFE}}}{tag}", **attrs)
    if text is not None:
        node.text = str(text)
    return node


def _root(tag, **attrs):
    return etree.Element(f"{{{NFE}}}{tag}", nsmap={None: NFE}, **attrs)


def _signature_ok(element) -> bool:
    """The signature over `element`'s signed child verifies with the certificate it carries."""
    try:
        cert = element.find(f".//{{{DS}}}X509Certificate").text
        verifier = XMLVerifier()
        verifier.excise_empty_xmlns_declarations = True
        # Out of the SOAP envelope, without the envelope's namespace declarations, as SEFAZ reads it.
        alone = etree.fromstring(etree.tostring(element))
        etree.cleanup_namespaces(alone)
        verifier.verify(
            alone,
            x509_cert="-----BEGIN CERTIFICATE-----\n" + cert + "\n-----END CERTIFICATE-----",
            expect_config=_sha1_config(),
        )
        return True
    except (InvalidSignature, AttributeError, ValueError) as exc:
        log.info("fake SEFAZ: signature refused: %s", exc)
        return False


def _sha1_config():
    from signxml import SignatureConfiguration
    from signxml.algorithms import DigestAlgorithm, SignatureMethod

    return SignatureConfiguration(
        signature_methods=frozenset({SignatureMethod.RSA_SHA1}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA1}),
        require_x509=False,
    )


def _digest(nfe) -> str:
    value = nfe.find(f".//{{{DS}}}DigestValue")
    return value.text if value is not None else ""


class Sefaz:
    """The request handlers, one per service, over the shared state."""

    def __init__(self, state: State):
        self.state = state

    # --- NFeStatusServico4
    def status(self, msg):
        out = _root("retConsStatServ", versao="4.00")
        tp_amb = msg.findtext(f"{{{NFE}}}tpAmb") or "2"
        code = self.state.script.out_of_service or "107"
        reason = {"107": "Serviço em Operação", "108": "Serviço Paralisado Momentaneamente (curto prazo)",
                  "109": "Serviço Paralisado sem Previsão"}[code]  # fmt: skip
        for tag, text in (("tpAmb", tp_amb), ("verAplic", VERSION), ("cStat", code), ("xMotivo", reason),
                          ("cUF", msg.findtext(f"{{{NFE}}}cUF") or "35"), ("dhRecbto", _now())):  # fmt: skip
            _el(out, tag, text)
        return out

    # --- NFeAutorizacao4
    def authorize(self, msg, connection):
        tp_amb = "2"
        notes = msg.findall(f"{{{NFE}}}NFe")
        if notes:
            tp_amb = notes[0].findtext(f".//{{{NFE}}}ide/{{{NFE}}}tpAmb") or "2"
        uf_code = notes[0].findtext(f".//{{{NFE}}}ide/{{{NFE}}}cUF") if notes else "35"
        out = _root("retEnviNFe", versao="4.00")
        if self.state.script.out_of_service:
            return self._simple(out, tp_amb, uf_code, self.state.script.out_of_service, "Serviço Paralisado")
        if schemas.errors(msg, "enviNFe_v4.00.xsd"):
            return self._simple(out, tp_amb, uf_code, "225", "Rejeição: Falha no Schema XML do lote de NFe")
        sync = msg.findtext(f"{{{NFE}}}indSinc") == "1"
        if sync and len(notes) > 1:
            return self._simple(
                out, tp_amb, uf_code, "452", "Rejeição: Solicitada resposta síncrona para Lote com mais de uma NF-e"
            )
        protocols = [self._process(nfe, tp_amb, uf_code) for nfe in notes]
        if not sync:
            receipt = self.state.receipt(uf_code)
            with self.state.lock:
                self.state.receipts[receipt] = [etree.tostring(p) for p in protocols]
            self._simple(out, tp_amb, uf_code, "103", "Lote recebido com sucesso")
            rec = _el(out, "infRec")
            _el(rec, "nRec", receipt)
            _el(rec, "tMed", "1")
            return out
        self._simple(out, tp_amb, uf_code, "104", "Lote processado")
        out.append(protocols[0])
        self._after_commit(connection)
        return out

    def _after_commit(self, connection):
        script = self.state.script
        if script.drop_after_commit > 0:
            script.drop_after_commit -= 1
            raise _Drop()
        if script.delay_after_commit:
            time.sleep(script.delay_after_commit)

    def _simple(self, out, tp_amb, uf_code, code, reason):
        for tag, text in (("tpAmb", tp_amb), ("verAplic", VERSION), ("cStat", code), ("xMotivo", reason),
                          ("cUF", uf_code), ("dhRecbto", _now())):  # fmt: skip
            _el(out, tag, text)
        return out

    def _prot(self, tp_amb, key, code, reason, protocol="", digest="", received=""):
        prot = _root("protNFe", versao="4.00")
        inf = _el(prot, "infProt")
        _el(inf, "tpAmb", tp_amb)
        _el(inf, "verAplic", VERSION)
        _el(inf, "chNFe", key)
        _el(inf, "dhRecbto", received or _now())
        if protocol:
            _el(inf, "nProt", protocol)
        if digest:
            _el(inf, "digVal", digest)
        _el(inf, "cStat", code)
        _el(inf, "xMotivo", reason)
        return prot

    def _process(self, nfe, tp_amb, uf_code):
        inf = nfe.find(f"{{{NFE}}}infNFe")
        key = inf.get("Id", "")[3:]
        digest = _digest(nfe)
        if not _signature_ok(nfe):
            return self._prot(tp_amb, key, "297", "Rejeição: Assinatura difere do calculado")
        script = self.state.script
        if script.reject:
            return self._prot(tp_amb, key, *script.reject)
        emit = inf.find(f"{{{NFE}}}emit")
        ide = inf.find(f"{{{NFE}}}ide")
        number = (
            emit.findtext(f"{{{NFE}}}CNPJ"),
            ide.findtext(f"{{{NFE}}}mod"),
            ide.findtext(f"{{{NFE}}}serie"),
            ide.findtext(f"{{{NFE}}}nNF"),
        )
        with self.state.lock:
            known = self.state.notes.get(key)
            if known is not None:
                return self._prot(
                    tp_amb,
                    key,
                    "204",
                    f"Rejeição: Duplicidade de NF-e [nProt:{known.protocol}][dhAut:{known.received_at}]",
                )
            other = self.state.by_number.get(number)
            if other is not None:
                prior = self.state.notes[other]
                return self._prot(
                    tp_amb, key, "539",
                    f"Rejeição: Duplicidade de NF-e com diferença na Chave de Acesso [chNFe:{other}][nProt:{prior.protocol}][dhAut:{prior.received_at}]",
                )  # fmt: skip
            if script.deny:
                return self._prot(
                    tp_amb,
                    key,
                    "301",
                    "Uso Denegado: Irregularidade fiscal do emitente",
                    self.state.protocol(uf_code),
                    digest,
                )
            note = Authorized(key, self.state.protocol(uf_code), digest, _now())
            self.state.notes[key] = note
            self.state.by_number[number] = key
        return self._prot(tp_amb, key, "100", "Autorizado o uso da NF-e", note.protocol, digest, note.received_at)

    # --- NFeRetAutorizacao4
    def receipt(self, msg):
        tp_amb = msg.findtext(f"{{{NFE}}}tpAmb") or "2"
        number = msg.findtext(f"{{{NFE}}}nRec") or ""
        out = _root("retConsReciNFe", versao="4.00")
        _el(out, "tpAmb", tp_amb)
        _el(out, "verAplic", VERSION)
        _el(out, "nRec", number)
        with self.state.lock:
            protocols = self.state.receipts.get(number)
        if protocols is None:
            _el(out, "cStat", "106")
            _el(out, "xMotivo", "Lote não localizado")
            _el(out, "cUF", number[:2])
            _el(out, "dhRecbto", _now())
            return out
        _el(out, "cStat", "104")
        _el(out, "xMotivo", "Lote processado")
        _el(out, "cUF", number[:2])
        _el(out, "dhRecbto", _now())
        for prot in protocols:
            out.append(etree.fromstring(prot))
        return out

    # --- NFeConsultaProtocolo4
    def query(self, msg):
        tp_amb = msg.findtext(f"{{{NFE}}}tpAmb") or "2"
        key = msg.findtext(f"{{{NFE}}}chNFe") or ""
        out = _root("retConsSitNFe", versao="4.00")
        _el(out, "tpAmb", tp_amb)
        _el(out, "verAplic", VERSION)
        with self.state.lock:
            note = self.state.notes.get(key)
        if note is None:
            _el(out, "cStat", "217")
            _el(out, "xMotivo", "Rejeição: NF-e não consta na base de dados da SEFAZ")
            _el(out, "cUF", key[:2])
            _el(out, "dhRecbto", _now())
            _el(out, "chNFe", key)
            return out
        code, reason = (
            ("101", "Cancelamento de NF-e homologado")
            if note.cancelled_protocol
            else ("100", "Autorizado o uso da NF-e")
        )
        _el(out, "cStat", code)
        _el(out, "xMotivo", reason)
        _el(out, "cUF", key[:2])
        _el(out, "dhRecbto", _now())
        _el(out, "chNFe", key)
        out.append(
            self._prot(tp_amb, key, "100", "Autorizado o uso da NF-e", note.protocol, note.digest, note.received_at)
        )
        return out

    # --- NFeRecepcaoEvento4
    def event(self, msg):
        out = _root("retEnvEvento", versao="1.00")
        events = msg.findall(f"{{{NFE}}}evento")
        tp_amb = events[0].findtext(f".//{{{NFE}}}tpAmb") if events else "2"
        _el(out, "idLote", msg.findtext(f"{{{NFE}}}idLote") or "1")
        _el(out, "tpAmb", tp_amb)
        _el(out, "verAplic", VERSION)
        _el(out, "cOrgao", events[0].findtext(f".//{{{NFE}}}cOrgao") if events else "35")
        from retaguarda.fiscal.sefaz import events as event_schemas

        if event_schemas.errors(msg):
            _el(out, "cStat", "215")
            _el(out, "xMotivo", "Rejeição: Falha no schema XML")
            return out
        _el(out, "cStat", "128")
        _el(out, "xMotivo", "Lote de Evento Processado")
        for event in events:
            out.append(self._one_event(event, tp_amb))
        return out

    def _one_event(self, event, tp_amb):
        inf = event.find(f"{{{NFE}}}infEvento")
        key = inf.findtext(f"{{{NFE}}}chNFe")
        kind = inf.findtext(f"{{{NFE}}}tpEvento")
        sequence = int(inf.findtext(f"{{{NFE}}}nSeqEvento") or "1")
        ret = _root("retEvento", versao="1.00")
        r = _el(ret, "infEvento")

        def answer(code, reason, protocol=""):
            for tag, text in (("tpAmb", tp_amb), ("verAplic", VERSION), ("cOrgao", inf.findtext(f"{{{NFE}}}cOrgao")),
                              ("cStat", code), ("xMotivo", reason), ("chNFe", key), ("tpEvento", kind),
                              ("nSeqEvento", str(sequence)), ("dhRegEvento", _now())):  # fmt: skip
                _el(r, tag, text)
            if protocol:
                _el(r, "nProt", protocol)
            return ret

        if not _signature_ok(event):
            return answer("297", "Rejeição: Assinatura difere do calculado")
        with self.state.lock:
            note = self.state.notes.get(key)
            if note is None:
                return answer("217", "Rejeição: NF-e não consta na base de dados da SEFAZ")
            if note.cancelled_protocol:
                return answer("218", "Rejeição: NF-e já está cancelada na base de dados da SEFAZ")
            protocol = self.state.protocol(key[:2])
            if kind == "110111":
                if inf.findtext(f".//{{{NFE}}}nProt") != note.protocol:
                    return answer("222", "Rejeição: Protocolo de Autorização de Uso difere do cadastrado")
                note.cancelled_protocol = protocol
                return answer("135", "Evento registrado e vinculado a NF-e", protocol)
            if kind == "110110":
                if sequence in note.corrections:
                    return answer("573", "Rejeição: Duplicidade de Evento")
                note.corrections.append(sequence)
                return answer("135", "Evento registrado e vinculado a NF-e", protocol)
        return answer("490", "Rejeição: Tipo de evento não suportado por esta SEFAZ de testes")

    # --- NFeInutilizacao4
    def void(self, msg):
        inf = msg.find(f"{{{NFE}}}infInut")
        out = _root("retInutNFe", versao="4.00")
        r = _el(out, "infInut")
        tp_amb = inf.findtext(f"{{{NFE}}}tpAmb")

        def answer(code, reason, protocol=""):
            for tag, text in (("tpAmb", tp_amb), ("verAplic", VERSION), ("cStat", code), ("xMotivo", reason),
                              ("cUF", inf.findtext(f"{{{NFE}}}cUF")), ("ano", inf.findtext(f"{{{NFE}}}ano")),
                              ("CNPJ", inf.findtext(f"{{{NFE}}}CNPJ")), ("mod", inf.findtext(f"{{{NFE}}}mod")),
                              ("serie", inf.findtext(f"{{{NFE}}}serie")), ("nNFIni", inf.findtext(f"{{{NFE}}}nNFIni")),
                              ("nNFFin", inf.findtext(f"{{{NFE}}}nNFFin")), ("dhRecbto", _now())):  # fmt: skip
                _el(r, tag, text)
            if protocol:
                _el(r, "nProt", protocol)
            return out

        if not _signature_ok(msg):
            return answer("297", "Rejeição: Assinatura difere do calculado")
        first, last = int(inf.findtext(f"{{{NFE}}}nNFIni")), int(inf.findtext(f"{{{NFE}}}nNFFin"))
        cnpj, model, series = (
            inf.findtext(f"{{{NFE}}}CNPJ"),
            inf.findtext(f"{{{NFE}}}mod"),
            inf.findtext(f"{{{NFE}}}serie"),
        )
        with self.state.lock:
            used = [n for n in range(first, last + 1) if (cnpj, model, series, str(n)) in self.state.by_number]
            if used:
                return answer("241", f"Rejeição: Um número da faixa já foi utilizado [nNF:{used[0]}]")
            self.state.voided.append((cnpj, model, series, first, last))
            return answer(
                "102", "Inutilização de número homologado", self.state.protocol(inf.findtext(f"{{{NFE}}}cUF"))
            )


class _Drop(Exception):
    """Close the connection without an answer (after the work was done)."""


def _handler_class(sefaz: Sefaz):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            log.debug("fake SEFAZ: " + fmt, *args)

        def do_POST(self):
            service = self.path.rstrip("/").rsplit("/", 1)[-1]
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            sefaz.state.requests.append(service)
            try:
                envelope = etree.fromstring(body)
            except etree.XMLSyntaxError:
                return self._answer(400, b"invalid XML")
            soap = envelope.nsmap.get(envelope.prefix) or SOAP12
            msg_holder = envelope.find(f"{{{soap}}}Body/{{{WSDL}{service}}}nfeDadosMsg")
            if msg_holder is None or len(msg_holder) == 0 or service not in SERVICES:
                return self._answer(404, b"unknown service")
            msg = msg_holder[0]
            try:
                result = self._dispatch(service, msg)
            except _Drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return None
            self._answer(200, self._envelope(soap, service, result), soap)
            return None

        def _dispatch(self, service, msg):
            return {
                "NFeStatusServico4": sefaz.status,
                "NFeAutorizacao4": lambda m: sefaz.authorize(m, self.connection),
                "NFeRetAutorizacao4": sefaz.receipt,
                "NFeConsultaProtocolo4": sefaz.query,
                "NFeRecepcaoEvento4": sefaz.event,
                "NFeInutilizacao4": sefaz.void,
            }[service](msg)

        def _envelope(self, soap, service, result) -> bytes:
            env = etree.Element(f"{{{soap}}}Envelope", nsmap={"soap": soap})
            body = etree.SubElement(env, f"{{{soap}}}Body")
            holder = etree.SubElement(body, f"{{{WSDL}{service}}}nfeResultMsg", nsmap={None: f"{WSDL}{service}"})
            holder.append(result)
            return etree.tostring(env, xml_declaration=True, encoding="utf-8")

        def _answer(self, status, body: bytes, soap: str = SOAP12):
            self.send_response(status)
            kind = "application/soap+xml" if soap == SOAP12 else "text/xml"
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


class FakeSefaz(LocalServer):
    """`with FakeSefaz(folder) as fake:` serves on 127.0.0.1 (a free port unless one is given)."""

    thread_name = "fake-sefaz"

    def __init__(self, folder: Path, host: str = "127.0.0.1", port: int = 0):
        self.ca = pki.authority(folder)
        cert, key = pki.server_files(self.ca)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS, as SEFAZ does
        context.load_verify_locations(cafile=str(self.ca.ca_file))
        self.state = State()
        self.sefaz = Sefaz(self.state)
        self.server = ThreadingHTTPServer((host, port), _handler_class(self.sefaz))
        self.server.daemon_threads = True
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"https://{host}:{port}"


def digest_of(xml: bytes) -> str:
    return base64.b64encode(hashlib.sha1(xml).digest()).decode()
