"""`retaguarda fake-lookups [--port 8081]`: the local fake CEP and CNPJ services (core.lookups.fake), for the
demo and for installs with no internet; point LOOKUP_CEP_URL and LOOKUP_CNPJ_URL at the addresses it prints."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from retaguarda.core.local_server import serve_until_terminated
from retaguarda.core.lookups.fake import FakeLookups


class Command(BaseCommand):
    help = "Run the local fake CEP (ViaCEP-style) and CNPJ (BrasilAPI-style) services on 127.0.0.1."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8081)

    def handle(self, *args, port, **options):
        fake = FakeLookups(port=port)
        self.stdout.write(
            self.style.SUCCESS(
                _("Fake lookups: LOOKUP_CEP_URL=%(cep)s LOOKUP_CNPJ_URL=%(cnpj)s")
                % {"cep": fake.cep_url, "cnpj": fake.cnpj_url}
            )
        )
        serve_until_terminated(fake)
