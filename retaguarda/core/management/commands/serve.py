"""`retaguarda serve`: migrate, optionally load the demo, then run the web server and the worker."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError
from django.utils.translation import gettext as _

from retaguarda.core.serving import web_environment, web_processes_and_threads


class Command(BaseCommand):
    help = "Apply migrations and start the production web server (gunicorn) with the background worker."

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Load the demo company (once) before starting.")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        # Defaults: `core.serving` (one process of 8 threads on SQLite, 2 of 4 on PostgreSQL).
        parser.add_argument("--workers", type=int, default=None)
        parser.add_argument("--threads", type=int, default=None)
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")

    def handle(self, *args, host, port, workers, threads, demo, no_worker, **options):
        default_workers, default_threads = web_processes_and_threads(settings.DATABASES["default"]["ENGINE"])
        workers, threads = workers or default_workers, threads or default_threads
        try:
            call_command("migrate", interactive=False, verbosity=0)
        except OperationalError as exc:
            raise CommandError(database_unreachable(exc)) from None
        self.stdout.write(_("Database: %(name)s") % {"name": settings.DATABASES["default"]["NAME"]})
        if demo:
            call_command("demo")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "retaguarda.config.settings"}
        lookups_port = port + 2
        fake_lookups = demo and "LOOKUPS_ENABLED" not in os.environ
        if fake_lookups:
            # The demo's party form looks CEPs and CNPJs up in the local fake (core.lookups.fake), with no
            # internet needed; an install that configured its lookups keeps them.
            env |= {
                "LOOKUPS_ENABLED": "1",
                "LOOKUP_CEP_URL": f"http://127.0.0.1:{lookups_port}/ws",
                "LOOKUP_CNPJ_URL": f"http://127.0.0.1:{lookups_port}/api/cnpj/v1",
            }
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "retaguarda.config.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                "--worker-class",
                "gthread",
                "--no-control-socket",
                "--access-logfile",
                "-",
                "--graceful-timeout",
                "10",
            ],
            env=web_environment(env),
        )
        children = [web]
        if demo:
            # The demo company talks to a local fake SEFAZ (TLS, its own CA), so notes are authorized,
            # cancelled and corrected with no SEFAZ in reach.
            children.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "retaguarda.config.cli",
                        "fake-sefaz",
                        "--port",
                        str(port + 1),
                        "--point-demo",
                    ],
                    env=env,
                )
            )
        if fake_lookups:
            children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "retaguarda.config.cli", "fake-lookups", "--port", str(lookups_port)],
                    env=env,
                )
            )
        if not no_worker:
            children.append(
                subprocess.Popen([sys.executable, "-m", "retaguarda.config.cli", "worker", "-v", "0"], env=env)
            )
        shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
        self.stdout.write(
            self.style.SUCCESS(_("Retaguarda is up at %(url)s") % {"url": f"http://{shown_host}:{port}/"})
        )
        if demo:
            self.stdout.write(_("Demo sign-in: user demo, password demo1234"))
            self.stdout.write(_("Fake SEFAZ for the demo company at https://127.0.0.1:%(port)s") % {"port": port + 1})
        self.stdout.write(_("Press Ctrl+C to stop."))

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        return None


def database_unreachable(exc: OperationalError) -> str:
    """What to do when the database cannot be opened, instead of a traceback: a PostgreSQL database that
    does not exist yet is created once with `createdb` (serve creates the tables, not the database)."""
    db = settings.DATABASES["default"]
    if "does not exist" in str(exc) and "postgresql" in db["ENGINE"]:
        command = " ".join(
            part
            for part in (
                "createdb",
                f"-h {db['HOST']}" if db.get("HOST") else "",
                f"-p {db['PORT']}" if db.get("PORT") else "",
                f"-U {db['USER']}" if db.get("USER") else "",
                db["NAME"],
            )
            if part
        )
        return _("The database %(name)s does not exist. Create it once with: %(command)s") % {
            "name": db["NAME"],
            "command": command,
        }
    return _("Cannot open the database %(name)s: %(error)s") % {"name": db["NAME"], "error": str(exc).strip()}
