"""Every write of the fiscal app; this package re-exports the public API.

- `inputs`: what callers hand over (`DocumentIn`, `ItemIn`, `PaymentIn`, `InstallmentIn`).
- `documents`: `build_document` (draft), `preview`, `issue_document` (number, key, XML, signature,
  archive), `discard_document`.
- `seeds`: a company's fiscal settings, operations and starting tax rules.
- `rules`: the engine's inputs from the database; `archive`: the immutable XML archive and its export.
"""

from retaguarda.fiscal.services.archive import export_month
from retaguarda.fiscal.services.documents import (
    build_document,
    discard_document,
    issue_document,
    preview,
    signed_xml,
)
from retaguarda.fiscal.services.inputs import DocumentIn, InstallmentIn, ItemIn, PaymentIn
from retaguarda.fiscal.services.seeds import seed_company

__all__ = [
    "DocumentIn",
    "InstallmentIn",
    "ItemIn",
    "PaymentIn",
    "build_document",
    "discard_document",
    "export_month",
    "issue_document",
    "preview",
    "seed_company",
    "signed_xml",
]
