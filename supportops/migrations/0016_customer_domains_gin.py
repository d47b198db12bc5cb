"""Customers by email domain in one indexed lookup per page of contacts (identity.domain_index).

PostgreSQL only: a GIN index on the domains array answers `domains ?| array[...]`. SQLite has
no such index and keeps reading every customer, which the demo's few customers allow. Existing
domains are lower-cased first, as Customer.save now keeps them, because the lookup is exact.
"""

from django.db import migrations


def lower_domains(apps, schema_editor):
    Customer = apps.get_model("supportops", "Customer")
    for customer in Customer.objects.exclude(domains=[]).only("id", "domains").iterator():
        if not isinstance(customer.domains, list):
            continue
        lowered = [d.strip().lower() if isinstance(d, str) else d for d in customer.domains]
        if lowered != customer.domains:
            Customer.objects.filter(pk=customer.pk).update(domains=lowered)


def gin_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS customer_domains_gin "
            "ON supportops_customer USING gin (domains)"
        )


def gin_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS customer_domains_gin")


class Migration(migrations.Migration):
    dependencies = [("supportops", "0015_reports_and_customer_costs")]

    operations = [
        migrations.RunPython(lower_domains, migrations.RunPython.noop),
        migrations.RunPython(gin_create, gin_drop),
    ]
