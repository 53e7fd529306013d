"""The purchase order as a PDF for the supplier (fpdf2, which the DANFE library already brings)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retaguarda.core.formats import grouped
from retaguarda.core.validators import format_document
from retaguarda.purchasing.models import PurchaseOrder

COLUMNS = (
    (28, gettext_lazy("SKU")),
    (72, gettext_lazy("Product")),
    (20, gettext_lazy("Quantity")),
    (12, gettext_lazy("Unit")),
    (28, gettext_lazy("Unit cost")),
    (30, gettext_lazy("Total")),
)


def brl(value) -> str:
    return f"{'-' if value < 0 else ''}R$ {grouped(abs(value), 2)}"


def qty(value) -> str:
    """12 · 1,5 · 1.234,5678: no trailing zeros."""
    places = min(4, max(0, -value.normalize().as_tuple().exponent))
    return grouped(value, places)


def _latin(text: str) -> str:
    """The core PDF fonts speak latin-1 (every Portuguese letter); anything else becomes '?'."""
    return str(text).replace("\u00a0", " ").encode("latin-1", "replace").decode("latin-1")


def order_pdf(order: PurchaseOrder) -> bytes:
    from fpdf import FPDF  # about 50 MiB with fontTools and Pillow: loaded when a PDF is made, not by every worker

    company, supplier = order.company, order.supplier
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin(_("Purchase order %(number)s") % {"number": order.number}), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    lines = [
        f"{company.legal_name} - CNPJ {format_document(company.cnpj)}",
        _("Supplier: %(name)s - %(doc)s") % {"name": supplier.legal_name, "doc": format_document(supplier.document)},
        _("Order date: %(date)s") % {"date": order.order_date.strftime("%d/%m/%Y")},
    ]
    if order.expected_date:
        lines.append(_("Delivery expected by: %(date)s") % {"date": order.expected_date.strftime("%d/%m/%Y")})
    if order.payment_terms:
        lines.append(_("Payment terms: %(terms)s days") % {"terms": order.payment_terms})
    lines.append(_("Deliver to: %(warehouse)s") % {"warehouse": order.warehouse.name})
    for text in lines:
        pdf.cell(0, 6, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "B", 9)
    for width, title in COLUMNS:
        pdf.cell(width, 7, _latin(title), border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 9)
    for line in order.lines.select_related("product"):
        total = line.quantity * line.unit_cost - line.discount + line.ipi + line.icms_st
        cells = (
            line.product.sku,
            line.product.name[:45],
            qty(line.quantity),
            line.unit,
            brl(line.unit_cost),
            brl(total),
        )
        for (width, _title), text in zip(COLUMNS, cells, strict=True):
            pdf.cell(width, 6, _latin(text), border=1)
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    for label, value in (
        (_("Goods"), order.goods_total),
        (_("Discount"), order.discount_total),
        (_("IPI"), order.ipi_total),
        (_("ICMS-ST"), order.icms_st_total),
        (_("Freight"), order.freight),
        (_("Total"), order.total),
    ):
        pdf.cell(160, 6, _latin(label), align="R")
        pdf.cell(30, 6, _latin(brl(value)), align="R", new_x="LMARGIN", new_y="NEXT")
    if order.notes:
        pdf.ln(2)
        pdf.multi_cell(0, 5, _latin(order.notes))
    return bytes(pdf.output())
