"""Brazilian document validators: CPF, CNPJ (numeric and alphanumeric), CEP, GTIN.

Each `validate_*` raises django's ValidationError with a message in Portuguese; each `normalize_*`
strips the mask and returns the canonical form stored in the database.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_MASK = re.compile(r"[.\-/\s]")


def only_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


def normalize_cpf(value: str) -> str:
    return only_digits(value)


def normalize_cnpj(value: str) -> str:
    return _MASK.sub("", (value or "").strip()).upper()


def _cpf_digit(digits: str) -> str:
    weight = len(digits) + 1
    total = sum(int(d) * (weight - i) for i, d in enumerate(digits))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def is_valid_cpf(value: str) -> bool:
    cpf = normalize_cpf(value)
    if len(cpf) != 11 or cpf == cpf[0] * 11:
        return False
    return _cpf_digit(cpf[:9]) == cpf[9] and _cpf_digit(cpf[:10]) == cpf[10]


def _cnpj_digit(chars: str) -> str:
    # Alphanumeric CNPJ (IN RFB 2.229/2024): each character is worth its ASCII code minus 48,
    # so digits keep their value and A=17 ... Z=42; weights 2..9 from the right, modulus 11.
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum((ord(c) - 48) * weights[i % 8] for i, c in enumerate(reversed(chars)))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


def is_valid_cnpj(value: str) -> bool:
    cnpj = normalize_cnpj(value)
    if not re.fullmatch(r"[0-9A-Z]{12}[0-9]{2}", cnpj) or cnpj == cnpj[0] * 14:
        return False
    return _cnpj_digit(cnpj[:12]) == cnpj[12] and _cnpj_digit(cnpj[:13]) == cnpj[13]


def complete_cpf(base9: str) -> str:
    """The CPF whose first nine digits are `base9`, with its two check digits (demo data, fixtures)."""
    d1 = _cpf_digit(base9)
    return base9 + d1 + _cpf_digit(base9 + d1)


def complete_cnpj(base12: str) -> str:
    """The CNPJ whose first twelve characters are `base12`, with its two check digits."""
    d1 = _cnpj_digit(base12)
    return base12 + d1 + _cnpj_digit(base12 + d1)


def validate_cpf(value: str) -> None:
    if not is_valid_cpf(value):
        raise ValidationError(_("Invalid CPF: %(value)s. Check the 11 digits.") % {"value": value}, code="cpf")


def validate_cnpj(value: str) -> None:
    if not is_valid_cnpj(value):
        raise ValidationError(
            _("Invalid CNPJ: %(value)s. Check the 14 characters and the check digits.") % {"value": value},
            code="cnpj",
        )


def validate_cpf_or_cnpj(value: str) -> None:
    cleaned = normalize_cnpj(value)
    if len(cleaned) == 11 and cleaned.isdigit():
        validate_cpf(cleaned)
    elif len(cleaned) == 14:
        validate_cnpj(cleaned)
    else:
        raise ValidationError(
            _("Invalid document: %(value)s. Enter a CPF (11 digits) or a CNPJ (14 characters).") % {"value": value},
            code="document",
        )


def format_cpf(value: str) -> str:
    v = normalize_cpf(value)
    return f"{v[:3]}.{v[3:6]}.{v[6:9]}-{v[9:]}" if len(v) == 11 else value


def format_cnpj(value: str) -> str:
    v = normalize_cnpj(value)
    return f"{v[:2]}.{v[2:5]}.{v[5:8]}/{v[8:12]}-{v[12:]}" if len(v) == 14 else value


def format_document(value: str) -> str:
    v = normalize_cnpj(value)
    return format_cpf(v) if len(v) == 11 else format_cnpj(v)


def normalize_cep(value: str) -> str:
    return only_digits(value)


def validate_cep(value: str) -> None:
    cep = normalize_cep(value)
    if len(cep) != 8 or cep == "00000000":
        raise ValidationError(
            _("Invalid CEP: %(value)s. Use 8 digits, such as 01310-100.") % {"value": value}, code="cep"
        )


def format_cep(value: str) -> str:
    v = normalize_cep(value)
    return f"{v[:5]}-{v[5:]}" if len(v) == 8 else value


def gtin_check_digit(body: str) -> str:
    # GS1: weights 3,1,3,1... from the rightmost digit of the body.
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(value: str) -> bool:
    code = (value or "").strip()
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    return gtin_check_digit(code[:-1]) == code[-1]


SEM_GTIN = "SEM GTIN"


def validate_gtin(value: str) -> None:
    """A GTIN-8/12/13/14 with a correct check digit, or the NF-e literal "SEM GTIN"."""
    if (value or "").strip().upper() == SEM_GTIN:
        return
    if not is_valid_gtin(value):
        raise ValidationError(
            _("Invalid GTIN: %(value)s. Use 8, 12, 13 or 14 digits with the right check digit, or SEM GTIN.")
            % {"value": value},
            code="gtin",
        )
