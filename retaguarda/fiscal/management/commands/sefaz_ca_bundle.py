"""`retaguarda sefaz-ca-bundle FILE_OR_FOLDER... --output bundle.pem`: the PEM file `SEFAZ_CA_BUNDLE` needs,
from the ICP-Brasil certificates as ITI publishes them (a zip of `.crt` files, DER or PEM, or the files
themselves). Only CA certificates are kept, once each; each is preceded by its subject, validity and
SHA-256 fingerprint, so whoever installs the bundle can compare them with ITI's list."""

import io
import zipfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from retaguarda.fiscal.checks import is_ca

SUFFIXES = {".crt", ".cer", ".pem", ".der"}


def _blobs(path: Path):
    """(name, bytes) of every certificate file in `path`: a file, a folder (recursively) or a zip."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file():
                yield from _blobs(child)
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            for name in sorted(archive.namelist()):
                data = archive.read(name)
                if Path(name).suffix.lower() == ".zip":
                    yield from _blobs_in_zip(name, data)
                elif Path(name).suffix.lower() in SUFFIXES:
                    yield name, data
    elif path.suffix.lower() in SUFFIXES:
        yield str(path), path.read_bytes()


def _blobs_in_zip(name: str, data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for inner in sorted(archive.namelist()):
            if Path(inner).suffix.lower() in SUFFIXES:
                yield f"{name}/{inner}", archive.read(inner)


def _certificates(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def _fingerprint(certificate: x509.Certificate) -> str:
    return certificate.fingerprint(hashes.SHA256()).hex(":").upper()


class Command(BaseCommand):
    help = "Build the SEFAZ_CA_BUNDLE PEM file from the ICP-Brasil CA certificates (files, folders or ITI's zip)."

    def add_arguments(self, parser):
        parser.add_argument("sources", nargs="+", help="Certificate files, folders or zip files.")
        parser.add_argument("--output", required=True, help="The PEM file to write.")

    def handle(self, *args, sources, output, **options):
        found: dict[str, x509.Certificate] = {}
        skipped = []
        for source in sources:
            path = Path(source)
            if not path.exists():
                raise CommandError(_("Not found: %(path)s") % {"path": source})
            for name, data in _blobs(path):
                try:
                    certificates = _certificates(data)
                except ValueError:
                    skipped.append(name)
                    continue
                for certificate in certificates:
                    if is_ca(certificate):
                        found.setdefault(_fingerprint(certificate), certificate)
        if not found:
            raise CommandError(_("No CA certificate found in what was given."))
        parts = []
        for fingerprint, certificate in sorted(found.items(), key=lambda item: item[1].subject.rfc4514_string()):
            parts.append(
                f"# {certificate.subject.rfc4514_string()}\n"
                f"# valid {certificate.not_valid_before_utc:%Y-%m-%d} to {certificate.not_valid_after_utc:%Y-%m-%d}\n"
                f"# SHA-256 {fingerprint}\n" + certificate.public_bytes(Encoding.PEM).decode()
            )
        Path(output).write_text("".join(parts))
        for name in skipped:
            self.stderr.write(_("Not a certificate, skipped: %(name)s") % {"name": name})
        self.stdout.write(
            self.style.SUCCESS(
                _("%(count)d CA certificates written to %(output)s. Set SEFAZ_CA_BUNDLE=%(output)s.")
                % {"count": len(found), "output": output}
            )
        )
