# Written by hand for issue #8: last contact and ticket count filled in, and the customers
# list's sort indexes.

from django.db import migrations, models
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

# Last contact sorts with "never contacted" as the stalest: NULLS FIRST ascending, NULLS LAST
# descending. PostgreSQL says so in the index; SQLite cannot, and needs not: its NULLs sort
# first ascending and last descending already. Not in the model state (Django cannot express
# either form on both databases); the model's Meta says where they are.
LAST_CONTACT_INDEXES = {
    "customer_contact_idx": ("ASC NULLS FIRST", "ASC"),
    "customer_contact_desc_idx": ("DESC NULLS LAST", "DESC"),
}


def fill_contact_columns(apps, schema_editor):
    """As supportops.contact.customer_contact_refresh does today: one UPDATE."""
    Customer = apps.get_model("supportops", "Customer")
    Interaction = apps.get_model("supportops", "Interaction")
    Ticket = apps.get_model("supportops", "Ticket")
    latest = (
        Interaction.objects.filter(
            ticket__customer_id=OuterRef("pk"),
            ticket__is_deleted=False,
            is_public=True,
            author_role__in=("agent", "customer"),
        )
        .order_by()
        .values("ticket__customer_id")
        .annotate(latest=Max("created_at"))
        .values("latest")
    )
    tickets = (
        Ticket.objects.filter(customer_id=OuterRef("pk"), is_deleted=False)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Customer.objects.update(
        last_contact_at=Subquery(latest),
        ticket_count=Coalesce(Subquery(tickets, output_field=IntegerField()), Value(0)),
    )


def create_last_contact_indexes(apps, schema_editor):
    table = schema_editor.quote_name("supportops_customer")
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (pg_order, plain_order) in LAST_CONTACT_INDEXES.items():
        order = pg_order if postgresql else plain_order
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(name)} ON {table} "
            f'("last_contact_at" {order}, "name" ASC, "id" ASC)'
        )


def drop_last_contact_indexes(apps, schema_editor):
    for name in LAST_CONTACT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('supportops', '0011_ops_columns_and_remap'),
    ]

    operations = [
        migrations.RunPython(fill_contact_columns, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['name', 'id'], name='customer_name_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['mrr_minor', 'name', 'id'], name='customer_mrr_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['-mrr_minor', 'name', 'id'], name='customer_mrr_desc_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['ticket_count', 'name', 'id'], name='customer_tickets_idx'),
        ),
        migrations.AddIndex(
            model_name='customer',
            index=models.Index(fields=['-ticket_count', 'name', 'id'], name='customer_tickets_desc_idx'),
        ),
        migrations.RunPython(create_last_contact_indexes, drop_last_contact_indexes),
        migrations.AddIndex(
            model_name='customeridentity',
            index=models.Index(fields=['external_id'], name='identity_external_id_idx'),
        ),
        migrations.AddIndex(
            model_name='customeridentity',
            index=models.Index(condition=models.Q(('account_key', ''), _negated=True), fields=['account_key'], name='identity_account_key_idx'),
        ),
        migrations.AddIndex(
            model_name='customeridentity',
            index=models.Index(condition=models.Q(('customer__isnull', True), ('is_deleted', False)), fields=['source'], name='identity_unmatched_idx'),
        ),
    ]
