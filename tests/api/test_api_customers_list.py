"""GET /api/v1/customers/: every order, the stale and MRR filters, search, bad input, queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from supportops.contact import customer_contact_refresh
from supportops.models import Customer, CustomerIdentity
from tests.factories import message_create as _message
from tests.factories import ticket_create as _ticket

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
DAY = timedelta(days=1)
URL = "/api/v1/customers/"


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def book(db, frozen, settings_row):
    """name   MRR           paying  last public contact      tickets (not deleted)
    Acme   199.00 USD    yes     exactly 60 days ago      3
    Beta    49.00 USD    yes     60 days less 1 second    1
    Cyber   10.00 USD    yes     never (a ticket, no msg) 1
    Dyna     0.00 USD    no      1 day ago                2 (and a deleted one, later)
    Edo    50000 JPY     yes     exactly 100 days ago     1 (and an internal note, later)
    """

    def make(name, mrr_minor, paying, currency="usd", domains=()):
        return Customer.objects.create(
            name=name,
            mrr_minor=mrr_minor,
            is_paying=paying,
            currency=currency,
            domains=list(domains),
        )

    c = {
        "Acme": make("Acme", 19900, True, domains=["acme.test"]),
        "Beta": make("Beta", 4900, True, domains=["beta.example"]),
        "Cyber": make("Cyber", 1000, True),
        "Dyna": make("Dyna", 0, False),
        "Edo": make("Edo", 50000, True, "jpy"),
    }
    CustomerIdentity.objects.create(
        source="stripe", external_id="cus_ACME", account_key="acct-1", customer=c["Acme"]
    )
    for source in ("zendesk", "usage"):  # one id in two systems: still one row
        CustomerIdentity.objects.create(source=source, external_id="shared-1", customer=c["Acme"])
    CustomerIdentity.objects.create(source="zendesk", external_id="org-9", customer=c["Beta"])

    def contact(customer, key, at, tickets=1, **kwargs):
        ticket = _ticket(customer, key, at - DAY)
        _message(ticket, f"{key}-m", at, role="customer", **kwargs)
        for n in range(tickets - 1):
            _ticket(customer, f"{key}-{n}", at - 2 * DAY)
        return ticket

    contact(c["Acme"], "a", NOW - 60 * DAY, tickets=3)
    contact(c["Beta"], "b", NOW - 60 * DAY + timedelta(seconds=1))
    _ticket(c["Cyber"], "c", NOW - 5 * DAY)
    contact(c["Dyna"], "d", NOW - DAY, tickets=2)
    gone = _ticket(c["Dyna"], "d-gone", NOW - DAY, is_deleted=True)
    _message(gone, "d-gone-m", NOW - DAY / 2, role="agent")
    edo = contact(c["Edo"], "e", NOW - 100 * DAY)
    _message(edo, "e-note", NOW - DAY, role="agent", public=False)
    customer_contact_refresh()
    return c


def _names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("order", "names"),
    [
        ("name", ["Acme", "Beta", "Cyber", "Dyna", "Edo"]),
        ("-name", ["Edo", "Dyna", "Cyber", "Beta", "Acme"]),
        # minor units as stored, as the page sorts (50000 JPY above 199.00 USD)
        ("mrr", ["Dyna", "Cyber", "Beta", "Acme", "Edo"]),
        ("-mrr", ["Edo", "Acme", "Beta", "Cyber", "Dyna"]),
        ("ltv", ["Dyna", "Cyber", "Beta", "Acme", "Edo"]),
        ("-ltv", ["Edo", "Acme", "Beta", "Cyber", "Dyna"]),
        ("ticket_count", ["Beta", "Cyber", "Edo", "Dyna", "Acme"]),  # ties by name
        ("-ticket_count", ["Acme", "Dyna", "Beta", "Cyber", "Edo"]),
        ("last_contact_at", ["Cyber", "Edo", "Acme", "Beta", "Dyna"]),  # never = stalest
        ("-last_contact_at", ["Dyna", "Beta", "Acme", "Edo", "Cyber"]),
    ],
)
def test_every_order(analyst_client, book, order, names):
    assert _names(analyst_client, order=order) == names


def test_default_order_is_name(analyst_client, book):
    assert _names(analyst_client) == ["Acme", "Beta", "Cyber", "Dyna", "Edo"]


def test_rows_carry_last_contact_and_ticket_count(analyst_client, book):
    rows = {r["name"]: r for r in analyst_client.get(URL, {"order": "-ltv"}).json()["results"]}
    assert (rows["Acme"]["last_contact_at"], rows["Acme"]["ticket_count"]) == (
        "2026-01-09T12:00:00Z",  # 60 days before 10 March, 12:00
        3,
    )
    assert (rows["Cyber"]["last_contact_at"], rows["Cyber"]["ticket_count"]) == (None, 1)
    # Dyna: the deleted ticket's later message does not count, nor the ticket
    assert (rows["Dyna"]["last_contact_at"], rows["Dyna"]["ticket_count"]) == (
        "2026-03-09T12:00:00Z",
        2,
    )
    # Edo: the internal note a day ago is not contact
    assert rows["Edo"]["last_contact_at"] == "2025-11-30T12:00:00Z"
    # no churn measured: every lifetime is the cap (60 months), so LTV = MRR × 60
    assert (rows["Acme"]["ltv"], rows["Edo"]["ltv"]) == ("11940.00", "3000000.00")


@pytest.mark.parametrize(
    ("days", "names"),
    [
        ("1", ["Acme", "Beta", "Cyber", "Dyna", "Edo"]),  # Dyna's, exactly a day ago, is stale
        ("59", ["Acme", "Beta", "Cyber", "Edo"]),
        ("60", ["Acme", "Cyber", "Edo"]),  # exactly 60 days ago is stale; a second less is not
        ("100", ["Cyber", "Edo"]),
        ("101", ["Cyber"]),  # never contacted is always stale
        ("3650", ["Cyber"]),
    ],
)
def test_stale_days_boundaries(analyst_client, book, days, names):
    assert _names(analyst_client, stale_days=days) == names


@pytest.mark.parametrize(
    ("amount", "names"),
    [
        ("0", ["Acme", "Beta", "Cyber", "Dyna", "Edo"]),
        ("49", ["Acme", "Beta", "Edo"]),  # 49.00 is at least 49
        ("48.995", ["Acme", "Beta", "Edo"]),  # rounded up to 49.00
        ("49.01", ["Acme", "Edo"]),
        ("199", ["Acme", "Edo"]),
        ("199.001", ["Edo"]),  # 199.01 or more; yen have no minor unit: 50000 ≥ 199.001
        ("50000.5", []),
    ],
)
def test_min_mrr(analyst_client, book, amount, names):
    assert _names(analyst_client, min_mrr=amount) == names


def test_stale_high_value_accounts(analyst_client, book):
    query = {"paying": "yes", "stale_days": "60", "order": "-mrr"}
    assert _names(analyst_client, **query) == ["Edo", "Acme", "Cyber"]
    assert _names(analyst_client, **query, min_mrr="100") == ["Edo", "Acme"]


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("cus_ACME", ["Acme"]),  # a source id
        ("acct-1", ["Acme"]),  # an account key
        ("shared-1", ["Acme"]),  # linked twice, listed once
        ("org-9", ["Beta"]),
        ("cus_acme", []),  # ids match exactly
        ("beta.example", ["Beta"]),  # a domain
        ("BETA.EX", ["Beta"]),  # any case, part of it
        ("yber", ["Cyber"]),  # a name
        ("nobody", []),
    ],
)
def test_search(analyst_client, book, search, names):
    body = analyst_client.get(URL, {"search": search}).json()
    assert [row["name"] for row in body["results"]] == names
    assert body["count"] == len(names)


@pytest.mark.parametrize(
    ("params", "param", "text"),
    [
        ({"order": "bogus"}, "order", "order must be one of name, -name"),
        ({"order": "last_contact"}, "order", "cannot sort by 'last_contact'"),
        ({"stale_days": "0"}, "stale_days", "from 1 to 3650"),
        ({"stale_days": "ten"}, "stale_days", "not “ten”"),
        ({"min_mrr": "-5"}, "min_mrr", "0 or more"),
        ({"min_mrr": "1,000"}, "min_mrr", "not “1,000”"),
        ({"paying": "maybe"}, "paying", "“yes” or “no”"),
    ],
)
def test_bad_values_are_a_400_naming_the_parameter(analyst_client, book, params, param, text):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [param] and text in body[param][0]


def test_query_count_does_not_grow_with_the_page(analyst_client, book, django_assert_num_queries):
    query = {"paying": "yes", "stale_days": "30", "order": "-mrr", "search": "e"}
    # token, count, page, identities, + the LTV basis: settings and the churn counts
    with django_assert_num_queries(6):
        assert _names(analyst_client, **query) == ["Edo", "Acme", "Beta", "Cyber"]
    for n in range(40):
        Customer.objects.create(name=f"Zed {n}", is_paying=True, mrr_minor=100 + n)
    with django_assert_num_queries(6):
        assert len(_names(analyst_client, **query)) == 44  # one page of 50
