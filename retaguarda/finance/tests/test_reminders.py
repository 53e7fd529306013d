"""Reminder e-mails leave through the outbox after commit, once per installment and template."""

from datetime import date

import pytest
from django.core import mail

from retaguarda.core import outbox
from retaguarda.finance import services
from retaguarda.finance.models import CollectionNote, ReminderSent

pytestmark = pytest.mark.django_db(transaction=True)


def test_reminders_before_and_after_the_due_date_are_mailed_once(actor, make_title, make_customer, company):
    services.ensure_templates(company.pk)
    late = make_customer("Atrasada Ltda", email="financeiro@atrasada.example")
    soon = make_customer("Em Dia Ltda", email="contas@emdia.example")
    silent = make_customer("Sem Email Ltda")
    make_title(
        "receivable", ["150.00"], party=late, issue=date(2026, 2, 1), due=date(2026, 3, 5), document_number="NF 881"
    )
    make_title("receivable", ["80.00"], party=soon, issue=date(2026, 3, 1), due=date(2026, 3, 13))
    make_title("receivable", ["99.00"], party=silent, issue=date(2026, 2, 1), due=date(2026, 3, 5))

    assert services.queue_reminders(company.pk, today=date(2026, 3, 10)) == 2
    assert services.queue_reminders(company.pk, today=date(2026, 3, 10)) == 0  # the task ran twice
    assert mail.outbox == []  # nothing leaves before the outbox delivers it
    outbox.deliver_due()

    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"financeiro@atrasada.example", "contas@emdia.example"}
    late_mail = by_address["financeiro@atrasada.example"]
    assert "05/03/2026" in late_mail.subject and "R$ 150,00" in late_mail.body and "NF 881" in late_mail.body
    assert ReminderSent.objects.filter(sent_at__isnull=False).count() == 2
    assert CollectionNote.objects.filter(kind="reminder").count() == 2
    outbox.deliver_due()
    assert len(mail.outbox) == 2
