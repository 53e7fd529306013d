"""Outbox handlers: a sent purchase order is e-mailed to the supplier with its PDF, after commit."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.translation import gettext as _

from retaguarda.core import outbox
from retaguarda.purchasing.models import PurchaseOrder
from retaguarda.purchasing.pdf import order_pdf


@outbox.handler("purchasing.order.sent", atomic=False)
def mail_order(event) -> None:
    """Mail the order's PDF to the supplier once (`mailed_at` marks it); a supplier without e-mail gets none."""
    order = (
        PurchaseOrder.objects.select_related("company", "supplier", "warehouse")
        .filter(pk=event.payload["order_id"])
        .first()
    )
    if order is None or order.mailed_at is not None or not order.supplier.email:
        return
    subject = _("Purchase order %(number)s from %(company)s") % {
        "number": order.number,
        "company": order.company.trade_name or order.company.legal_name,
    }
    body = _("Hello,\n\nPlease find attached our purchase order %(number)s.\n\n%(company)s") % {
        "number": order.number,
        "company": order.company.legal_name,
    }
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [order.supplier.email])
    message.attach(f"pedido-{order.number}.pdf", order_pdf(order), "application/pdf")
    message.send()
    PurchaseOrder.objects.filter(pk=order.pk, mailed_at=None).update(mailed_at=timezone.now())
