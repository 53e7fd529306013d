"""Long API answers written straight to JSON: a receipt (`ReceiptOut`) and NF-e previews (`NfeImportOut`).

Through ninja, each of a 1,000-line receipt's 25,000 line values went through pydantic's validation of
an ORM object and the encoder's fallback for Decimals: more CPU than creating or posting the receipt
(cProfile, PostgreSQL). Here the lines are read as plain tuples in one query, their lots in one more,
and written as the schema would write them (decimals by its Amount and Measure, dates ISO); the header still goes
through the schema. An NF-e preview is already plain values (`api.preview_out`). Tests check these
answers are what the schemas would write, field by field."""

import json
from collections import defaultdict
from datetime import date

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder

from retaguarda.core.api_numbers import write_decimals
from retaguarda.purchasing.models import Receipt, ReceiptLine, ReceiptLineLot
from retaguarda.purchasing.schemas import ReceiptHeadOut, ReceiptLineOut, ReceiptOut

# ReceiptLineOut's fields read from the line's own columns (sku and lots are joined in).
LINE_COLUMNS = tuple(name for name in ReceiptLineOut.model_fields if name not in ("sku", "lots"))


def _plain(value):
    """Dates as ISO text; Decimals stay, written as the schema declares them (`write_decimals`)."""
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
            {"code": code, "quantity": qty, "expiry": _plain(expiry), "manufactured": _plain(manufactured)}
        )
    lines = []
    for row in ReceiptLine.objects.filter(receipt=receipt).order_by("id").values_list(*LINE_COLUMNS, "product__sku"):
        line = {name: _plain(value) for name, value in zip(LINE_COLUMNS, row, strict=False)}
        line["sku"] = row[-1]
        line["lots"] = lots.get(line["id"], [])
        lines.append(line)
    body["lines"] = lines
    body["installments"] = [
        {"due_date": due.isoformat(), "amount": value}
        for due, value in receipt.installments.order_by("due_date", "id").values_list("due_date", "amount")
    ]
    return write_decimals(body, ReceiptOut)  # money at 2 places, quantities and costs without meaningless zeros


def json_answer(body, status: int = 200) -> HttpResponse:
    """`body` (plain values, Decimals, dates) written as ninja's renderer writes it."""
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type="application/json; charset=utf-8"
    )


def receipt_answer(receipt: Receipt, status: int = 200) -> HttpResponse:
    return json_answer(receipt_body(receipt), status)
