"""Customers pages: the list (search, sort, pages), one customer, and unlinked records."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.customer_query import BadSort, CustomerFilters
from metrics.customers import PAGE_SIZE, customer_list
from supportops.contact import customer_contact_refresh
from supportops.models import (
    Customer,
    CustomerIdentity,
    Invoice,
    Plan,
    Subscription,
    UsageMonth,
)
from tests.factories import message_create as _message
from tests.factories import ticket_create as _ticket

from .conftest import PASSWORD

NOW = datetime(2025, 6, 30, 12, tzinfo=UTC)


@pytest.fixture
def book(db):
    """Acme pays 199.00 a month; Globex is free. Tickets are placed around NOW by hand."""
    pro = Plan.objects.create(source="stripe", external_id="price_pro", name="Pro")
    acme = Customer.objects.create(
        name="Acme",
        domains=["acme.test"],
        plan=pro,
        is_paying=True,
        is_enterprise=True,
        mrr_minor=19900,
        currency="usd",
    )
    globex = Customer.objects.create(name="Globex", domains=["globex.test"])
    CustomerIdentity.objects.create(source="zendesk", external_id="org-7", customer=acme)
    CustomerIdentity.objects.create(source="stripe", external_id="cus_ACME", customer=acme)
    CustomerIdentity.objects.create(
        source="stripe", external_id="cus_OLD", customer=acme, is_deleted=True
    )
    CustomerIdentity.objects.create(source="intercom", external_id="co-1", customer=globex)

    # Acme, last 90 days before NOW: 3 tickets (89 days ago, yesterday, an hour ago);
    # not counted: 91 days ago, a deleted one, one after NOW.
    for n, age in enumerate([timedelta(days=89), timedelta(days=1), timedelta(hours=1)]):
        _ticket(acme, f"a{n}", NOW - age)
    _ticket(acme, "old", NOW - timedelta(days=91))
    _ticket(acme, "deleted", NOW - timedelta(days=2), is_deleted=True)
    _ticket(acme, "future", NOW + timedelta(hours=1))
    # Globex: 1 ticket; its last public message beats its internal note.
    chat = _ticket(globex, "g1", NOW - timedelta(days=5), source="intercom", channel="chat")
    _message(chat, "g-m1", NOW - timedelta(days=5), role="customer")
    _message(chat, "g-m2", NOW - timedelta(days=4), role="agent")
    _message(chat, "g-m3", NOW - timedelta(days=3), role="agent", public=False)
    customer_contact_refresh()  # as a sync does once the tickets are in
    return {"acme": acme, "globex": globex}


# --- the metric, with a fixed `now` ----------------------------------------------------------


def test_customer_list_figures(book):
    page = customer_list(now=NOW)
    acme, globex = page.rows
    assert (acme.name, globex.name) == ("Acme", "Globex")
    assert str(acme.mrr) == "199.00" and acme.currency == "USD"
    assert (acme.plan, acme.is_paying, acme.is_enterprise) == ("Pro", True, True)
    assert acme.recent_tickets == 3
    assert acme.last_contact_at is None
    assert [s.label for s in acme.sources] == ["Zendesk", "Stripe"]  # the deleted link is gone
    assert (acme.coverage.summary, acme.coverage.missing) == ("No Intercom", ("Intercom",))
    assert (globex.plan, globex.is_paying, str(globex.mrr)) == (None, False, "0.00")
    assert globex.recent_tickets == 1
    assert globex.last_contact_at == NOW - timedelta(days=4)  # not the later internal note
    assert [s.label for s in globex.sources] == ["Intercom"]
    assert globex.coverage.summary == "Only Intercom"  # 1 linked of 3 in use
    assert (page.count, page.number, page.num_pages, page.unmatched_count) == (2, 1, 1, 0)


@pytest.mark.parametrize(
    ("sort", "names"),
    [
        ("name", ["Acme", "Globex"]),
        ("-name", ["Globex", "Acme"]),
        ("mrr", ["Globex", "Acme"]),
        ("-mrr", ["Acme", "Globex"]),
        ("tickets", ["Globex", "Acme"]),
        ("-tickets", ["Acme", "Globex"]),
        ("-last_contact", ["Globex", "Acme"]),  # never contacted goes last
        ("last_contact", ["Acme", "Globex"]),
    ],
)
def test_customer_list_sorts(book, sort, names):
    assert [row.name for row in customer_list(now=NOW, sort=sort).rows] == names


def test_customer_list_unknown_sort(book):
    with pytest.raises(BadSort, match="cannot sort by 'mrr;drop'"):
        customer_list(now=NOW, sort="mrr;drop")


@pytest.mark.parametrize(
    ("search", "names"),
    [
        ("acm", ["Acme"]),  # name, any case
        ("GLOBEX.TEST", ["Globex"]),  # domain
        ("cus_ACME", ["Acme"]),  # a source id
        ("co-1", ["Globex"]),
        ("cus_OLD", ["Acme"]),  # a retired id still finds its customer
        ("nobody", []),
        ("  ", ["Acme", "Globex"]),
    ],
)
def test_customer_list_search(book, search, names):
    page = customer_list(now=NOW, filters=CustomerFilters(search=search.strip()))
    assert [row.name for row in page.rows] == names


# --- the pages -------------------------------------------------------------------------------


def test_urls():
    assert reverse("customers") == "/customers/"
    assert reverse("customer-detail", args=[7]) == "/customers/7/"
    assert reverse("customers-unmatched") == "/customers/unmatched/"


@pytest.mark.parametrize("url", ["/customers/", "/customers/1/", "/customers/unmatched/"])
def test_anonymous_is_sent_to_sign_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_list_page(signed_in, book):
    now = timezone.now()
    _ticket(book["acme"], "recent", now - timedelta(days=10))
    _ticket(book["acme"], "stale", now - timedelta(days=120))
    response = signed_in.get("/customers/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Acme" in html and "Globex" in html
    assert "199.00" in html and "USD" in html
    assert "Enterprise" in html and "Paying" in html and "Free" in html
    assert f'href="{reverse("customer-detail", args=[book["acme"].id])}"' in html
    assert "No Intercom" in html and "Only Intercom" in html  # sources, compactly
    assert "badge-source" not in html
    acme = response.context["page"].rows[0]
    assert acme.name == "Acme" and acme.recent_tickets == 1  # relative to the real clock
    assert 'aria-current="page"' in html and 'href="/customers/"' in html  # nav item


def test_list_sort_links_keep_the_search(signed_in, book):
    html = signed_in.get("/customers/", {"search": "acme", "sort": "-mrr"}).content.decode()
    assert 'aria-sort="descending"' in html
    assert "?search=acme&amp;sort=mrr" in html  # the MRR header flips the direction
    assert "?search=acme&amp;sort=-tickets" in html


@pytest.mark.parametrize("sort", ["bogus", "mrr desc", "id"])
def test_unknown_sort_is_a_clear_400(signed_in, book, sort):
    response = signed_in.get("/customers/", {"sort": sort})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot sort the customers" in html
    assert 'role="alert"' in html


def test_search_page(signed_in, book):
    response = signed_in.get("/customers/", {"search": "cus_ACME"})
    assert [row.name for row in response.context["page"].rows] == ["Acme"]
    html = response.content.decode()
    assert 'value="cus_ACME"' in html and "1 customer matching" in html


def test_pagination(signed_in, db):
    Customer.objects.bulk_create(Customer(name=f"Customer {n:03d}") for n in range(PAGE_SIZE + 3))
    first = signed_in.get("/customers/")
    assert len(first.context["page"].rows) == PAGE_SIZE
    assert "Page 1 of 2" in first.content.decode() and "?page=2" in first.content.decode()
    second = signed_in.get("/customers/", {"page": 2})
    assert [row.name for row in second.context["page"].rows] == [
        "Customer 050",
        "Customer 051",
        "Customer 052",
    ]
    assert signed_in.get("/customers/", {"page": "nope"}).context["page"].number == 1
    assert signed_in.get("/customers/", {"page": 99}).context["page"].number == 2


def test_list_query_budget(signed_in, db, django_assert_max_num_queries):
    plan = Plan.objects.create(source="stripe", external_id="p", name="Pro")
    for n in range(30):
        customer = Customer.objects.create(name=f"C{n}", plan=plan, mrr_minor=100)
        CustomerIdentity.objects.create(source="zendesk", external_id=f"o{n}", customer=customer)
        CustomerIdentity.objects.create(source="stripe", external_id=f"s{n}", customer=customer)
        ticket = _ticket(customer, f"t{n}", timezone.now() - timedelta(days=1))
        _message(ticket, f"m{n}", timezone.now() - timedelta(hours=1), role="customer")
    # session, user, the frame's data freshness, the cache key (settings, data version), plans, count, page, identities of the page,
    # link counts per source
    with django_assert_max_num_queries(10):
        assert signed_in.get("/customers/", {"sort": "-last_contact"}).status_code == 200


def test_unmatched_link_and_page(signed_in, book, client, django_user_model):
    CustomerIdentity.objects.create(
        source="usage", external_id="acct-42", name="Mystery Co", domains=["mystery.test"]
    )
    CustomerIdentity.objects.create(source="usage", external_id="acct-gone", is_deleted=True)
    html = signed_in.get("/customers/").content.decode()
    assert "1 source record not linked to any customer" in html
    assert 'href="/customers/unmatched/"' in html

    page = signed_in.get("/customers/unmatched/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Product usage" in html and "acct-42" in html and "Mystery Co" in html
    assert "mystery.test" in html and "no shared id and no known email domain" in html
    assert "acct-gone" not in html
    assert "Django admin" in html
    assert "customer__isempty=1" not in html  # not staff

    staff = django_user_model.objects.create_user("boss", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    html = client.get("/customers/unmatched/").content.decode()
    assert 'href="/admin/supportops/customeridentity/?customer__isempty=1"' in html


def test_no_unmatched_link_when_all_are_linked(signed_in, book):
    assert "not linked to any customer" not in signed_in.get("/customers/").content.decode()


# --- one customer ----------------------------------------------------------------------------


@pytest.fixture
def acme_history(book):
    """A few months of Acme relative to the real clock (the view reads it)."""
    acme = book["acme"]
    now = timezone.now()
    this_month = date(now.year, now.month, 1)
    UsageMonth.objects.create(account_id="acct-1", customer=acme, month=this_month, api_calls=4321)
    ticket = _ticket(acme, "recent", now - timedelta(minutes=30), channel="web", subject="Help")
    _message(ticket, "r1", now - timedelta(minutes=20), role="agent")
    _message(ticket, "r2", now - timedelta(minutes=10), role="agent", public=False)
    Subscription.objects.create(
        source="stripe",
        external_id="sub_1",
        customer=acme,
        status="active",
        mrr_minor=19900,
        started_at=now - timedelta(days=40),
    )
    Invoice.objects.create(
        source="stripe",
        external_id="in_1",
        customer=acme,
        status="paid",
        amount_due_minor=19900,
        amount_paid_minor=19900,
        created_at=now - timedelta(days=40),
        paid_at=now - timedelta(days=40),
    )
    customer_contact_refresh()  # as a sync does
    return acme, ticket, now


def test_detail_page(signed_in, acme_history):
    acme, ticket, now = acme_history
    response = signed_in.get(f"/customers/{acme.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Acme" in html and "acme.test" in html
    assert "Pro" in html and "199.00" in html and "Enterprise" in html
    assert "cus_ACME" in html and "org-7" in html and "cus_OLD" not in html
    detail = response.context["detail"]
    assert detail.customer.last_contact_at == now - timedelta(minutes=20)  # not the note
    assert detail.timeline[0].kind == "ticket_replied"
    assert "Agent replied: Help" in html and "Ticket opened: Help" in html
    assert "Invoice paid: 199.00 USD" in html and "Subscription started" in html
    # the chart: 12 months, the last one holds this month's usage and ticket
    assert len(detail.months) == 12
    assert (detail.months[-1].api_calls, detail.months[-1].tickets) == (4321, 1)
    assert 'id="customer-activity-figure"' in html
    assert '<script src="/static/vendor/plotly.min.js"></script>' in html
    chart = response.context["chart"]
    assert [trace["name"] for trace in chart["data"]] == ["Tickets", "API calls"]
    assert chart["data"][1]["y"][-1] == 4321


def test_detail_unknown_customer_is_404(signed_in, db):
    assert signed_in.get("/customers/999999/").status_code == 404


def test_detail_query_budget(signed_in, acme_history, django_assert_max_num_queries):
    acme = acme_history[0]
    # session, user, the frame's data freshness, customer (+plan, counts), identities,
    # settings, the LTV churn counts, tickets per month, usage per month, the support cost to
    # date, and the timeline's 7 tables
    with django_assert_max_num_queries(17):
        assert signed_in.get(f"/customers/{acme.id}/").status_code == 200
