from django.db import migrations


def load(apps, schema_editor):
    from retaguarda.br_tables.loader import load as load_tables

    load_tables(apps)


class Migration(migrations.Migration):
    dependencies = [("br_tables", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
