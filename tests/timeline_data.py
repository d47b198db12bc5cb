"""A customer whose history mixes five systems, with ties on the timestamp, for the timeline's
metric, API and page tests. The expected order is worked by hand in `EXPECTED`."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from supportops.models import (
    CrmActivity,
    Customer,
    CustomerIdentity,
    Invoice,
    Opportunity,
    Plan,
    Subscription,
    UsageMonth,
)
from tests.factories import message_create, ticket_create

LINK_SETTINGS = {
    "ZENDESK_URL": "https://acme.zendesk.com/",
    "STRIPE_API_KEY": "sk_test_123",
    "INTERCOM_URL": "https://api.intercom.io",
    "INTERCOM_APP_ID": "",
    "SALESFORCE_INSTANCE_URL": "https://acme.my.salesforce.com",
}


def at(month, day, hour=0, minute=0):
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


# (occurred_at, source, kind), newest first. Ties: 1 Mar 10:00 (the ticket opened shows before
# the failed invoice: later kind first) and 1 Feb 00:00 (invoice paid, subscription started,
# then the two usage months: same kind, the newer row first).
EXPECTED = [
    (at(3, 4, 16), "intercom", "ticket_opened"),
    (at(3, 3, 9), "zendesk", "ticket_solved"),
    (at(3, 2, 12), "zendesk", "ticket_replied"),
    (at(3, 1, 10), "zendesk", "ticket_opened"),
    (at(3, 1, 10), "stripe", "invoice_failed"),
    (at(2, 25, 15), "salesforce", "crm_task"),
    (at(2, 20), "salesforce", "opportunity_won"),
    (at(2, 1), "stripe", "invoice_paid"),
    (at(2, 1), "stripe", "subscription_started"),
    (at(2, 1), "usage", "usage"),  # acct-2, the newer row
    (at(2, 1), "usage", "usage"),  # acct-1
    (at(1, 10, 9), "salesforce", "opportunity_opened"),
]


def five_sources() -> Customer:
    acme = Customer.objects.create(name="Acme", domains=["acme.test"])
    CustomerIdentity.objects.create(
        source="intercom", external_id="ic-co-1", customer=acme, extra={"app_id": "abc123"}
    )
    ticket = ticket_create(
        acme, "101", at(3, 1, 10), at(3, 3, 9), channel="email", subject="Cannot log in"
    )
    message_create(ticket, "m1", at(3, 1, 10), role="customer")
    message_create(ticket, "m2", at(3, 2, 12))  # public agent reply
    message_create(ticket, "m3", at(3, 5, 8), public=False)  # internal note: no contact
    gone = ticket_create(acme, "102", at(3, 6), is_deleted=True, subject="Spam")
    message_create(gone, "m4", at(3, 6, 1), role="customer")  # deleted ticket: no contact
    chat = ticket_create(
        acme, "c7", at(3, 4, 16), source="intercom", channel="chat", subject="Billing?"
    )
    message_create(chat, "c7-1", at(3, 4, 16), role="customer")  # the last contact
    pro = Plan.objects.create(source="stripe", external_id="price_pro", name="Pro")
    Subscription.objects.create(
        source="stripe",
        external_id="sub_1",
        customer=acme,
        plan=pro,
        status="active",
        mrr_minor=19900,
        started_at=at(2, 1),
    )
    Invoice.objects.create(
        source="stripe",
        external_id="in_paid",
        customer=acme,
        status="paid",
        amount_due_minor=19900,
        amount_paid_minor=19900,
        created_at=at(1, 31, 23),
        paid_at=at(2, 1),
    )
    Invoice.objects.create(
        source="stripe",
        external_id="in_failed",
        customer=acme,
        status="failed",
        amount_due_minor=4550,
        created_at=at(3, 1, 10),
    )
    Opportunity.objects.create(
        source="salesforce",
        external_id="006A",
        customer=acme,
        name="Pro upgrade",
        stage="Closed Won",
        amount=Decimal("2388.00"),
        is_closed=True,
        is_won=True,
        created_at=at(1, 10, 9),
        close_date=date(2025, 2, 20),
    )
    CrmActivity.objects.create(
        source="salesforce",
        external_id="00TA",
        customer=acme,
        kind="task",
        subject="Renewal call",
        status="Completed",
        occurred_at=at(2, 25, 15),
        created_at=at(2, 24),
    )
    UsageMonth.objects.create(
        account_id="acct-1", customer=acme, month=date(2025, 2, 1), api_calls=12345, source="usage"
    )
    UsageMonth.objects.create(
        account_id="acct-2", customer=acme, month=date(2025, 2, 1), api_calls=100, source="usage"
    )

    other = Customer.objects.create(name="Other")
    message_create(ticket_create(other, "900", at(5, 1)), "m9", at(5, 1, 1), role="customer")
    UsageMonth.objects.create(
        account_id="acct-9", customer=other, month=date(2025, 5, 1), api_calls=1
    )
    return acme
