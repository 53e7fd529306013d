"""State registration (inscrição estadual, IE): each state's format and check digits, or ISENTO.

SEFAZ rejects a note whose IE does not match its state's rule, so the rule is checked where the IE is
typed. The rules are the ones each state publishes in its "roteiro de crítica da inscrição estadual"
(collected by SINTEGRA): weights, modulus and the special cases (São Paulo's rural producers, Goiás'
and Amapá's ranges, Bahia's two moduli, Minas Gerais' first digit, the old and new formats of
Pernambuco, Rondônia and Tocantins).
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

EXEMPT = "ISENTO"


def normalize_ie(value: str | None) -> str:
    """The IE as stored: digits (and São Paulo's leading P), or ISENTO; the mask removed."""
    raw = "".join((value or "").split()).upper()
    if raw == EXEMPT:
        return EXEMPT
    return "".join(c for c in raw if c.isdigit() or c == "P")


def _weighted(digits: str, weights) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True))


def _descending(top: int, count: int) -> list[int]:
    """Weights top, top-1, ... wrapping back to 9 after 2 (the usual "2 to 9 from the right")."""
    weights, w = [], 2
    for _i in range(count):
        weights.append(w)
        w = 2 if w == top else w + 1
    return weights[::-1]


def _mod11(digits: str, weights=None) -> int:
    """The most common rule: 11 minus the remainder, 0 when that is 10 or 11."""
    r = _weighted(digits, weights or _descending(9, len(digits))) % 11
    return 0 if r < 2 else 11 - r


def _ends_with(ie: str, *digits: int) -> bool:
    return ie[-len(digits) :] == "".join(str(d) for d in digits)


def _thirteen(*prefixes: str):
    """Acre and the Federal District: 11 digits and two mod-11 check digits, weights 2 to 9."""

    def rule(ie):
        if len(ie) != 13 or ie[:2] not in prefixes:
            return False
        d1 = _mod11(ie[:11], _descending(9, 11))
        d2 = _mod11(ie[:11] + str(d1), _descending(9, 12))
        return _ends_with(ie, d1, d2)

    return rule


def _al(ie):
    if len(ie) != 9 or not ie.startswith("24"):
        return False
    d = (_weighted(ie[:8], range(9, 1, -1)) * 10) % 11
    return int(ie[8]) == (0 if d == 10 else d)


def _ap(ie):
    if len(ie) != 9 or not ie.startswith("03"):
        return False
    number = int(ie[:8])
    p, d = (5, 0) if number <= 3017000 else (9, 1) if number <= 3019022 else (0, 0)
    dv = 11 - (p + _weighted(ie[:8], range(9, 1, -1))) % 11
    return int(ie[8]) == (0 if dv == 10 else d if dv == 11 else dv)


def _am(ie):
    if len(ie) != 9:
        return False
    total = _weighted(ie[:8], range(9, 1, -1))
    if total < 11:
        dv = 11 - total
    else:
        r = total % 11
        dv = 0 if r <= 1 else 11 - r
    return int(ie[8]) == dv


def _ba(ie):
    if len(ie) not in (8, 9):
        return False
    body = ie[: len(ie) - 2]
    key = ie[0] if len(ie) == 8 else ie[1]
    if key in "0123458":  # modulus 10

        def digit(total):
            return (10 - total % 10) % 10
    else:  # 6, 7, 9: modulus 11

        def digit(total):
            r = total % 11
            return 0 if r < 2 else 11 - r

    d2 = digit(_weighted(body, range(len(body) + 1, 1, -1)))
    d1 = digit(_weighted(body + str(d2), range(len(body) + 2, 1, -1)))
    return _ends_with(ie, d1, d2)


def _ce_pb_pi_se(ie):
    return len(ie) == 9 and int(ie[8]) == _mod11(ie[:8])


def _es_ma_pa_sc(prefix: str | None):
    def rule(ie):
        if len(ie) != 9 or (prefix and not ie.startswith(prefix)):
            return False
        return int(ie[8]) == _mod11(ie[:8])

    return rule


def _go(ie):
    if len(ie) != 9 or not (ie[:2] in ("10", "11", "15") or "20" <= ie[:2] <= "29"):
        return False
    number = int(ie[:8])
    if number == 11094402:
        return ie[8] in "01"
    r = _weighted(ie[:8], range(9, 1, -1)) % 11
    if r == 0:
        dv = 0
    elif r == 1:
        dv = 1 if 10103105 <= number <= 10119997 else 0
    else:
        dv = 11 - r
    return int(ie[8]) == dv


def _mg(ie):
    if len(ie) != 13:
        return False
    padded = ie[:3] + "0" + ie[3:11]
    products = "".join(str(int(d) * (1 if i % 2 == 0 else 2)) for i, d in enumerate(padded))
    total = sum(int(c) for c in products)
    d1 = (10 - total % 10) % 10
    weights = [3, 2, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]
    r = _weighted(ie[:11] + str(d1), weights) % 11
    d2 = 0 if r < 2 else 11 - r
    return _ends_with(ie, d1, d2)


def _ms(ie):
    if len(ie) != 9 or ie[:2] not in ("28", "50"):
        return False
    r = _weighted(ie[:8], range(9, 1, -1)) % 11
    t = 0 if r == 0 else 11 - r
    return int(ie[8]) == (0 if t > 9 else t)


def _mt(ie):
    if not 9 <= len(ie) <= 11:
        return False
    ie = ie.zfill(11)
    return int(ie[10]) == _mod11(ie[:10], [3, 2, 9, 8, 7, 6, 5, 4, 3, 2])


def _pe(ie):
    if len(ie) == 9:  # e-Fisco: 7 digits and two check digits
        d1 = _mod11(ie[:7], range(8, 1, -1))
        d2 = _mod11(ie[:7] + str(d1), range(9, 1, -1))
        return _ends_with(ie, d1, d2)
    if len(ie) == 14:  # the former CACEPE number
        dv = 11 - _weighted(ie[:13], [5, 4, 3, 2, 1, 9, 8, 7, 6, 5, 4, 3, 2]) % 11
        return int(ie[13]) == (dv - 10 if dv > 9 else dv)
    return False


def _pr(ie):
    if len(ie) != 10:
        return False
    d1 = _mod11(ie[:8], [3, 2, 7, 6, 5, 4, 3, 2])
    d2 = _mod11(ie[:8] + str(d1), [4, 3, 2, 7, 6, 5, 4, 3, 2])
    return _ends_with(ie, d1, d2)


def _rj(ie):
    return len(ie) == 8 and int(ie[7]) == _mod11(ie[:7], [2, 7, 6, 5, 4, 3, 2])


def _rn(ie):
    if len(ie) not in (9, 10) or not ie.startswith("20"):
        return False
    body = ie[:-1]
    d = (_weighted(body, range(len(body) + 1, 1, -1)) * 10) % 11
    return int(ie[-1]) == (0 if d == 10 else d)


def _ro(ie):
    if len(ie) == 9:  # before August 2000: municipality (3), company (5), check digit
        body, weights = ie[3:8], [6, 5, 4, 3, 2]
    elif len(ie) == 14:
        body, weights = ie[:13], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]
    else:
        return False
    dv = 11 - _weighted(body, weights) % 11
    return int(ie[-1]) == (dv - 10 if dv >= 10 else dv)


def _rr(ie):
    if len(ie) != 9 or not ie.startswith("24"):
        return False
    return int(ie[8]) == _weighted(ie[:8], range(1, 9)) % 9


def _rs(ie):
    return len(ie) == 10 and int(ie[9]) == _mod11(ie[:9], [2, 9, 8, 7, 6, 5, 4, 3, 2])


def _sp(ie):
    first = [1, 3, 4, 5, 6, 7, 8, 10]
    if ie.startswith("P"):  # rural producer: P, 8 digits, check digit, 3 digits
        digits = ie[1:]
        return len(digits) == 12 and digits.isdigit() and int(digits[8]) == _weighted(digits[:8], first) % 11 % 10
    if len(ie) != 12:
        return False
    d1 = _weighted(ie[:8], first) % 11 % 10
    d2 = _weighted(ie[:11], [3, 2, 10, 9, 8, 7, 6, 5, 4, 3, 2]) % 11 % 10
    return int(ie[8]) == d1 and int(ie[11]) == d2


def _to(ie):
    if len(ie) == 11:  # former format: digits 3-4 say the kind and stay out of the sum
        if ie[2:4] not in ("01", "02", "03", "99"):
            return False
        return int(ie[10]) == _mod11(ie[:2] + ie[4:10])
    return len(ie) == 9 and int(ie[8]) == _mod11(ie[:8])


RULES: dict[str, Callable[[str], bool]] = {
    "AC": _thirteen("01"),
    "AL": _al,
    "AM": _am,
    "AP": _ap,
    "BA": _ba,
    "CE": _ce_pb_pi_se,
    "DF": _thirteen("07", "08"),
    "ES": _es_ma_pa_sc(None),
    "GO": _go,
    "MA": _es_ma_pa_sc("12"),
    "MG": _mg,
    "MS": _ms,
    "MT": _mt,
    "PA": _es_ma_pa_sc("15"),
    "PB": _ce_pb_pi_se,
    "PE": _pe,
    "PI": _ce_pb_pi_se,
    "PR": _pr,
    "RJ": _rj,
    "RN": _rn,
    "RO": _ro,
    "RR": _rr,
    "RS": _rs,
    "SC": _es_ma_pa_sc(None),
    "SE": _ce_pb_pi_se,
    "SP": _sp,
    "TO": _to,
}


def is_valid_ie(value: str | None, uf: str) -> bool:
    """The IE follows the state's format and check digits (ISENTO is valid in every state)."""
    ie = normalize_ie(value)
    if ie == EXEMPT:
        return True
    uf = (uf or "").upper()
    rule = RULES.get(uf)
    if rule is None or not ie:
        return False
    if "P" in ie[1:] or (ie.startswith("P") and uf != "SP"):
        return False  # only São Paulo's rural producers carry a letter, and only in front
    return rule(ie)


def validate_ie(value: str | None, uf: str) -> None:
    """Raise ValidationError (in Portuguese) unless `value` is a valid IE of `uf`, or ISENTO."""
    if (uf or "").upper() not in RULES:
        raise ValidationError(
            _("State registration (IE): give the state (UF) it was issued in to check it."), code="ie_state"
        )
    if not is_valid_ie(value, uf):
        raise ValidationError(
            _("State registration (IE) %(value)s is not valid in %(uf)s: check the number and its check digits.")
            % {"value": value, "uf": uf.upper()},
            code="ie",
        )


# Length and fixed leading digits of a current IE per state: enough to make valid ones for demos.
_SHAPES = {
    "AC": ("01", 13), "AL": ("24", 9), "AM": ("0", 9), "AP": ("03", 9), "BA": ("", 9), "CE": ("0", 9),
    "DF": ("07", 13), "ES": ("0", 9), "GO": ("10", 9), "MA": ("12", 9), "MG": ("", 13), "MS": ("28", 9),
    "MT": ("", 11), "PA": ("15", 9), "PB": ("16", 9), "PE": ("", 9), "PI": ("19", 9), "PR": ("", 10),
    "RJ": ("", 8), "RN": ("20", 9), "RO": ("", 14), "RR": ("24", 9), "RS": ("", 10), "SC": ("", 9),
    "SE": ("27", 9), "SP": ("", 12), "TO": ("", 9),
}  # fmt: skip


def sample_ie(uf: str, rng) -> str:
    """A valid IE of `uf` drawn with `rng` (a random.Random): for demo data and test fixtures."""
    prefix, length = _SHAPES[uf.upper()]
    while True:  # about one draw in ten (one in a hundred with two check digits) is valid
        ie = prefix + "".join(str(rng.randrange(10)) for _i in range(length - len(prefix)))
        if RULES[uf.upper()](ie):
            return ie
