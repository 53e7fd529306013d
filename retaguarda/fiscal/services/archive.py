"""The immutable XML archive: every signed note, protocol and event, kept through Django's storage API
(a folder outside the web root here, object storage in production), and the month's zip for the
accountant. Files are written by outbox handlers after the transaction commits, under paths never
reused; the `ArchiveEntry` ledger (append-only) says what each file is."""

import contextlib
import hashlib
import zipfile

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError

from retaguarda.fiscal.models import ArchiveEntry, FiscalDocument

ROOT = "fiscal"


def path_for(document: FiscalDocument, kind: str, suffix: str = "") -> str:
    month = document.issued_at.strftime("%Y-%m")
    name = f"{document.key}-{kind}{'-' + suffix if suffix else ''}.xml"
    return f"{ROOT}/{document.emitter_data['cnpj']}/{month}/{name}"


def _write(document_id: int, company_id: int, kind: str, path: str, content: bytes, month: str) -> None:
    if ArchiveEntry.objects.filter(path=path).exists():
        return  # already archived: the same note is never written twice
    if not default_storage.exists(path):
        saved = default_storage.save(path, ContentFile(content))
        if saved != path:  # the storage renamed it: somebody wrote the path meanwhile; keep theirs
            default_storage.delete(saved)
    with contextlib.suppress(IntegrityError):  # a concurrent writer recorded it first
        ArchiveEntry.objects.create(
            company_id=company_id,
            document_id=document_id,
            kind=kind,
            path=path,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            issued_month=month,
        )


def keep(document: FiscalDocument, kind: str, content: bytes, suffix: str = "") -> str:
    """Put `content` in the archive (idempotent: a path already archived is left alone); returns its path.
    Called by the outbox handlers, after the transaction that produced the XML has committed."""
    path = path_for(document, kind, suffix)
    _write(document.pk, document.company_id, kind, path, content, document.issued_at.strftime("%Y-%m"))
    return path


def read(path: str) -> bytes:
    with default_storage.open(path, "rb") as fh:
        return fh.read()


def latest(document: FiscalDocument, kinds: tuple[str, ...]) -> ArchiveEntry | None:
    return ArchiveEntry.objects.filter(document=document, kind__in=kinds).order_by("-id").first()


def export_month(company_id: int, month: str, target) -> int:
    """Write the month's archive (YYYY-MM) as a zip into the binary file `target`; returns the file count."""
    entries = ArchiveEntry.objects.filter(company_id=company_id, issued_month=month).order_by("id")
    count = 0
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for entry in entries.iterator():
            zf.writestr(entry.path.split("/", 2)[-1], read(entry.path))
            count += 1
    return count
