import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.load import Request, run_load


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        status = 409 if self.path.endswith("/refuse") else 500 if self.path.endswith("/fail") else 200
        body = b"{}"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_load_client_counts_outcomes_and_keeps_to_its_time():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        paths = ["/ok", "/ok", "/refuse", "/fail"]

        def classify(req, status, body):
            return "ok" if status == 200 else "refused" if status == 409 else "error"

        result = run_load(
            "127.0.0.1",
            server.server_address[1],
            lambda k, n: Request("GET", paths[n % 4]),
            clients=2,
            seconds=0.5,
            classify=classify,
        )
    finally:
        server.shutdown()
    assert result.completed > 8
    assert result.ok >= result.refused >= 1 and result.errors >= 1
    assert result.statuses[200] == result.ok
    assert 0.5 <= result.seconds < 2
    assert result.summary()["p50_ms"] is not None


def test_paced_load_keeps_to_the_rate():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = run_load(
            "127.0.0.1", server.server_address[1], lambda k, n: Request("GET", "/ok"), clients=2, seconds=1.0, rate=40
        )
    finally:
        server.shutdown()
    assert 36 <= result.completed <= 41
