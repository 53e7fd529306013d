"""What scenarios share during a run: settings, the dataset, the limits measured, the servers."""

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import servers
from bench.database import Target, server_env
from bench.dataset import Dataset


@dataclass
class RunContext:
    target: Target
    scale: float
    quick: bool
    seed: int
    clients: int
    seconds: float
    dataset: Dataset | None = None
    limits: dict = field(default_factory=dict)  # "db_tps", "floor_orders_per_s", ...
    app_memory: dict = field(default_factory=dict)  # the app workers' memory, read at the last chance
    floor_memory: dict = field(default_factory=dict)
    _server: servers.Server | None = None
    _token: str | None = None

    def log(self, message: str) -> None:
        print(message, flush=True)

    @property
    def log_dir(self) -> Path:
        return self.target.data_dir

    @property
    def warmup_seconds(self) -> float:
        return 0.5 if self.quick else 2.0

    # --- servers: one at a time, so an idle one never holds memory or connections during another's run

    def _switch(self, name: str, start) -> servers.Server:
        if self._server is not None and self._server.name == name and self._server.process.poll() is None:
            return self._server
        self.stop_server()
        self.log(f"  starting the {name} server ...")
        started = time.perf_counter()
        self._server = start(server_env(self.target), self.log_dir)
        self.log(f"  {name} server ready on port {self._server.port} ({time.perf_counter() - started:.1f} s)")
        return self._server

    def floor_server(self) -> servers.Server:
        return self._switch("floor", servers.start_floor)

    def app_server(self) -> servers.Server:
        return self._switch("app", servers.start_app)

    def stop_server(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        if server.memory_at_stop.get("workers"):
            if server.name == "app":
                self.app_memory = server.memory_at_stop
            else:
                self.floor_memory = server.memory_at_stop

    def current_app_memory(self) -> dict:
        if self._server is not None and self._server.name == "app":
            self.app_memory = self._server.worker_memory()
        return self.app_memory

    # --- the API as a client sees it

    def token(self) -> str:
        """A bearer token for the bench user, issued in process by the access service.

        Not through `POST /api/v1/auth/token`: that sign-in hashes with Argon2 (about 100 MiB for a moment
        by Django's default memory cost), which would decide the workers' peak memory on its own. The
        memory scenario measures a sign-in separately (`sign_in_over_http`).
        """
        if self._token is None:
            from retaguarda.access import services
            from retaguarda.core.actor import Actor, Origin

            user = self.dataset.user
            _token, self._token = services.issue_token(
                user, "bench", actor=Actor(user, Origin.API, self.dataset.company.pk)
            )
        return self._token

    def sign_in_over_http(self) -> int:
        """`POST /api/v1/auth/token` on the running app server, as an integration signs in; returns the status."""
        import http.client

        server = self.app_server()
        conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
        body = json.dumps({"username": self.dataset.user.username, "password": self.dataset.password, "name": "bench"})
        conn.request("POST", "/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        resp.read()
        conn.close()
        return resp.status

    def api_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token()}", "Content-Type": "application/json"}
