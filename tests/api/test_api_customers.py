"""GET /api/v1/customers/ and /unmatched/."""

from datetime import UTC, datetime

import pytest

from supportops.models import Customer, CustomerIdentity, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    plan = Plan.objects.create(source="stripe", external_id="price_pro", name="Pro")
    customer = Customer.objects.create(
        name="Acme",
        domains=["acme.io"],
        plan=plan,
        is_paying=True,
        mrr_minor=19900,
        signed_up_at=datetime(2019, 5, 1, tzinfo=UTC),
    )
    CustomerIdentity.objects.create(source="zendesk", external_id="42", customer=customer)
    CustomerIdentity.objects.create(
        source="stripe", external_id="cus_A", customer=customer, account_key="acct_1"
    )
    Customer.objects.create(name="Globex", domains=["globex.com"])
    return customer


def test_anonymous_is_refused(anon_client):
    for url in ("/api/v1/customers/", "/api/v1/customers/unmatched/", "/api/v1/customers/1/"):
        assert anon_client.get(url).status_code == 401


def test_list_shape(analyst_client, acme, settings_row, django_assert_max_num_queries):
    # token, count, page, identities, + the LTV basis: settings and the churn counts
    with django_assert_max_num_queries(6):
        body = analyst_client.get("/api/v1/customers/").json()
    assert body["count"] == 2
    first = body["results"][0]
    assert first == {
        "id": acme.id,
        "name": "Acme",
        "domains": ["acme.io"],
        "plan": "Pro",
        "is_paying": True,
        "is_enterprise": False,
        "mrr": "199.00",
        # nobody has ever paid (no subscription): no churn measured, lifetime = the cap of 60
        # months; 199.00 × 60 = 11,940.00
        "ltv": "11940.00",
        "realized_revenue": "0.00",
        "currency": "usd",
        "signed_up_at": "2019-05-01T00:00:00Z",
        "last_contact_at": None,
        "ticket_count": 0,
        "identities": [
            {"source": "zendesk", "external_id": "42"},
            {"source": "stripe", "external_id": "cus_A"},
        ],
    }


@pytest.mark.parametrize("term", ["acm", "acme.io", "cus_A", "acct_1", "42"])
def test_search_by_name_domain_or_any_id(analyst_client, acme, term):
    body = analyst_client.get("/api/v1/customers/", {"search": term}).json()
    assert [c["name"] for c in body["results"]] == ["Acme"]


def test_detail_and_missing(analyst_client, acme):
    assert analyst_client.get(f"/api/v1/customers/{acme.id}/").json()["name"] == "Acme"
    globex = Customer.objects.get(name="Globex")
    assert analyst_client.get(f"/api/v1/customers/{globex.id}/").json()["signed_up_at"] is None
    assert analyst_client.get("/api/v1/customers/999999/").status_code == 404


def test_unmatched_lists_records_without_a_customer(analyst_client, acme):
    CustomerIdentity.objects.create(source="usage", external_id="acct_9", name="Mystery")
    body = analyst_client.get("/api/v1/customers/unmatched/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["source"], row["external_id"], row["name"]) == ("usage", "acct_9", "Mystery")
    assert row["reason"] == "no shared id and no known email domain"


def test_customers_are_read_only(staff_client, acme):
    assert staff_client.post("/api/v1/customers/", {"name": "X"}).status_code == 405


def test_ltv_and_realized_revenue(analyst_client, acme, monkeypatch):
    from supportops.models import Invoice, Subscription

    monkeypatch.setattr("django.utils.timezone.now", lambda: datetime(2026, 12, 1, 12, tzinfo=UTC))
    # Acme pays from 2019 on; Globex paid from 2019 and stopped on 15 Jun 2026.
    globex = Customer.objects.get(name="Globex")
    for number, (customer, ended_at) in enumerate(
        ((acme, None), (globex, datetime(2026, 6, 15, tzinfo=UTC)))
    ):
        Subscription.objects.create(
            source="stripe",
            external_id=f"sub_{number}",
            customer=customer,
            status="canceled" if ended_at else "active",
            list_mrr_minor=19900,
            mrr_minor=0 if ended_at else 19900,
            started_at=datetime(2019, 5, 1, tzinfo=UTC),
            ended_at=ended_at,
        )
    for number, (status, paid) in enumerate((("paid", 19900), ("paid", 19900), ("open", 0))):
        Invoice.objects.create(
            source="stripe",
            external_id=f"in_{number}",
            customer=acme,
            status=status,
            amount_due_minor=19900,
            amount_paid_minor=paid,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
        )

    detail = analyst_client.get(f"/api/v1/customers/{acme.id}/").json()
    listed = {c["name"]: c for c in analyst_client.get("/api/v1/customers/").json()["results"]}

    # Dec 2025 – Nov 2026: in June 1 of the 2 payers stopped (0.5), every other month 0;
    # churn = 0.5 / 12 = 0.041667, lifetime = 24 months; LTV = 199.00 × 24 = 4,776.00.
    # Two paid invoices of 199.00 = 398.00; the open one is not revenue.
    assert (detail["ltv"], detail["realized_revenue"]) == ("4776.00", "398.00")
    assert (listed["Acme"]["ltv"], listed["Acme"]["realized_revenue"]) == ("4776.00", "398.00")
    # Globex pays nothing now: LTV 0
    assert (listed["Globex"]["ltv"], listed["Globex"]["realized_revenue"]) == ("0.00", "0.00")
