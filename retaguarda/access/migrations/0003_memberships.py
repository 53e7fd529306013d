"""Departments per company: `Membership` (user x company x departments) replaces the user's global
departments and plain company list. Every user keeps, in each company they had, the departments they had."""

import django.db.models.deletion
from django.db import migrations, models


def to_memberships(apps, schema_editor):
    User = apps.get_model("access", "User")
    Membership = apps.get_model("access", "Membership")
    departments_of: dict[int, list[int]] = {}
    for user_id, department_id in User.departments.through.objects.values_list("user_id", "department_id"):
        departments_of.setdefault(user_id, []).append(department_id)
    pairs = list(User.companies.through.objects.values_list("user_id", "company_id").order_by("user_id", "company_id"))
    Membership.objects.bulk_create(Membership(user_id=u, company_id=c) for u, c in pairs)
    ids = {(m.user_id, m.company_id): m.pk for m in Membership.objects.all()}
    Link = Membership.departments.through
    Link.objects.bulk_create(
        Link(membership_id=ids[(u, c)], department_id=d) for u, c in pairs for d in departments_of.get(u, [])
    )


def to_global_departments(apps, schema_editor):
    """Backwards: a user gets the union of their departments and the companies they belonged to."""
    User = apps.get_model("access", "User")
    Membership = apps.get_model("access", "Membership")
    for membership in Membership.objects.prefetch_related("departments"):
        user = User.objects.get(pk=membership.user_id)
        user.companies.add(membership.company_id)
        user.departments.add(*membership.departments.all())


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0002_alter_apitoken_options_alter_department_options_and_more"),
        ("companies", "0002_alter_company_created_at_alter_company_updated_at"),
    ]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="companies.company",
                        verbose_name="company",
                    ),
                ),
                (
                    "departments",
                    models.ManyToManyField(
                        blank=True, related_name="memberships", to="access.department", verbose_name="departments"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="access.user",
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "membership",
                "constraints": [
                    models.UniqueConstraint(fields=("user", "company"), name="access_membership_unique")
                ],
            },
        ),
        migrations.RunPython(to_memberships, to_global_departments),
        migrations.RemoveField(model_name="user", name="companies"),
        migrations.RemoveField(model_name="user", name="departments"),
        migrations.AddField(
            model_name="user",
            name="companies",
            field=models.ManyToManyField(
                blank=True,
                related_name="users",
                through="access.Membership",
                to="companies.company",
                verbose_name="companies",
            ),
        ),
    ]
