"""OFX values as Brazilian banks write them: dates with or without time and zone, amounts with a decimal
point or comma and sometimes thousands separators."""

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from retaguarda.core.decimals import typed_decimal

_DATE = re.compile(
    r"^(\d{4})(\d{2})(\d{2})"  # date
    r"(?:(\d{2})(\d{2})(?:(\d{2})(?:\.\d+)?)?)?"  # time, seconds, milliseconds
    r"\s*(?:\[\s*([+-]?\d{1,2}(?:[.,]\d+)?)\s*(?::[^\]]*)?\])?$"  # [-3:BRT], [-03:EST], [0:GMT]
)


def parse_datetime(text: str) -> datetime | None:
    """The moment as written, in the file's own offset (none given: Brasília, -3)."""
    match = _DATE.match((text or "").strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    hours = float((offset or "-3").replace(",", "."))
    try:
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 12),
            int(minute or 0),
            int(second or 0),
            tzinfo=timezone(timedelta(hours=hours)),
        )
    except ValueError:
        return None


def parse_date(text: str) -> date | None:
    """The day in the bank's own time zone (what the statement shows), not converted to UTC."""
    moment = parse_datetime(text)
    return moment.date() if moment else None


def parse_amount(text: str) -> Decimal | None:
    """`-1.234,56`, `1234.56`, `1,234.56`, `+10,5` → Decimal (the project's one decimal reader); None when
    it is not a number."""
    raw = (text or "").strip()
    if not raw:
        return None
    try:
        return typed_decimal(raw)
    except ValueError:
        return None
