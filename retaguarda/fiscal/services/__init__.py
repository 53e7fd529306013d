"""Every write of the fiscal app; this package re-exports the public API.

- `inputs`: what callers hand over (`DocumentIn`, `ItemIn`, `PaymentIn`, `InstallmentIn`).
- `documents`: `build_document` (draft), `preview`, `issue_document` (number, key, XML, signature,
  archive), `discard_document`.
- `seeds`: a company's fiscal settings, operations and starting tax rules.
- `rules`: the engine's inputs from the database; `archive`: the immutable XML archive and its export.
- `settings`: the A1 certificate and the NFC-e CSC, stored encrypted; `contingency`: SVC / offline, by
  hand or after repeated SEFAZ failures.
"""

from retaguarda.fiscal.services.archive import export_month
from retaguarda.fiscal.services.contingency import enter_contingency, leave_contingency
from retaguarda.fiscal.services.documents import (
    build_document,
    discard_document,
    issue_document,
    preview,
    reopen_document,
    signed_xml,
)
from retaguarda.fiscal.services.events import cancel_document, correct_document, void_numbers
from retaguarda.fiscal.services.inputs import DocumentIn, InstallmentIn, ItemIn, PaymentIn
from retaguarda.fiscal.services.seeds import point_demo_at, seed_company
from retaguarda.fiscal.services.settings import install_certificate, set_csc
from retaguarda.fiscal.services.transmission import transmit, transmit_batch

__all__ = [
    "DocumentIn",
    "InstallmentIn",
    "ItemIn",
    "PaymentIn",
    "build_document",
    "cancel_document",
    "correct_document",
    "discard_document",
    "enter_contingency",
    "export_month",
    "install_certificate",
    "issue_document",
    "leave_contingency",
    "point_demo_at",
    "preview",
    "reopen_document",
    "seed_company",
    "set_csc",
    "signed_xml",
    "transmit",
    "transmit_batch",
    "void_numbers",
]
