"""What the sales app does after other transactions commit (outbox handlers, registered in ready())."""

from retaguarda.core import outbox
from retaguarda.fiscal.services.transmission import AUTHORIZED_EVENT
from retaguarda.sales.models import SalesOrder
from retaguarda.sales.services.invoicing import complete_invoicing


@outbox.handler(AUTHORIZED_EVENT, name="sales.complete_invoicing")
def note_authorized(event) -> None:
    """A note of an order was authorized: finish the order once all its notes are (idempotent)."""
    if event.payload.get("source_type") == SalesOrder.SOURCE_TYPE:
        complete_invoicing(event.payload["source_id"], company_id=event.company_id)
