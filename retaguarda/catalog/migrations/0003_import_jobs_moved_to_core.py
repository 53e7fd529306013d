# Import jobs serve every app's importers now, so they live in core: copy the rows, then drop the table.

from django.db import migrations

FIELDS = (
    "id", "company_id", "created_at", "updated_at", "kind", "filename", "content", "skip_invalid", "status",
    "stage", "total", "processed", "saved", "report", "created_by_id", "finished_at",
)


def copy_jobs(apps, schema_editor):
    Old = apps.get_model("catalog", "ImportJob")
    New = apps.get_model("core", "ImportJob")
    New.objects.bulk_create(
        [New(**{f: getattr(job, f) for f in FIELDS}) for job in Old.objects.order_by("id").iterator()],
        batch_size=200,
    )
    if schema_editor.connection.vendor == "postgresql" and New.objects.exists():
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('core_importjob', 'id'), (SELECT MAX(id) FROM core_importjob))"
            )


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0002_price_lists_imports'),
        ('core', '0004_import_jobs'),
    ]

    operations = [
        migrations.RunPython(copy_jobs, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ImportJob',
        ),
    ]
