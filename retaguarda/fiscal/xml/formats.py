"""How values are written in the NF-e XML: fixed decimal places, ISO date-times with the offset."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

BRASILIA = ZoneInfo("America/Sao_Paulo")


def dec(value, places: int = 2) -> str:
    """A Decimal (or its string) with exactly `places` decimals, half up, never in exponent form."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{number.quantize(Decimal(1).scaleb(-places), rounding='ROUND_HALF_UP'):f}"


def price(value) -> str:
    """Unit prices: 2 to 10 decimals, trailing zeros beyond the second dropped."""
    text = dec(value, 10).rstrip("0")
    whole, _dot, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def rate(value) -> str:
    return dec(value, 4)


def when(moment: datetime) -> str:
    """2026-12-01T10:15:00-03:00 (TDateTimeUTC: seconds, no fraction, the UTC offset)."""
    return moment.astimezone(BRASILIA).replace(microsecond=0).isoformat()
