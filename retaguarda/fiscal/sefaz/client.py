"""The real transmitter, on nfelib's SOAP client (brazil-fiscal-client, MIT).

nfelib 3.2.0's own `consulta_documento` and `cancela_documento` refuse alphanumeric keys and
`cancelar_nfe` / `enviar_cce` are broken, so queries and events go through its generic `send` with
the XML we built and signed. TLS verification stays on: `ca_file` is the bundle that signs SEFAZ's
servers (the ICP-Brasil chain in production, the fake's CA in tests and the demo).
"""

import functools
import os
import secrets
import ssl
import tempfile

import requests
from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, Encoding, PrivateFormat
from cryptography.hazmat.primitives.serialization import pkcs12 as pkcs12_format
from nfelib.nfe.bindings.v4_0.cons_sit_nfe_v4_00 import ConsSitNfe
from nfelib.nfe.bindings.v4_0.leiaute_cons_sit_nfe_v4_00 import TconsSitNfeXServ
from nfelib.nfe.bindings.v4_0.leiaute_nfe_v4_00 import TenviNfeIndSinc
from nfelib.nfe.bindings.v4_0.tipos_basico_v4_00 import Tamb
from nfelib.nfe.client.v4_0.nfe import NfeClient
from nfelib.nfe.client.v4_0.servers import Endpoint, servers
from nfelib.nfe.soap.v4_0.nfeconsulta4 import NfeConsultaProtocolo4SoapNfeConsultaNf
from requests.adapters import HTTPAdapter

from retaguarda.fiscal.keys import UF_CODES
from retaguarda.fiscal.sefaz.transmitter import Answer, Clock, Exchange, SefazUnavailable, Transmitter, find, text

# The service each endpoint answers at, as the fake SEFAZ routes them.
SERVICE_NAMES = {
    Endpoint.NFESTATUSSERVICO: "NFeStatusServico4",
    Endpoint.NFEAUTORIZACAO: "NFeAutorizacao4",
    Endpoint.NFERETAUTORIZACAO: "NFeRetAutorizacao4",
    Endpoint.NFECONSULTAPROTOCOLO: "NFeConsultaProtocolo4",
    Endpoint.RECEPCAOEVENTO: "NFeRecepcaoEvento4",
    Endpoint.NFEINUTILIZACAO: "NFeInutilizacao4",
}


@functools.lru_cache(maxsize=16)
def tls_context(pkcs12: bytes, password: str, ca_file: str | bool) -> ssl.SSLContext:
    """Mutual TLS: the company's certificate as the client's, the server checked against `ca_file`
    (True: the system's trust store). The key touches the disk only encrypted, for the instant
    `load_cert_chain` needs a file. Built once per certificate and CA file (opening a PKCS#12 costs
    tens of milliseconds of key derivation); an SSL context is safe to share between threads."""
    context = ssl.create_default_context(cafile=ca_file if isinstance(ca_file, str) else None)
    key, certificate, chain = pkcs12_format.load_key_and_certificates(pkcs12, password.encode())
    secret = secrets.token_bytes(16)
    with tempfile.NamedTemporaryFile(delete=False) as fh:
        try:
            fh.write(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, BestAvailableEncryption(secret)))
            for cert in [certificate, *(chain or [])]:
                fh.write(cert.public_bytes(Encoding.PEM))
            fh.close()
            context.load_cert_chain(fh.name, password=secret)
        finally:
            os.remove(fh.name)
    return context


class _TlsAdapter(HTTPAdapter):
    def __init__(self, context: ssl.SSLContext, **kwargs):
        self.context = context
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["ssl_context"] = self.context
        return super().init_poolmanager(*args, **kwargs)


class _PinnedSession(requests.Session):
    """A session whose HTTPS adapter is ours: brazil-fiscal-client mounts a fresh adapter on every
    call (reloading the PKCS#12 each time and dropping the CA we trust); those mounts are ignored."""

    def __init__(self, adapter: HTTPAdapter):
        super().__init__()
        super().mount("https://", adapter)

    def mount(self, prefix, adapter):
        pass


class _Client(NfeClient):
    """nfelib's client, pointed at `base_url` (the fake) when one is given, or at a contingency
    `authority` (SVC-AN, SVC-RS) instead of the state's own, over our TLS session."""

    def __init__(
        self, *, base_url: str = "", authority: str | None = None, tls: ssl.SSLContext, verify: str | bool, **kwargs
    ):
        self.base_url = base_url.rstrip("/")
        self.authority = authority
        super().__init__(**kwargs)
        self.transport.session = _PinnedSession(_TlsAdapter(tls))
        self.transport.session.verify = verify

    def _get_location(self, endpoint_type: Endpoint) -> str:
        if self.base_url:
            return f"{self.base_url}/ws/{SERVICE_NAMES[endpoint_type]}"
        if self.authority:
            table = servers[self.authority]
            return table["prod_endpoints" if str(self.ambiente) == "1" else "dev_endpoints"][endpoint_type]
        return super()._get_location(endpoint_type)


class NfelibTransmitter(Transmitter):
    def __init__(
        self,
        *,
        uf: str,
        environment: int,
        pkcs12: bytes,
        password: str,
        ca_file: str | bool = True,
        base_url: str = "",
        authority: str | None = None,
        timeout: float = 30.0,
    ):
        self.client = _Client(
            base_url=base_url,
            authority=authority,
            tls=tls_context(pkcs12, password, ca_file),
            verify=ca_file,
            ambiente=str(environment),
            uf=UF_CODES[uf],
            pkcs12_data=pkcs12,
            pkcs12_password=password,
            verify_ssl=ca_file,
            timeout=timeout,
            wrap_response=True,
        )
        self.environment = environment

    def _call(self, service: str, function, *args, **kwargs) -> tuple[bytes, Exchange]:
        with Clock() as clock:
            try:
                wrapped = function(*args, **kwargs)
            except requests.exceptions.SSLError as exc:
                # SEFAZ's certificate did not verify against the configured chain (or ours was refused):
                # nothing was sent, and the message says where to look.
                message = f"TLS: {exc}. SEFAZ's certificate is checked against SEFAZ_CA_BUNDLE (the ICP-Brasil chain)"
                raise SefazUnavailable(message, Exchange(service, "", "", "", message[:250])) from exc
            except (requests.exceptions.Timeout, requests.exceptions.ConnectionError) as exc:
                raise SefazUnavailable(str(exc), Exchange(service, "", "", "", str(exc)[:250])) from exc
        response = wrapped.retorno.content
        request = wrapped.envio_xml.decode("utf-8", "replace") if wrapped.envio_xml else ""
        exchange = Exchange(service, request, response.decode("utf-8", "replace"), milliseconds=clock.milliseconds)
        return response, exchange

    @staticmethod
    def _with(exchange: Exchange, code: str, message: str) -> Exchange:
        return Exchange(
            exchange.service, exchange.request, exchange.response, code, message, exchange.at, exchange.milliseconds
        )

    def status(self) -> Answer:
        response, exchange = self._call("NFeStatusServico4", self.client.status_servico)
        ret = find(response, "retConsStatServ")
        code, message = text(ret, "cStat"), text(ret, "xMotivo")
        return Answer(code, message, exchange=self._with(exchange, code, message))

    def authorize(self, signed_nfe: bytes, *, synchronous: bool = True) -> Answer:
        return self._authorize([signed_nfe], synchronous=synchronous)

    def authorize_batch(self, signed_nfes: list[bytes]) -> Answer:
        return self._authorize(signed_nfes, synchronous=False)

    def _authorize(self, signed_nfes: list[bytes], *, synchronous: bool) -> Answer:
        sync = TenviNfeIndSinc.VALUE_1 if synchronous else TenviNfeIndSinc.VALUE_0
        response, exchange = self._call(
            "NFeAutorizacao4", self.client.envia_documento, [x.decode() for x in signed_nfes], ind_sinc=sync
        )
        ret = find(response, "retEnviNFe")
        prot = ret.find(".//{http://www.portalfiscal.inf.br/nfe}protNFe") if ret is not None else None
        if prot is None:  # a batch answer (103 with a receipt) or a refusal of the whole batch
            code, message = text(ret, "cStat"), text(ret, "xMotivo")
            receipt = text(ret.find("{http://www.portalfiscal.inf.br/nfe}infRec"), "nRec") if ret is not None else ""
            return Answer(code, message, receipt=receipt, exchange=self._with(exchange, code, message))
        return self._protocol(prot, exchange)

    def _protocol(self, prot, exchange: Exchange) -> Answer:
        from lxml import etree

        inf = prot.find("{http://www.portalfiscal.inf.br/nfe}infProt")
        code, message = text(inf, "cStat"), text(inf, "xMotivo")
        return Answer(
            code,
            message,
            protocol=text(inf, "nProt"),
            element=etree.tostring(prot),
            exchange=self._with(exchange, code, message),
        )

    def receipt(self, number: str) -> list[Answer]:
        response, exchange = self._call("NFeRetAutorizacao4", self.client.consulta_recibo, numero=number)
        ret = find(response, "retConsReciNFe")
        code, message = text(ret, "cStat"), text(ret, "xMotivo")
        prots = ret.findall("{http://www.portalfiscal.inf.br/nfe}protNFe") if ret is not None else []
        if not prots:
            return [Answer(code, message, receipt=number, exchange=self._with(exchange, code, message))]
        return [self._protocol(prot, exchange) for prot in prots]

    def query(self, key: str) -> Answer:
        payload = ConsSitNfe(
            versao="4.00", tpAmb=Tamb(str(self.environment)), xServ=TconsSitNfeXServ.CONSULTAR, chNFe=key
        )
        response, exchange = self._call(
            "NFeConsultaProtocolo4", self.client.send, NfeConsultaProtocolo4SoapNfeConsultaNf, payload
        )
        ret = find(response, "retConsSitNFe")
        code, message = text(ret, "cStat"), text(ret, "xMotivo")
        prot = ret.find("{http://www.portalfiscal.inf.br/nfe}protNFe") if ret is not None else None
        if prot is not None:
            answer = self._protocol(prot, exchange)
            return Answer(
                code, message, answer.protocol, element=answer.element, exchange=self._with(exchange, code, message)
            )
        return Answer(code, message, exchange=self._with(exchange, code, message))

    def event(self, signed_event: bytes) -> Answer:
        response, exchange = self._call("NFeRecepcaoEvento4", self.client.enviar_lote_evento, [signed_event.decode()])
        ret = find(response, "retEnvEvento")
        inf = ret.find(".//{http://www.portalfiscal.inf.br/nfe}retEvento/{http://www.portalfiscal.inf.br/nfe}infEvento")
        if inf is None:  # the whole batch refused
            code, message = text(ret, "cStat"), text(ret, "xMotivo")
            return Answer(code, message, exchange=self._with(exchange, code, message))
        from lxml import etree

        code, message = text(inf, "cStat"), text(inf, "xMotivo")
        return Answer(
            code,
            message,
            protocol=text(inf, "nProt"),
            element=etree.tostring(inf.getparent()),
            exchange=self._with(exchange, code, message),
        )

    def void(self, signed_request: bytes) -> Answer:
        response, exchange = self._call("NFeInutilizacao4", self.client.envia_inutilizacao, signed_request.decode())
        ret = find(response, "retInutNFe")
        inf = ret.find("{http://www.portalfiscal.inf.br/nfe}infInut")
        code, message = text(inf, "cStat"), text(inf, "xMotivo")
        from lxml import etree

        return Answer(
            code,
            message,
            protocol=text(inf, "nProt"),
            element=etree.tostring(ret),
            exchange=self._with(exchange, code, message),
        )
