"""Fiscal's watch rules: a rejected note, a note stuck waiting for SEFAZ; each fires and clears.

The notes are put in those states directly (SEFAZ conversations are tested in test_sefaz.py): these
tests are about what the rules find."""

from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from retaguarda.fiscal import rules, services
from retaguarda.fiscal.models import FiscalDocument
from retaguarda.fiscal.services import DocumentIn, ItemIn
from retaguarda.fiscal.states import DocumentState

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(simples, make_customer, make_item_product, fiscal_actor):
    actor = fiscal_actor(simples)
    items = (ItemIn(make_item_product(simples).pk, D("1"), D("25.00")),)
    return services.build_document(DocumentIn(recipient_id=make_customer(simples).pk, items=items), actor=actor)


def _set(note, **fields):
    FiscalDocument.objects.filter(pk=note.pk).update(**fields)


def test_a_rejected_note_fires_until_it_goes_back_to_draft(note):
    _set(note, state=DocumentState.REJECTED, status_code="225", status_message="Rejeição: Falha no Schema XML")

    [finding] = rules.rejected(note.company_id, {})
    assert (finding.subject_type, finding.subject_id) == ("fiscal.document", note.pk)
    assert finding.figures["code"].value == "225"

    _set(note, state=DocumentState.DRAFT)
    assert rules.rejected(note.company_id, {}) == []


def test_a_note_waiting_longer_than_the_threshold_is_stuck(note):
    _set(note, state=DocumentState.QUEUED, updated_at=timezone.now() - timedelta(minutes=10))
    assert rules.stuck_in_queue(note.company_id, {"minutes": 30}) == []

    _set(note, updated_at=timezone.now() - timedelta(minutes=45))
    [finding] = rules.stuck_in_queue(note.company_id, {"minutes": 30})
    assert finding.figures["minutes"].value >= 45

    _set(note, state=DocumentState.AUTHORIZED)
    assert rules.stuck_in_queue(note.company_id, {"minutes": 30}) == []


def test_a_certificate_near_its_expiry_fires_until_a_new_one_is_installed(simples):
    from retaguarda.fiscal.models import FiscalSettings

    settings = FiscalSettings.objects.filter(company=simples)
    settings.update(
        certificate_fingerprint="a" * 64,
        certificate_subject="CASA PAULISTA LTDA:12345678000195",
        certificate_not_after=timezone.now() + timedelta(days=90),
    )
    assert rules.certificate_expiring(simples.pk, {"days": 30}) == []

    settings.update(certificate_not_after=timezone.now() + timedelta(days=12, hours=1))
    [finding] = rules.certificate_expiring(simples.pk, {"days": 30})
    assert (finding.subject_id, finding.figures["days"].value) == ("a" * 64, 12)

    settings.update(certificate_fingerprint="b" * 64, certificate_not_after=timezone.now() + timedelta(days=365))
    assert rules.certificate_expiring(simples.pk, {"days": 30}) == []
