from django.db import migrations

from retaguarda.core.ledger import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("fiscal", "0004_sefaz")]

    operations = [
        AppendOnly("fiscal_sefazexchange"),
        AppendOnly("fiscal_fiscalevent"),
        AppendOnly("fiscal_voiding"),
    ]
