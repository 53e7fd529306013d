"""Printed documents of the sales app (the quote), with fpdf2: the PDF library the DANFE library
(brazilfiscalreport) is built on, so the product prints everything with one library."""

from django.utils import formats
from django.utils.translation import gettext as _

from retaguarda.core.validators import format_document
from retaguarda.sales.models import Quote

WIDTHS = (10, 28, 72, 18, 22, 20, 20)  # #, SKU, product, qty, unit price, discount, total (mm)


def _money(value) -> str:
    return "R$ " + formats.number_format(value, 2, use_l10n=True, force_grouping=True)


def _qty(value) -> str:
    return formats.number_format(value.normalize() if value == value.to_integral() else value, use_l10n=True)


def quote_pdf(quote: Quote) -> bytes:
    from fpdf import FPDF  # about 50 MiB with fontTools and Pillow: loaded when a PDF is made, not by every worker

    company = quote.company
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_title(str(quote))
    pdf.set_font("helvetica", "B", 14)
    pdf.cell(0, 8, company.trade_name or company.legal_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 9)
    pdf.cell(0, 5, f"{company.legal_name} - CNPJ {format_document(company.cnpj)}", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, f"{company.street}, {company.number} - {company.district}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 13)
    pdf.cell(0, 8, str(quote), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "", 10)
    customer = quote.customer
    lines = [
        _("Customer: %(name)s (%(document)s)")
        % {"name": customer.legal_name, "document": format_document(customer.document)},
        _("Date: %(date)s - valid until %(until)s")
        % {"date": quote.quote_date.strftime("%d/%m/%Y"), "until": quote.valid_until.strftime("%d/%m/%Y")},
    ]
    if quote.payment_terms:
        lines.append(_("Payment terms: %(terms)s days") % {"terms": quote.payment_terms})
    if quote.salesperson_id:
        lines.append(_("Salesperson: %(name)s") % {"name": quote.salesperson.name})
    for text in lines:
        pdf.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    headers = ("#", _("SKU"), _("Product"), _("Qty"), _("Unit price"), _("Discount"), _("Total"))
    pdf.set_font("helvetica", "B", 8)
    for width, text in zip(WIDTHS, headers, strict=True):
        pdf.cell(width, 6, text, border=1, align="C")
    pdf.ln()
    pdf.set_font("helvetica", "", 8)
    for line in quote.lines.select_related("product").order_by("number"):
        cells = (
            str(line.number),
            line.product.sku[:18],
            line.product.name[:48],
            _qty(line.quantity),
            _money(line.unit_price),
            _money(line.discount),
            _money(line.total),
        )
        for n, (width, text) in enumerate(zip(WIDTHS, cells, strict=True)):
            pdf.cell(width, 6, text, border=1, align="L" if n in (1, 2) else "R")
        pdf.ln()
    pdf.ln(2)
    pdf.set_font("helvetica", "", 10)
    for label, value in (
        (_("Products"), quote.products_total),
        (_("Discounts"), quote.discount_total),
        (_("Freight"), quote.freight),
        (_("Insurance and other costs"), quote.insurance + quote.other_costs),
    ):
        pdf.cell(150, 6, label, align="R")
        pdf.cell(40, 6, _money(value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(150, 7, _("Total"), align="R")
    pdf.cell(40, 7, _money(quote.total), align="R", new_x="LMARGIN", new_y="NEXT")
    if quote.notes:
        pdf.ln(4)
        pdf.set_font("helvetica", "", 9)
        pdf.multi_cell(0, 5, quote.notes)
    return bytes(pdf.output())
