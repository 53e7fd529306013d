"""Reads shared by the API and the pages: a company's documents, rules and operations."""

from django.db.models import QuerySet

from retaguarda.fiscal.models import FiscalDocument, FiscalEvent, FiscalSettings, Operation, TaxRule
from retaguarda.fiscal.sefaz.events import CORRECTION


def documents(*, company, state: str | None = None, model: int | None = None) -> QuerySet[FiscalDocument]:
    qs = FiscalDocument.objects.filter(company=company).select_related("recipient")
    if state:
        qs = qs.filter(state=state)
    if model:
        qs = qs.filter(model=model)
    return qs


def document(*, company, pk: int) -> FiscalDocument | None:
    return (
        FiscalDocument.objects.filter(company=company, pk=pk)
        .select_related("operation", "recipient")
        .prefetch_related("lines")
        .first()
    )


def tax_rules(*, company, tax: str | None = None, active: bool | None = None) -> QuerySet[TaxRule]:
    qs = TaxRule.objects.filter(company=company).select_related("operation")
    if tax:
        qs = qs.filter(tax=tax)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


def operations(*, company) -> QuerySet[Operation]:
    return Operation.objects.filter(company=company)


def settings(*, company) -> FiscalSettings | None:
    # The encrypted columns stay unread: a page never needs them (and a lost key must not break it).
    return (
        FiscalSettings.objects.filter(company=company).defer("certificate_pfx", "certificate_password", "csc").first()
    )


def correction(*, company, document_id: int, sequence: int) -> FiscalEvent | None:
    """A note's registered correction letter (CC-e) by its sequence."""
    return (
        FiscalEvent.objects.filter(company=company, document_id=document_id, event_type=CORRECTION, sequence=sequence)
        .select_related("document")
        .first()
    )
