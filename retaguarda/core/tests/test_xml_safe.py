"""The safe XML parser against the classic attacks: entity expansion, local files, network fetches."""

import http.server
import threading
from pathlib import Path

import nfelib
import pytest
from lxml import etree

from retaguarda.core.xml_safe import XmlRejected, parse_xml

SAMPLES = Path(nfelib.__file__).resolve().parent / "nfe" / "samples" / "v4_0" / "leiauteNFe"  # installed with nfelib
SAMPLE_NFE = "35180834128745000152550010000476051695511860-nfe.xml"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<nfe><xNome>&lol9;</xNome></nfe>"""


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        _Recorder.hits.append(self.path)
        body = b'<!ENTITY leak "fetched">' if self.path.endswith(".dtd") else b"fetched-from-network"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request: the parser must never call it."""
    _Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_real_nfe_parses():
    root = parse_xml((SAMPLES / SAMPLE_NFE).read_bytes())
    assert root.tag.endswith("nfeProc") or root.tag.endswith("NFe")
    assert root.find(".//{http://www.portalfiscal.inf.br/nfe}emit") is not None


def test_billion_laughs_is_refused_without_expanding():
    with pytest.raises(XmlRejected) as caught:
        parse_xml(BILLION_LAUGHS)
    assert caught.value.status == 422
    assert "DOCTYPE" in caught.value.message
    assert "lol" not in caught.value.message


def test_an_external_entity_never_reads_a_local_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("senha-do-certificado-123")
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE nfe [<!ENTITY xxe SYSTEM "file://{secret}">]><nfe><xNome>&xxe;</xNome></nfe>'
    ).encode()
    with pytest.raises(XmlRejected) as caught:
        parse_xml(payload)
    assert "senha-do-certificado-123" not in caught.value.message


def test_an_entity_pointing_at_a_url_is_never_fetched(listener):
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE nfe [<!ENTITY net SYSTEM "{listener}/x.txt">]><nfe><a>&net;</a></nfe>'
    ).encode()
    with pytest.raises(XmlRejected) as caught:
        parse_xml(payload)
    assert "fetched" not in caught.value.message
    assert _Recorder.hits == []


def test_an_external_dtd_and_parameter_entities_are_never_fetched(listener):
    payloads = [
        f'<?xml version="1.0"?><!DOCTYPE nfe SYSTEM "{listener}/ext.dtd"><nfe>&leak;</nfe>',
        f'<?xml version="1.0"?><!DOCTYPE nfe [<!ENTITY % p SYSTEM "{listener}/p.dtd"> %p;]><nfe>&leak;</nfe>',
    ]
    for payload in payloads:
        with pytest.raises(XmlRejected):
            parse_xml(payload.encode())
    assert _Recorder.hits == []


def test_xinclude_is_not_processed(listener, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("conteudo-local")
    payload = (
        '<nfe xmlns:xi="http://www.w3.org/2001/XInclude">'
        f'<xi:include href="file://{secret}" parse="text"/><xi:include href="{listener}/i.xml" parse="text"/></nfe>'
    ).encode()
    root = parse_xml(payload)
    assert b"conteudo-local" not in etree.tostring(root)
    assert _Recorder.hits == []


def test_a_file_over_the_limit_is_refused_before_parsing():
    with pytest.raises(XmlRejected) as caught:
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    assert "1000" in caught.value.message


def test_malformed_and_empty_files_answer_in_portuguese():
    with pytest.raises(XmlRejected) as caught:
        parse_xml(b"<nfe><emit></nfe>")
    assert caught.value.message.startswith("O arquivo não é um XML válido")
    with pytest.raises(XmlRejected) as caught:
        parse_xml(b"   ")
    assert caught.value.message == "O arquivo XML está vazio."


def test_deep_nesting_is_refused():
    depth = 100_000
    with pytest.raises(XmlRejected):
        parse_xml(b"<a>" * depth + b"</a>" * depth)


def test_declared_encodings_are_honoured():
    root = parse_xml('<?xml version="1.0" encoding="ISO-8859-1"?><x>Pão</x>'.encode("latin-1"))
    assert root.text == "Pão"


def test_a_doctype_hidden_from_the_quick_scan_is_still_refused_and_never_fetched(listener, tmp_path):
    # The comment holds something that looks like an element, so only the parser itself sees the DOCTYPE.
    secret = tmp_path / "secret.txt"
    secret.write_text("conteudo-local")
    for system in (f"file://{secret}", f"{listener}/y.txt"):
        payload = (
            f'<?xml version="1.0"?><!-- <a --><!DOCTYPE nfe [<!ENTITY e SYSTEM "{system}">]><nfe>&e;</nfe>'
        ).encode()
        with pytest.raises(XmlRejected) as caught:
            parse_xml(payload)
        assert "DOCTYPE" in caught.value.message
    assert _Recorder.hits == []
