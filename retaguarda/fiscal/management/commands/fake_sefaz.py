"""`retaguarda fake-sefaz [--port 8443] [--point-demo]`: the local fake SEFAZ (TLS, its own CA, client
certificates required), for the demo and for trying the fiscal flow on a laptop with no SEFAZ in reach."""

from django.core.management.base import BaseCommand
from django.db import connections
from django.utils.translation import gettext as _

from retaguarda.core.local_server import serve_until_terminated
from retaguarda.fiscal import certificates
from retaguarda.fiscal.sefaz.fake import FakeSefaz


class Command(BaseCommand):
    help = "Run a local fake SEFAZ (NF-e 4.00 web services over TLS) on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8443)
        parser.add_argument(
            "--point-demo", action="store_true", help="Point the demo company's fiscal settings at this fake."
        )

    def handle(self, *args, port, point_demo, **options):
        fake = FakeSefaz(certificates.fake_sefaz_folder(), port=port)
        if point_demo:
            from retaguarda.fiscal.services import point_demo_at

            point_demo_at(fake.url)
        connections.close_all()  # the fake holds no database connection (nor SQLite's writer lock) while it serves
        self.stdout.write(
            self.style.SUCCESS(_("Fake SEFAZ at %(url)s (CA: %(ca)s)") % {"url": fake.url, "ca": fake.ca.ca_file})
        )
        serve_until_terminated(fake)
