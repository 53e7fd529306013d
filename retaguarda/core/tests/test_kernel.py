from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from retaguarda.core import audit
from retaguarda.core.models import AuditRecord, DocumentEvent
from retaguarda.core.money import amount, quantize, spread
from retaguarda.core.numbering import gapless_number


def test_rounding_is_half_up_and_refuses_floats():
    assert amount(Decimal("2.345")) == Decimal("2.35")
    assert amount(Decimal("-2.345")) == Decimal("-2.35")
    assert quantize("1.23456", 4) == Decimal("1.2346")
    with pytest.raises(TypeError):
        amount(0.1)


def test_spread_always_sums_to_the_total():
    parts = spread(Decimal("10.00"), [Decimal(1), Decimal(1), Decimal(1)])
    assert parts == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert sum(parts) == Decimal("10.00")
    assert sum(spread(Decimal("0.05"), [Decimal("3"), Decimal("7")])) == Decimal("0.05")


def test_a_gapless_series_gives_back_the_number_of_a_rolled_back_document(company):
    with transaction.atomic():
        assert gapless_number("fiscal.nfe.1", company_id=company.pk) == 1
        assert gapless_number("fiscal.nfe.1", company_id=company.pk) == 2
    with pytest.raises(RuntimeError), transaction.atomic():
        assert gapless_number("fiscal.nfe.1", company_id=company.pk) == 3
        raise RuntimeError("document failed")
    with transaction.atomic():
        assert gapless_number("fiscal.nfe.1", company_id=company.pk) == 3  # the failed one gave it back


def test_audit_records_are_append_only_in_the_database(actor, company):
    record = audit.record(actor, company, "updated", {"trade_name": ["A", "B"]})
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditrecord SET action = 'forged' WHERE id = %s", [record.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditrecord WHERE id = %s", [record.pk])
    assert AuditRecord.objects.get(pk=record.pk).action == "updated"


def test_document_events_are_append_only(admin_user):
    event = DocumentEvent.objects.create(document_type="x.y", document_id=1, to_state="draft", origin="cli")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_documentevent WHERE id = %s", [event.pk])


def test_company_change_is_audited_field_by_field(actor, company):
    from retaguarda.companies.services import update_company

    update_company(company.pk, actor=actor, version=company.version, trade_name="Nova Loja")
    record = AuditRecord.objects.filter(object_type="companies.company", action="updated").latest("id")
    assert record.changes == {"trade_name": [company.trade_name, "Nova Loja"]}
    assert record.user == actor.user
    assert record.origin == "cli"
