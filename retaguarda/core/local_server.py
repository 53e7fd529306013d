"""What every local fake of a remote service shares (SEFAZ, CEP/CNPJ lookups): run its HTTP server on a
background thread for tests, or in the foreground for a command until Ctrl-C or SIGTERM."""

import signal
import threading


class LocalServer:
    """Mixin for a fake holding `self.server` (an `http.server` server); `thread_name` names its thread."""

    thread_name = "local-server"
    thread: threading.Thread | None = None

    def start(self):
        self.thread = threading.Thread(target=self.server.serve_forever, name=self.thread_name, daemon=True)
        self.thread.start()
        return self

    def serve_forever(self) -> None:
        self.server.serve_forever()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def serve_until_terminated(fake: LocalServer) -> None:
    """A management command's foreground loop: SIGTERM ends it as Ctrl-C does, and the socket is closed."""

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        fake.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        fake.server.server_close()
