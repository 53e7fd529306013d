from django.db import migrations

from retaguarda.core.ledger import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [AppendOnly("core_auditrecord"), AppendOnly("core_documentevent")]
