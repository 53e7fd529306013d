"""API answers written straight to JSON, past ninja's schema: for long or hot answers whose writers
(`purchasing.answers`, `sales.answers`) produce what the route's schema would, field by field."""

import json

from django.http import HttpResponse
from ninja.responses import NinjaJSONEncoder


def json_answer(body, status: int = 200) -> HttpResponse:
    """`body` (plain values, Decimals, dates) written as ninja's renderer writes it."""
    return HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder), status=status, content_type="application/json; charset=utf-8"
    )
