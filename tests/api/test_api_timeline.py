"""GET /api/v1/customers/{id}/timeline/ on the five-system customer of tests/timeline_data.py
(order, links and last contact worked by hand there)."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from metrics.timeline import KINDS
from supportops.contact import customer_contact_refresh
from supportops.models import Customer
from tests.timeline_data import EXPECTED, LINK_SETTINGS, at, five_sources


@pytest.fixture
def acme(settings_row, settings):
    for name, value in LINK_SETTINGS.items():
        setattr(settings, name, value)
    customer = five_sources()
    customer_contact_refresh()  # as the sync does after writing tickets and messages
    return customer


def url(customer) -> str:
    return f"/api/v1/customers/{customer.id}/timeline/"


def _order(events):
    return [(e["occurred_at"], e["source"], e["kind"]) for e in events]


def _iso(expected):
    return [(moment.isoformat().replace("+00:00", "Z"), s, k) for moment, s, k in expected]


def test_url_name(acme):
    assert reverse("api:customer-timeline", kwargs={"customer_id": acme.id}) == url(acme)


def test_every_event_newest_first_with_last_contact(analyst_client, acme):
    data = analyst_client.get(url(acme)).json()
    assert data["customer_id"] == acme.id
    assert data["last_contact_at"] == "2025-03-04T16:00:00Z"  # not the note, not the deleted
    assert (data["count"], data["page"], data["next"], data["previous"]) == (12, 1, None, None)
    assert _order(data["events"]) == _iso(EXPECTED)


def test_pages_split_the_ties_the_same_way(analyst_client, acme):
    first = analyst_client.get(url(acme), {"page_size": 4}).json()
    second = analyst_client.get(first["next"]).json()
    third = analyst_client.get(second["next"]).json()
    assert first["count"] == second["count"] == third["count"] == 12
    assert _order(first["events"]) == _iso(EXPECTED[:4])  # ends on the 1 Mar 10:00 ticket
    assert _order(second["events"]) == _iso(EXPECTED[4:8])  # starts on its tied invoice
    assert _order(third["events"]) == _iso(EXPECTED[8:])
    assert [e["detail"] for e in third["events"][1:3]] == ["account acct-2", "account acct-1"]
    assert first["previous"] is None and third["next"] is None
    assert second["previous"].endswith("?page_size=4")
    assert "page=3" in second["next"]
    beyond = analyst_client.get(url(acme), {"page_size": 4, "page": 9}).json()
    assert (beyond["count"], beyond["events"]) == (12, [])


def test_event_fields_amounts_and_links(analyst_client, acme):
    events = analyst_client.get(url(acme)).json()["events"]
    by_kind = {}
    for event in events:
        by_kind.setdefault(event["kind"], event)
    chat = events[0]
    assert chat == {
        "occurred_at": "2025-03-04T16:00:00Z",
        "source": "intercom",
        "kind": "ticket_opened",
        "title": "Conversation opened: Billing?",
        "detail": "#c7 via chat",
        "amount": None,
        "currency": None,
        "link": "https://app.intercom.com/a/inbox/abc123/inbox/conversation/c7",
    }
    zendesk = "https://acme.zendesk.com/agent/tickets/101"
    assert by_kind["ticket_replied"]["link"] == zendesk  # a reply opens its ticket
    assert by_kind["ticket_solved"]["link"] == zendesk
    failed = by_kind["invoice_failed"]
    assert (failed["title"], failed["amount"], failed["currency"]) == (
        "Invoice payment failed: 45.50 USD",
        "45.50",
        "usd",
    )
    assert failed["link"] == "https://dashboard.stripe.com/test/invoices/in_failed"
    started = by_kind["subscription_started"]
    assert (started["title"], started["amount"], started["detail"]) == (
        "Subscription started: Pro",
        "199.00",
        "MRR 199.00 USD · active",
    )
    assert started["link"] == "https://dashboard.stripe.com/test/subscriptions/sub_1"
    won = by_kind["opportunity_won"]
    assert (won["title"], won["amount"], won["detail"]) == (
        "Opportunity won: Pro upgrade",
        "2388.00",
        "2,388.00 USD · Closed Won",
    )
    assert won["link"] == "https://acme.my.salesforce.com/lightning/r/Opportunity/006A/view"
    task = by_kind["crm_task"]
    assert (task["title"], task["amount"]) == ("Task: Renewal call", None)
    assert task["link"] == "https://acme.my.salesforce.com/lightning/r/Task/00TA/view"
    usage = by_kind["usage"]
    assert (usage["title"], usage["link"]) == ("Usage Feb 2025: 100 API calls", None)


def test_links_without_configuration(analyst_client, acme, settings):
    settings.ZENDESK_URL = ""
    settings.STRIPE_API_KEY = "sk_live_abc"
    settings.SALESFORCE_INSTANCE_URL = ""
    settings.SALESFORCE_LOGIN_URL = "https://login.salesforce.com"
    settings.INTERCOM_URL = "https://api.eu.intercom.io"
    settings.INTERCOM_APP_ID = "eu-app"
    links = {e["kind"]: e["link"] for e in reversed(analyst_client.get(url(acme)).json()["events"])}
    assert links["ticket_solved"] is None  # no Zendesk address configured
    assert links["invoice_paid"] == "https://dashboard.stripe.com/invoices/in_paid"  # live key
    assert links["opportunity_won"] is None  # a shared login host is not the org
    assert (
        links["ticket_opened"] == "https://app.eu.intercom.com/a/inbox/eu-app/inbox/conversation/c7"
    )


@pytest.mark.parametrize(
    ("params", "kinds"),
    [
        ({"source": "stripe"}, ["invoice_failed", "invoice_paid", "subscription_started"]),
        (
            {"source": "salesforce,usage"},
            ["crm_task", "opportunity_won", "usage", "usage", "opportunity_opened"],
        ),
        ({"source": "salesforce", "kind": "crm_task,crm_event"}, ["crm_task"]),
        ({"kind": "ticket_opened"}, ["ticket_opened", "ticket_opened"]),
        ({"kind": "invoice_paid, usage"}, ["invoice_paid", "usage", "usage"]),
        ({"kind": "opportunity_lost"}, []),
    ],
)
def test_filters(analyst_client, acme, params, kinds):
    data = analyst_client.get(url(acme), params).json()
    assert [e["kind"] for e in data["events"]] == kinds
    assert data["count"] == len(kinds)


def test_filter_and_pages_keep_the_filter(analyst_client, acme):
    first = analyst_client.get(url(acme), {"source": "stripe", "page_size": 2}).json()
    assert "source=stripe" in first["next"]
    second = analyst_client.get(first["next"]).json()
    assert [e["kind"] for e in second["events"]] == ["subscription_started"]


@pytest.mark.parametrize(
    ("params", "name", "words"),
    [
        ({"source": "hubspot"}, "source", ["'hubspot'", "zendesk", "intercom", "salesforce"]),
        ({"source": "stripe,nope"}, "source", ["'nope'", "stripe"]),
        ({"kind": "ticket_closed"}, "kind", ["'ticket_closed'", *KINDS]),
        ({"page_size": 501}, "page_size", ["500"]),
        ({"page": 0}, "page", ["1"]),
        ({"sort": "old"}, "sort", ["Unknown parameter"]),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(analyst_client, acme, params, name, words):
    response = analyst_client.get(url(acme), params)
    assert response.status_code == 400
    message = " ".join(response.json()[name])
    for word in words:
        assert word in message


def test_bad_filter_in_csv_is_a_csv_400(analyst_client, acme):
    response = analyst_client.get(url(acme), {"kind": "x", "format": "csv"})
    assert response.status_code == 400
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["parameter"] == "kind" and "ticket_opened" in row["error"]


def test_unknown_customer_is_404(analyst_client, acme):
    assert analyst_client.get("/api/v1/customers/999999/timeline/").status_code == 404


def test_needs_auth_token_or_session(anon_client, client, analyst, acme):
    assert anon_client.get(url(acme)).status_code in (401, 403)
    client.force_login(analyst)
    assert client.get(url(acme)).status_code == 200


def test_csv_equals_json(analyst_client, acme):
    data = analyst_client.get(url(acme), {"page_size": 500}).json()
    response = analyst_client.get(url(acme), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == ["occurred_at", "source", "kind", "title", "detail", "amount",
                             "currency", "link"]  # fmt: skip
    text = {None: ""}
    assert rows == [{k: text.get(v, v) for k, v in e.items()} for e in data["events"]]
    filtered = analyst_client.get(url(acme), {"format": "csv", "source": "stripe"})
    assert len(list(csv.DictReader(io.StringIO(filtered.content.decode())))) == 3


def test_query_count(analyst_client, acme, django_assert_num_queries):
    # token, the customer's last contact (it exists), settings, the page with its count, the
    # Intercom workspace
    with django_assert_num_queries(5):
        assert analyst_client.get(url(acme), {"page_size": 4}).status_code == 200
    # a page without an Intercom conversation does not look the workspace up
    with django_assert_num_queries(4):
        assert analyst_client.get(url(acme), {"page_size": 4, "page": 2}).status_code == 200
    # past the end no row carries the count: a COUNT follows
    with django_assert_num_queries(5):
        assert analyst_client.get(url(acme), {"page_size": 4, "page": 9}).status_code == 200
    # the CSV: one query for every event instead of COUNT and page
    with django_assert_num_queries(5):
        assert analyst_client.get(url(acme), {"format": "csv"}).status_code == 200


def test_in_the_openapi_schema(analyst_client, acme):
    schema = analyst_client.get("/api/v1/schema/", {"format": "json"})
    if schema.status_code == 404:
        pytest.skip("schema served elsewhere")
    paths = schema.json()["paths"]
    entry = paths["/api/v1/customers/{customer_id}/timeline/"]["get"]
    names = {p["name"] for p in entry["parameters"]}
    assert {"customer_id", "page", "page_size", "source", "kind"} <= names


def test_a_customer_without_events(analyst_client, acme):
    empty = Customer.objects.create(name="Quiet")
    data = analyst_client.get(url(empty)).json()
    assert (data["count"], data["events"], data["last_contact_at"]) == (0, [], None)
    assert at(1, 1)  # the fixture's clock is 2025
