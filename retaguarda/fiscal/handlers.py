"""What the fiscal app does after its own transactions commit (outbox handlers, registered in ready())."""

from datetime import timedelta

from retaguarda.core import outbox
from retaguarda.fiscal.models import ArchiveEntry, FiscalDocument
from retaguarda.fiscal.services import archive, transmission
from retaguarda.fiscal.services.documents import QUEUED_EVENT


@outbox.handler(QUEUED_EVENT, name="fiscal.archive_signed_xml")
def archive_signed_xml(event) -> None:
    """Keep the signed note in the immutable archive (idempotent: the path is the key's)."""
    document = FiscalDocument.objects.get(pk=event.payload["document_id"])
    archive.keep(document, ArchiveEntry.Kind.NFE, document.xml.encode())


@outbox.handler(QUEUED_EVENT, name="fiscal.transmit", atomic=False, lease=timedelta(minutes=3))
def transmit_queued(event) -> None:
    """Send the queued note to SEFAZ (settling first if an earlier answer was lost); no answer raises,
    so the outbox tries again with backoff. Idempotent: an answered note is left alone."""
    transmission.transmit(event.payload["document_id"])


@outbox.handler(transmission.AUTHORIZED_EVENT, name="fiscal.archive_authorized_xml")
def archive_authorized_xml(event) -> None:
    document = FiscalDocument.objects.get(pk=event.payload["document_id"])
    archive.keep(document, ArchiveEntry.Kind.NFE_PROC, document.xml.encode())
