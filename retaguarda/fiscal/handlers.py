"""What the fiscal app does after its own transactions commit (outbox handlers, registered in ready())."""

from retaguarda.core import outbox
from retaguarda.fiscal.models import ArchiveEntry, FiscalDocument
from retaguarda.fiscal.services import archive
from retaguarda.fiscal.services.documents import QUEUED_EVENT


@outbox.handler(QUEUED_EVENT, name="fiscal.archive_signed_xml")
def archive_signed_xml(event) -> None:
    """Keep the signed note in the immutable archive (idempotent: the path is the key's)."""
    document = FiscalDocument.objects.get(pk=event.payload["document_id"])
    archive.keep(document, ArchiveEntry.Kind.NFE, document.xml.encode())
