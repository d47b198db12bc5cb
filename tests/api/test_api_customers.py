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


def test_list_shape(analyst_client, acme, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
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
        "currency": "usd",
        "signed_up_at": "2019-05-01T00:00:00Z",
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
