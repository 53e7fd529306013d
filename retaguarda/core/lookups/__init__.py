"""CEP and CNPJ lookups: what a public service knows about an address or a company, offered to the user
while they type (the party form) and never stored by the lookup itself.

One adapter (`client.Lookups`) speaks the two public protocols: a ViaCEP-style CEP service
(`GET <cep url>/<8 digits>/json/`) and a BrasilAPI-style CNPJ service (`GET <cnpj url>/<14 characters>`).
Tests, the demo and installs without internet point it at the local fake (`fake.FakeLookups`,
`retaguarda fake-lookups`), which speaks the same protocol on 127.0.0.1.

Off unless the settings turn it on (`LOOKUPS_ENABLED`): an install may have no internet, and a page must
not wait on a service it cannot reach. Timeouts are short; any failure is an answer (`UNAVAILABLE`), never
an exception, so a lookup can never stand between the user and saving.
"""

from retaguarda.core.lookups.client import (
    FOUND,
    NOT_FOUND,
    OFF,
    UNAVAILABLE,
    Answer,
    CompanyFound,
    Lookups,
    PlaceFound,
    find_cep,
    find_cnpj,
    lookups,
)

__all__ = [
    "FOUND",
    "NOT_FOUND",
    "OFF",
    "UNAVAILABLE",
    "Answer",
    "CompanyFound",
    "Lookups",
    "PlaceFound",
    "find_cep",
    "find_cnpj",
    "lookups",
]
