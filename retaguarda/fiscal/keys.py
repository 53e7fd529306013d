"""The NF-e access key (chave de acesso): 44 characters, positions 7-20 the emitter's CNPJ, which may
hold letters since the alphanumeric CNPJ (NT 2025.001). Never strip non-digits from a key or a CNPJ."""

import re
import secrets
from dataclasses import dataclass
from datetime import date

# The key's check digit is the CNPJ's: modulus 11 over `ord(c) - 48`, weights 2..9 from the right,
# which gives the classic result for all-digit keys.
from retaguarda.core.validators import _cnpj_digit as mod11_digit

KEY_PATTERN = re.compile(r"[0-9]{6}[0-9A-Z]{12}[0-9]{26}")

# IBGE codes of the states (cUF), as the key and `ide/cUF` carry them.
UF_CODES = {
    "RO": "11", "AC": "12", "AM": "13", "RR": "14", "PA": "15", "AP": "16", "TO": "17",
    "MA": "21", "PI": "22", "CE": "23", "RN": "24", "PB": "25", "PE": "26", "AL": "27", "SE": "28", "BA": "29",
    "MG": "31", "ES": "32", "RJ": "33", "SP": "35",
    "PR": "41", "SC": "42", "RS": "43",
    "MS": "50", "MT": "51", "GO": "52", "DF": "53",
}  # fmt: skip


@dataclass(frozen=True)
class AccessKey:
    uf: str
    issued: date
    cnpj: str
    model: int
    series: int
    number: int
    emission_type: int
    random_code: str  # cNF, 8 digits

    @property
    def body(self) -> str:
        return (
            f"{UF_CODES[self.uf]}{self.issued:%y%m}{self.cnpj}{self.model:02d}{self.series:03d}"
            f"{self.number:09d}{self.emission_type}{self.random_code}"
        )

    @property
    def check_digit(self) -> str:
        return mod11_digit(self.body)

    def __str__(self) -> str:
        return self.body + self.check_digit


def random_code(number: int) -> str:
    """cNF: 8 random digits, never equal to the note's number (SEFAZ refuses that)."""
    while True:
        code = f"{secrets.randbelow(10**8):08d}"
        if int(code) != number:
            return code


def is_valid_key(key: str) -> bool:
    return bool(KEY_PATTERN.fullmatch(key or "")) and mod11_digit(key[:43]) == key[43]
