"""Long API answers written straight to JSON: a receipt (`ReceiptOut`) and NF-e previews (`NfeImportOut`).

Through ninja, each of a 1,000-line receipt's 25,000 line values went through pydantic's validation of
an ORM object and the encoder's fallback for Decimals: more CPU than creating or posting the receipt
(cProfile, PostgreSQL). Here the lines are read as plain tuples in one query, their lots in one more,
and written as the schema would write them (decimals by its Amount and Measure, dates ISO); the header still goes
through the schema. An NF-e preview is already plain values (`api.preview_out`). Tests check these
answers are what the schemas would write, field by field."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

from retaguarda.core.answers import json_answer
from retaguarda.core.api_numbers import field_writers, write_decimals
from retaguarda.purchasing.models import Receipt, ReceiptLine, ReceiptLineLot
from retaguarda.purchasing.schemas import LotSchema, PayableInstallmentOut, ReceiptHeadOut, ReceiptLineOut

# ReceiptLineOut's fields read from the line's own columns (sku and lots are joined in), each with the
# writer its Decimals take (Amount, Measure), applied column by column.
LINE_COLUMNS = tuple(name for name in ReceiptLineOut.model_fields if name not in ("sku", "lots"))
LINE_WRITERS = tuple(field_writers(ReceiptLineOut)[name] for name in LINE_COLUMNS)


def _plain(value, writer=None):
    """Dates as ISO text, Decimals as the schema writes them."""
    if isinstance(value, Decimal):
        return writer(value) if writer is not None else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def receipt_body(receipt: Receipt) -> dict:
    """The answer's body: the header as the schema writes it, the lines and installments read flat."""
    body = ReceiptHeadOut.from_orm(receipt).model_dump()
    lots: dict[int, list[dict]] = defaultdict(list)
    for line_id, code, qty, expiry, manufactured in (
        ReceiptLineLot.objects.filter(line__receipt=receipt)
        .order_by("id")
        .values_list("line_id", "code", "quantity", "expiry", "manufactured")
    ):
        lots[line_id].append(
            write_decimals(
                {"code": code, "quantity": qty, "expiry": _plain(expiry), "manufactured": _plain(manufactured)},
                LotSchema,
            )
        )
    lines = []
    for row in ReceiptLine.objects.filter(receipt=receipt).order_by("id").values_list(*LINE_COLUMNS, "product__sku"):
        line = {
            name: _plain(value, writer) for name, value, writer in zip(LINE_COLUMNS, row, LINE_WRITERS, strict=False)
        }
        line["sku"] = row[-1]
        line["lots"] = lots.get(line["id"], [])
        lines.append(line)
    body["lines"] = lines
    body["installments"] = write_decimals(
        [
            {"due_date": due.isoformat(), "amount": value}
            for due, value in receipt.installments.order_by("due_date", "id").values_list("due_date", "amount")
        ],
        PayableInstallmentOut,
    )
    return body


def receipt_answer(receipt: Receipt, status: int = 200) -> HttpResponse:
    return json_answer(receipt_body(receipt), status)
