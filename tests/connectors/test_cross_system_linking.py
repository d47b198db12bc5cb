"""One customer across systems, end to end: the sandbox company through the real connectors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.sandbox.usage import usage_rows, write_usage_csv
from connectors.sync import sync_source
from connectors.usage.csv_import import usage_csv_import
from supportops.customers import identity_link
from supportops.models import Customer, CustomerIdentity, Ticket, UsageMonth

from .conftest import END_AT

pytestmark = pytest.mark.django_db


def test_usage_accounts_link_by_key_or_named_zendesk_org(zendesk, company, tmp_path):
    sync_source(source="zendesk")
    path = tmp_path / "usage.csv"
    write_usage_csv(company, path)

    result = usage_csv_import(path=path, source="segment")

    # Independent path: which customers should link, from the sandbox's own records.
    # An account links when its Zendesk org carries the account key, or when a row names
    # the org explicitly; the sandbox names it for every 7th customer.
    by_account = {c.account_id: c for c in company.customers}
    accounts = {row["account_id"] for row in usage_rows(company)}
    linkable = {
        a
        for a in accounts
        if a in by_account and (by_account[a].org_external_id or by_account[a].index % 7 == 0)
    }
    assert {"acct_9001", "acct_9002"} <= accounts - linkable  # unknown to every other system
    assert result.accounts == len(accounts)
    assert result.accounts_linked == len(linkable)
    assert result.accounts_unmatched == len(accounts) - len(linkable)
    for row in UsageMonth.objects.select_related("customer"):
        if row.account_id in linkable:
            assert row.customer.name == by_account[row.account_id].name
        else:
            assert row.customer is None
    unmatched = set(
        CustomerIdentity.objects.filter(source="usage", customer__isnull=True).values_list(
            "external_id", flat=True
        )
    )
    assert unmatched == accounts - linkable


def test_manual_link_survives_the_next_sync(zendesk, company):
    sync_source(source="zendesk")
    source_customer = company.customers[0]
    org = CustomerIdentity.objects.get(source="zendesk", external_id=str(source_customer.org_id))
    elsewhere = Customer.objects.create(name="Parent company")

    identity_link(identity=org, customer=elsewhere)
    company.touch_organization(source_customer.index, END_AT + timedelta(hours=1))
    ticket_id = next(
        t.id for t in company.tickets.values() if t.customer_index == source_customer.index
    )
    company.touch_ticket(ticket_id, END_AT + timedelta(hours=1))
    run = sync_source(source="zendesk")

    assert run.status == "succeeded", run.error
    org.refresh_from_db()
    assert org.customer == elsewhere and org.match_method == "manual"
    assert run.counts["organizations"] >= 1 and run.counts["tickets"] >= 1
    tickets = Ticket.objects.filter(organization_external_id=str(source_customer.org_id))
    assert tickets.exists() and all(t.customer_id == elsewhere.id for t in tickets)


def test_a_sync_dates_each_signup_from_the_sources_not_from_our_rows(zendesk, company):
    run = sync_source(source="zendesk")

    assert run.status == "succeeded", run.error
    # Independent path: the sandbox's own signup of each customer, which is when its Zendesk
    # organization and first requester were created (later requesters come after).
    orgs = {
        ext: customer
        for ext, customer in CustomerIdentity.objects.filter(source="zendesk").values_list(
            "external_id", "customer"
        )
    }
    signed_up = dict(Customer.objects.values_list("id", "signed_up_at"))
    made = dict(Customer.objects.values_list("id", "created_at"))
    for source_customer in company.customers:
        customer_id = orgs[str(source_customer.org_id)]
        expected = source_customer.signed_up_at
        assert abs(signed_up[customer_id] - expected) < timedelta(seconds=1)
        assert made[customer_id] - expected > timedelta(days=1)  # our row is made today
