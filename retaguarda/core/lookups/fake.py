"""A local fake of the two lookup services, speaking their protocol on 127.0.0.1, for tests, the demo and
installs without internet (`retaguarda fake-lookups`).

    GET /ws/<8 digits>/json/          ViaCEP-style: 200 with the address, 200 {"erro": "true"} when
                                      unknown, 400 when the CEP is not 8 digits
    GET /api/cnpj/v1/<14 characters>  BrasilAPI-style: 200 with the record, 404 when unknown, 400 when
                                      the CNPJ is malformed

Its records (`fake_records.json`, made up for this project) can be added to (`fake.add_cep`, `add_cnpj`);
`fail_with` makes every answer that HTTP status and `delay` makes it slow, to try the failures.
"""

import json
import re
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from retaguarda.core.local_server import LocalServer

RECORDS = Path(__file__).with_name("fake_records.json")
_CEP_PATH = re.compile(r"^/ws/([^/]*)/json/?$")
_CNPJ_PATH = re.compile(r"^/api/cnpj/v1/([^/]*)$")


class FakeLookups(LocalServer):
    """`with FakeLookups() as fake:` serves on 127.0.0.1 (a free port unless one is given); point the app at
    `fake.cep_url` and `fake.cnpj_url`."""

    thread_name = "fake-lookups"

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        records = json.loads(RECORDS.read_text(encoding="utf-8"))
        self.ceps: dict[str, dict] = {r["cep"].replace("-", ""): r for r in records["ceps"]}
        self.cnpjs: dict[str, dict] = {r["cnpj"]: r for r in records["cnpjs"]}
        self.requests: list[str] = []
        self.fail_with: int | None = None
        self.delay = 0.0
        self.server = ThreadingHTTPServer((host, port), _handler_class(self))
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def cep_url(self) -> str:
        return f"{self.url}/ws"

    @property
    def cnpj_url(self) -> str:
        return f"{self.url}/api/cnpj/v1"

    def add_cep(self, record: dict) -> None:
        self.ceps[record["cep"].replace("-", "")] = record

    def add_cnpj(self, record: dict) -> None:
        self.cnpjs[record["cnpj"]] = record

    def answer(self, path: str) -> tuple[int, object]:
        """(status, JSON body) for a GET of `path`, as the real services answer."""
        self.requests.append(path)
        if self.delay:
            time.sleep(self.delay)
        if self.fail_with:
            return self.fail_with, {"message": "fake failure"}
        if match := _CEP_PATH.match(path):
            cep = match.group(1)
            if not (len(cep) == 8 and cep.isdigit()):
                return 400, None
            record = self.ceps.get(cep)
            return 200, record if record is not None else {"erro": "true"}
        if match := _CNPJ_PATH.match(path):
            cnpj = match.group(1).upper()
            if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", cnpj):
                return 400, {"message": f"CNPJ {cnpj} inválido.", "type": "bad_request", "name": "BadRequestError"}
            record = self.cnpjs.get(cnpj)
            if record is None:
                return 404, {"message": f"CNPJ {cnpj} não encontrado.", "type": "not_found", "name": "NotFoundError"}
            return 200, record
        return 404, {"message": "not found"}


def _handler_class(fake: FakeLookups):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = fake.answer(self.path.split("?")[0])
            if body is None:  # ViaCEP's 400 is an HTML page
                raw, kind = b"<h1>Bad Request</h1>", "text/html; charset=utf-8"
            else:
                raw, kind = json.dumps(body, ensure_ascii=False).encode(), "application/json; charset=utf-8"
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (a timeout being tried): nobody to answer

        def log_message(self, format, *args):  # quiet: tests and the demo do not want a line per lookup
            return

    return Handler
