"""billing_links_refresh writes only stale links, and every stale one: after an admin relinks
a billing customer, after its identity loses its customer, and for rows written before their
customer was linked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from supportops.billing import billing_links_refresh
from supportops.models import Customer, CustomerIdentity, Invoice

pytestmark = pytest.mark.django_db
AT = datetime(2025, 3, 1, tzinfo=UTC)


def _invoice(external_id: str, owner: str, customer: Customer | None) -> Invoice:
    return Invoice.objects.create(
        source="stripe",
        external_id=external_id,
        customer=customer,
        customer_external_id=owner,
        subscription_external_id="",
        status="paid",
        amount_due_minor=100,
        amount_paid_minor=100,
        currency="usd",
        created_at=AT,
    )


def _links() -> dict[str, int | None]:
    return dict(Invoice.objects.values_list("external_id", "customer_id"))


def test_only_stale_links_are_rewritten_to_the_identitys_customer():
    acme, globex = Customer.objects.create(name="Acme"), Customer.objects.create(name="Globex")
    CustomerIdentity.objects.create(source="stripe", external_id="cus_a", customer=acme)
    CustomerIdentity.objects.create(source="stripe", external_id="cus_g", customer=None)
    _invoice("in_right", "cus_a", acme)
    _invoice("in_wrong", "cus_a", globex)  # relinked by an admin since it was written
    _invoice("in_unlinked", "cus_a", None)  # written before its customer was linked
    _invoice("in_lost", "cus_g", globex)  # its identity has no customer any more
    _invoice("in_orphan", "cus_missing", acme)  # no identity at all
    _invoice("in_none", "cus_g", None)  # no customer, rightly
    with CaptureQueriesContext(connection) as queries:
        assert billing_links_refresh(source="stripe") == 4
    assert _links() == {
        "in_right": acme.pk,
        "in_wrong": acme.pk,
        "in_unlinked": acme.pk,
        "in_lost": None,
        "in_orphan": None,
        "in_none": None,
    }
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    # subscriptions, invoices, charges: a join and an anti-join each, whatever the row count
    assert len(updates) == 6


def test_a_second_refresh_writes_no_row():
    acme = Customer.objects.create(name="Acme")
    CustomerIdentity.objects.create(source="stripe", external_id="cus_a", customer=acme)
    _invoice("in_1", "cus_a", None)
    _invoice("in_2", "cus_a", acme)
    assert billing_links_refresh(source="stripe") == 1
    assert billing_links_refresh(source="stripe") == 0
    assert _links() == {"in_1": acme.pk, "in_2": acme.pk}
