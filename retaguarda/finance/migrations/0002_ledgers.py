from django.db import migrations

from retaguarda.core.ledger import AppendOnly
from retaguarda.finance.journal_guard import JournalGuard


class Migration(migrations.Migration):
    dependencies = [("finance", "0001_initial")]

    operations = [
        AppendOnly("finance_financialentry"),
        AppendOnly("finance_journalentry"),
        AppendOnly("finance_journalline"),
        JournalGuard(),
    ]
