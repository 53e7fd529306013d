from django.db import migrations

from retaguarda.core.ledger import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("fiscal", "0001_initial")]

    operations = [AppendOnly("fiscal_archiveentry")]
