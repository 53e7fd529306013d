"""What the sales app does after other transactions commit (outbox handlers, registered in ready())."""

from retaguarda.core import outbox
from retaguarda.fiscal.services.transmission import AUTHORIZED_EVENT, CANCELLED_EVENT
from retaguarda.sales.models import SalesOrder, SalesReturn
from retaguarda.sales.services.invoicing import complete_invoicing
from retaguarda.sales.services.returns import complete_return
from retaguarda.sales.services.reversals import reverse_invoicing


@outbox.handler(AUTHORIZED_EVENT, name="sales.complete_invoicing")
def note_authorized(event) -> None:
    """A note of an order (or a return) was authorized: finish it once all its notes are (idempotent)."""
    source = event.payload.get("source_type")
    if source == SalesOrder.SOURCE_TYPE:
        complete_invoicing(event.payload["source_id"], company_id=event.company_id)
    elif source == SalesReturn.SOURCE_TYPE:
        complete_return(event.payload["source_id"], company_id=event.company_id)


@outbox.handler(CANCELLED_EVENT, name="sales.reverse_invoicing")
def note_cancelled(event) -> None:
    """A note of an order was cancelled (from the order or the fiscal pages): once all are, the goods
    come back and the receivable goes (idempotent)."""
    if event.payload.get("source_type") == SalesOrder.SOURCE_TYPE:
        reverse_invoicing(event.payload["source_id"], company_id=event.company_id)
