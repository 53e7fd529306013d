"""ICMS rates between states (Resolução do Senado Federal 22/1989 and 13/2012) and how a value reads."""

from decimal import Decimal

from django.utils.translation import gettext as _

from retaguarda.fiscal.taxes.model import IMPORTED_ORIGINS

# Resolução SF 22/1989: from the South and Southeast (except Espírito Santo) to the North, Northeast,
# Centre-West and Espírito Santo the interstate rate is 7 %; every other pair is 12 %.
SOUTH_SOUTHEAST = frozenset({"PR", "RS", "SC", "MG", "RJ", "SP"})
NORTH_NORTHEAST_CENTRE_WEST_ES = frozenset(
    {"AC", "AP", "AM", "PA", "RO", "RR", "TO", "AL", "BA", "CE", "MA", "PB", "PE", "PI", "RN", "SE"}
    | {"DF", "GO", "MS", "MT", "ES"}
)


def interstate_rate(origin_uf: str, destination_uf: str, product_origin: int) -> tuple[Decimal, str]:
    """The interstate ICMS rate for goods leaving `origin_uf`, and its legal basis."""
    if product_origin in IMPORTED_ORIGINS:
        return Decimal("4"), _("%(rate)s on imported goods (Resolução SF 13/2012)") % {"rate": "4 %"}
    if origin_uf in SOUTH_SOUTHEAST and destination_uf in NORTH_NORTHEAST_CENTRE_WEST_ES:
        return Decimal("7"), _("7 %% from %(from)s to %(to)s (Resolução SF 22/1989)") % {
            "from": origin_uf,
            "to": destination_uf,
        }
    return Decimal("12"), _("12 %% from %(from)s to %(to)s (Resolução SF 22/1989)") % {
        "from": origin_uf,
        "to": destination_uf,
    }


def money(value: Decimal) -> str:
    """R$ 1.234,56"""
    sign = "-" if value < 0 else ""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}R$ {'.'.join(groups)},{cents}"


def percent(value: Decimal) -> str:
    """12,5 % (trailing zeros dropped)"""
    text = f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}".rstrip("0")
    return f"{text.replace('.', ',')} %"
