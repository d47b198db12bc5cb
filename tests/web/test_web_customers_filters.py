"""Customers list filters (plan, paying, enterprise, no contact for N days, minimum MRR),
the compact sources column, and the CSV of the filtered list."""

import csv
import io
import re
from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.utils import timezone

from metrics.customer_query import BadFilter, CustomerFilters
from metrics.customers import PAGE_SIZE, SourceCoverage, customer_list
from supportops.contact import customer_contact_refresh
from supportops.models import Customer, CustomerIdentity, Plan
from tests.factories import message_create as _message
from tests.factories import ticket_create as _ticket

HEADER = (
    "id,name,domains,plan,paying,enterprise,mrr,currency,tickets,tickets_90_days,last_contact_at,"
    "sources"
)


def _contact(customer, age, now, *, role="customer", public=True):
    ticket = _ticket(customer, f"t-{customer.name}-{age.days}-{public}", now - age - timedelta(1))
    _message(ticket, f"m-{customer.name}-{age.days}-{public}", now - age, role=role, public=public)


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def book(db, now):
    """Six customers; last contacts are far from the 7/30/90-day edges, relative to the clock.

    name   plan            paying enterprise  MRR          last contact   linked to
    Acme   Pro (monthly)   yes    yes         199.00 USD   5 days ago     zendesk intercom stripe
    Beta   Pro (yearly)    yes    no           49.00 USD   40 days ago    zendesk stripe
    Cyber  Basic           yes    no           10.00 USD   100 days ago   zendesk
    Dyna   —               no     no            0.00 USD   never          intercom
    Edo    Enterprise JP   yes    yes          50000 JPY   2 days ago     stripe zendesk
    Fern   Basic           no     no            0.00 USD   10 days ago    nothing
    """
    pro = Plan.objects.create(source="stripe", external_id="price_pro_m", name="Pro")
    pro_yearly = Plan.objects.create(source="stripe", external_id="price_pro_y", name="Pro")
    basic = Plan.objects.create(source="stripe", external_id="price_basic", name="Basic")
    jp = Plan.objects.create(source="stripe", external_id="price_jp", name="Enterprise JP")
    Plan.objects.create(source="stripe", external_id="price_legacy", name="Legacy")  # nobody

    def make(name, domain, plan, paying, enterprise, mrr_minor, currency="usd"):
        return Customer.objects.create(
            name=name,
            domains=[domain],
            plan=plan,
            is_paying=paying,
            is_enterprise=enterprise,
            mrr_minor=mrr_minor,
            currency=currency,
        )

    c = {
        "Acme": make("Acme", "acme.test", pro, True, True, 19900),
        "Beta": make("Beta", "beta.test", pro_yearly, True, False, 4900),
        "Cyber": make("Cyber", "cyber.example", basic, True, False, 1000),
        "Dyna": make("Dyna", "dyna.test", None, False, False, 0),
        "Edo": make("Edo", "edo.jp", jp, True, True, 50000, "jpy"),
        "Fern": make("Fern", "fern.example", basic, False, False, 0),
    }
    links = {
        "Acme": ["zendesk", "intercom", "stripe"],
        "Beta": ["zendesk", "stripe"],
        "Cyber": ["zendesk"],
        "Dyna": ["intercom"],
        "Edo": ["stripe", "zendesk"],
    }
    for name, sources in links.items():
        for source in sources:
            CustomerIdentity.objects.create(
                source=source, external_id=f"{source}-{name}", customer=c[name]
            )
    # None of these make a system "missing" for anyone: a retired link, an admin's manual
    # record, a Salesforce account nobody is linked to.
    CustomerIdentity.objects.create(
        source="salesforce", external_id="sf-old", customer=c["Fern"], is_deleted=True
    )
    CustomerIdentity.objects.create(source="manual", external_id="note-1", customer=c["Acme"])
    CustomerIdentity.objects.create(source="salesforce", external_id="sf-orphan")

    for name, days in [("Acme", 5), ("Beta", 40), ("Cyber", 100), ("Edo", 2), ("Fern", 10)]:
        _contact(c[name], timedelta(days=days), now)
    # Fern's internal note yesterday is no contact.
    _contact(c["Fern"], timedelta(days=1), now, role="agent", public=False)
    customer_contact_refresh()  # as a sync does once the tickets are in
    return c


def _names(now, sort="name", **filters):
    page = customer_list(now=now, filters=CustomerFilters(**filters), sort=sort)
    return [row.name for row in page.rows]


# --- parsing ---------------------------------------------------------------------------------


def test_parse_reads_every_filter():
    query = QueryDict(
        "search=+acme+&plan=Pro&paying=yes&enterprise=no&stale_days=+30&min_mrr=99.50&page=2"
    )
    assert CustomerFilters.parse(query) == CustomerFilters(
        search="acme",
        plan="Pro",
        paying=True,
        enterprise=False,
        stale_days=30,
        min_mrr=Decimal("99.50"),
    )


def test_parse_empty_values_mean_any():
    query = QueryDict("search=&plan=&paying=&enterprise=&stale_days=&min_mrr=")
    assert CustomerFilters.parse(query) == CustomerFilters()
    assert CustomerFilters.parse({}) == CustomerFilters()


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("paying", "maybe"),
        ("paying", "true"),
        ("enterprise", "1"),
        ("stale_days", "abc"),
        ("stale_days", "0"),
        ("stale_days", "-3"),
        ("stale_days", "1.5"),
        ("stale_days", "3651"),
        ("stale_days", "9" * 5000),
        ("stale_days", "٣"),  # an Arabic-Indic digit is not a number of days here
        ("min_mrr", "-5"),
        ("min_mrr", "abc"),
        ("min_mrr", "1e3"),
        ("min_mrr", "NaN"),
        ("min_mrr", "1,000"),
        ("min_mrr", "1000000000001"),
        ("min_mrr", "9" * 5000),
    ],
)
def test_parse_refuses_bad_values(param, value):
    with pytest.raises(BadFilter, match=param) as caught:
        CustomerFilters.parse({param: value})
    assert caught.value.param == param
    assert f"“{value}”" in str(caught.value)


@pytest.mark.parametrize("value", ["1", "3650"])
def test_parse_stale_days_bounds(value):
    assert CustomerFilters.parse({"stale_days": value}).stale_days == int(value)


@pytest.mark.parametrize(("value", "amount"), [("0", "0"), (".5", "0.5"), ("12.", "12")])
def test_parse_min_mrr_forms(value, amount):
    assert CustomerFilters.parse({"min_mrr": value}).min_mrr == Decimal(amount)


# --- each filter alone, then combined --------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({}, ["Acme", "Beta", "Cyber", "Dyna", "Edo", "Fern"]),
        ({"plan": "Pro"}, ["Acme", "Beta"]),  # both prices called Pro
        ({"plan": "Basic"}, ["Cyber", "Fern"]),
        ({"plan": "none"}, ["Dyna"]),
        ({"plan": "Legacy"}, []),  # a plan nobody is on
        ({"paying": True}, ["Acme", "Beta", "Cyber", "Edo"]),
        ({"paying": False}, ["Dyna", "Fern"]),
        ({"enterprise": True}, ["Acme", "Edo"]),
        ({"enterprise": False}, ["Beta", "Cyber", "Dyna", "Fern"]),
        ({"stale_days": 7}, ["Beta", "Cyber", "Dyna", "Fern"]),  # Fern's note is not contact
        ({"stale_days": 30}, ["Beta", "Cyber", "Dyna"]),  # never contacted counts
        ({"stale_days": 90}, ["Cyber", "Dyna"]),
        ({"stale_days": 3650}, ["Dyna"]),
        ({"min_mrr": Decimal("0")}, ["Acme", "Beta", "Cyber", "Dyna", "Edo", "Fern"]),
        ({"min_mrr": Decimal("49")}, ["Acme", "Beta", "Edo"]),  # 49.00 is at least 49
        ({"min_mrr": Decimal("48.995")}, ["Acme", "Beta", "Edo"]),  # rounds up to 49.00
        ({"min_mrr": Decimal("49.01")}, ["Acme", "Edo"]),
        ({"min_mrr": Decimal("50000")}, ["Edo"]),  # yen have no minor unit
        ({"min_mrr": Decimal("50000.5")}, []),
    ],
)
def test_each_filter(book, now, filters, names):
    assert _names(now, **filters) == names


@pytest.mark.parametrize(
    ("filters", "names"),
    [
        ({"paying": True, "enterprise": False, "min_mrr": Decimal("20")}, ["Beta"]),
        ({"plan": "Pro", "stale_days": 30}, ["Beta"]),
        ({"plan": "Basic", "paying": True}, ["Cyber"]),
        ({"search": "example", "paying": False}, ["Fern"]),
        ({"search": "test", "stale_days": 30}, ["Beta", "Dyna"]),
        ({"enterprise": True, "stale_days": 3}, ["Acme"]),
        ({"paying": False, "min_mrr": Decimal("1")}, []),
    ],
)
def test_filters_combined(book, now, filters, names):
    assert _names(now, **filters) == names


def test_filters_with_a_sort(book, now):
    # MRR sorts by stored minor units, as before (50000 JPY above 199.00 USD)
    assert _names(now, sort="-mrr", paying=True) == ["Edo", "Acme", "Beta", "Cyber"]
    assert _names(now, sort="-last_contact", stale_days=7) == ["Fern", "Beta", "Cyber", "Dyna"]


def test_unknown_plan_is_refused(book, now):
    with pytest.raises(BadFilter, match="no plan called “Gold”") as caught:
        customer_list(now=now, filters=CustomerFilters(plan="Gold"))
    assert caught.value.param == "plan"


def test_plan_choices_are_the_plans_customers_are_on(book, now):
    assert customer_list(now=now).plans == ("Basic", "Enterprise JP", "Pro")
    chosen = customer_list(now=now, filters=CustomerFilters(plan="Legacy"))
    assert chosen.plans == ("Basic", "Enterprise JP", "Legacy", "Pro")  # the chosen one stays


def test_list_metric_query_count(book, now, django_assert_num_queries):
    filters = CustomerFilters(plan="Pro", paying=True, stale_days=3, min_mrr=Decimal("1"))
    # plans, count, page, the page's source records, link counts per source
    with django_assert_num_queries(5):
        page = customer_list(now=now, filters=filters, sort="-mrr")
    assert [row.name for row in page.rows] == ["Acme", "Beta"]


# --- the sources column ----------------------------------------------------------------------


def test_sources_show_only_what_is_missing(book, now):
    page = customer_list(now=now)
    summaries = {row.name: row.coverage.summary for row in page.rows}
    assert summaries == {
        "Acme": "All linked",
        "Beta": "No Intercom",
        "Cyber": "Only Zendesk",
        "Dyna": "Only Intercom",
        "Edo": "No Intercom",
        "Fern": "None linked",
    }
    beta = next(row for row in page.rows if row.name == "Beta")
    assert beta.coverage.detail == "Linked: Zendesk, Stripe. Not linked: Intercom"
    assert page.unmatched_count == 1  # the Salesforce account nobody is linked to


@pytest.mark.parametrize(
    ("linked", "missing", "summary"),
    [
        (
            ("Zendesk", "Intercom", "Product usage"),
            ("Stripe", "Salesforce"),
            "No Stripe or Salesforce",
        ),
        (
            ("Zendesk", "Intercom"),
            ("Stripe", "Salesforce", "Product usage"),
            "Only Zendesk and Intercom",
        ),
        (("Zendesk",), ("Stripe",), "No Stripe"),
        (("Zendesk", "Stripe"), (), "All linked"),
        ((), ("Zendesk",), "None linked"),
    ],
)
def test_coverage_summary(linked, missing, summary):
    assert SourceCoverage(linked=linked, missing=missing).summary == summary


# --- the page --------------------------------------------------------------------------------


def test_page_filters_and_keeps_them(signed_in, book):
    query = {"plan": "Pro", "paying": "yes", "stale_days": "30", "min_mrr": "20", "sort": "-mrr"}
    response = signed_in.get("/customers/", query)
    assert response.status_code == 200
    assert [row.name for row in response.context["page"].rows] == ["Beta"]
    html = response.content.decode()
    assert "1 customer with these filters" in html
    assert '<option value="Pro" selected>Pro</option>' in html
    assert '<option value="yes" selected>Paying</option>' in html
    assert 'name="stale_days" value="30"' in html and 'name="min_mrr" value="20"' in html
    assert '<input type="hidden" name="sort" value="-mrr">' in html
    assert "Legacy" not in html  # nobody is on it
    # sort links and the CSV carry the filters
    assert 'href="?plan=Pro&amp;paying=yes&amp;stale_days=30&amp;min_mrr=20&amp;sort=mrr"' in html
    assert (
        'href="/customers/export.csv?plan=Pro&amp;paying=yes&amp;stale_days=30&amp;min_mrr=20'
        '&amp;sort=-mrr"' in html
    )
    assert 'href="/customers/">Clear</a>' in html


def test_page_sources_column(signed_in, book):
    html = signed_in.get("/customers/").content.decode()
    # A fully linked customer shows nothing (but tells a screen reader); only gaps show.
    assert '<span class="visually-hidden">All linked</span>' in html
    assert ">No Intercom</span>" in html and ">None linked</span>" in html
    assert "badge-source" not in html


def test_page_with_no_match(signed_in, book):
    response = signed_in.get("/customers/", {"enterprise": "yes", "min_mrr": "100000"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "No customers match with these filters." in html
    assert "Download CSV" not in html


@pytest.mark.parametrize(
    ("query", "message", "kept"),
    [
        ({"stale_days": "abc"}, "stale_days must be a whole number of days from 1 to 3650", 'value="abc"'),
        ({"stale_days": "0"}, "stale_days must be a whole number", 'value="0"'),
        ({"min_mrr": "-5"}, "min_mrr must be an amount of 0 or more", 'value="-5"'),
        ({"paying": "maybe"}, "paying must be “yes” or “no”, not “maybe”", '<option value="maybe" selected>maybe (unknown)</option>'),
        ({"enterprise": "TRUE"}, "enterprise must be “yes” or “no”", '<option value="TRUE" selected>TRUE (unknown)</option>'),
        ({"plan": "Gold"}, "there is no plan called “Gold”", '<option value="Gold" selected>Gold (unknown)</option>'),
    ],
)  # fmt: skip
def test_bad_filter_is_a_clear_400(signed_in, book, query, message, kept):
    response = signed_in.get("/customers/", {"search": "acme", **query})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Cannot filter the customers: " in html
    assert message in html
    assert kept in html and 'value="acme"' in html  # the form keeps what was typed
    (param,) = query
    assert re.search(f'name="{param}"[^>]* aria-invalid="true"', html)  # the field at fault
    assert html.count('aria-invalid="true"') == 1
    assert "customers-table" not in html


def test_anonymous_csv_is_sent_to_sign_in(client, db):
    response = client.get("/customers/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


# --- the CSV ---------------------------------------------------------------------------------


def _csv(response):
    assert response.status_code == 200
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return text, list(csv.reader(io.StringIO(text)))


def test_csv_header_and_values(signed_in, book, now):
    response = signed_in.get("/customers/export.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    day = timezone.now().astimezone(UTC).date()
    assert response["Content-Disposition"] == f'attachment; filename="customers-{day}.csv"'
    text, rows = _csv(response)
    assert text.splitlines()[0] == HEADER
    by_name = {row[1]: row for row in rows[1:]}
    acme, dyna, edo = by_name["Acme"], by_name["Dyna"], by_name["Edo"]
    contact = (now - timedelta(days=5)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert acme == [
        str(book["Acme"].id),
        "Acme",
        "acme.test",
        "Pro",
        "yes",
        "yes",
        "199.00",
        "USD",
        "1",  # all time
        "1",  # in the last 90 days
        contact,
        "zendesk;intercom;stripe;manual",  # in Source order; an admin's record is one too
    ]
    assert dyna[3:12] == ["", "no", "no", "0.00", "USD", "0", "0", "", "intercom"]
    assert (edo[6], edo[7], edo[11]) == ("50000", "JPY", "zendesk;stripe")


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"plan": "Pro"},
        {"paying": "yes", "sort": "-mrr"},
        {"stale_days": "7", "sort": "-last_contact"},
        {"enterprise": "no", "min_mrr": "5", "sort": "tickets"},
        {"search": "test", "plan": "none"},
    ],
)
def test_csv_rows_are_the_filtered_list(signed_in, book, query):
    listed = [row.id for row in signed_in.get("/customers/", query).context["page"].rows]
    _, rows = _csv(signed_in.get("/customers/export.csv", query))
    assert [int(row[0]) for row in rows[1:]] == listed


def test_csv_has_every_page(signed_in, db):
    Customer.objects.bulk_create(Customer(name=f"Customer {n:03d}") for n in range(PAGE_SIZE + 3))
    _, rows = _csv(signed_in.get("/customers/export.csv", {"page": "2"}))
    assert len(rows) == 1 + PAGE_SIZE + 3
    assert rows[-1][1] == f"Customer {PAGE_SIZE + 2:03d}"


def test_csv_query_count(signed_in, book, monkeypatch, django_assert_num_queries):
    monkeypatch.setattr("metrics.customers.CSV_CHUNK_SIZE", 4)
    # session, user, the rows, then the source records of each chunk of 4 (6 customers: 2)
    with django_assert_num_queries(5):
        _, rows = _csv(signed_in.get("/customers/export.csv", {"sort": "-tickets"}))
    assert len(rows) == 7
    # a named plan is checked first
    with django_assert_num_queries(5):
        _, rows = _csv(signed_in.get("/customers/export.csv", {"plan": "Basic"}))
    assert [row[1] for row in rows[1:]] == ["Cyber", "Fern"]


@pytest.mark.parametrize(
    ("name", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 Corp", "'+1 Corp"),
        ("-Minus", "'-Minus"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTabbed", "'\tTabbed"),
        ("Plain = Co", "Plain = Co"),
    ],
)
def test_csv_escapes_formulas(signed_in, db, name, cell):
    plan = Plan.objects.create(source="stripe", external_id="p", name="=cmd|' /C calc'!A0")
    Customer.objects.create(name=name, domains=["a.test", "b.test"], plan=plan)
    _, rows = _csv(signed_in.get("/customers/export.csv"))
    assert rows[1][1:4] == [cell, "a.test;b.test", "'=cmd|' /C calc'!A0"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"stale_days": "abc"}, "stale_days must be a whole number"),
        ({"plan": "Gold"}, "there is no plan called “Gold”"),
        ({"sort": "bogus"}, "Cannot sort the customers"),
    ],
)
def test_csv_bad_filter_is_a_400(signed_in, book, query, message):
    response = signed_in.get("/customers/export.csv", query)
    assert response.status_code == 400
    assert message in response.content.decode()


# --- the stale high-value accounts view and the kept columns ----------------------------------


def test_stale_preset_link_and_view(signed_in, book, django_assert_num_queries):
    html = signed_in.get("/customers/").content.decode()
    assert 'href="/customers/?paying=yes&amp;stale_days=60&amp;sort=-mrr"' in html
    assert "Stale high-value accounts:" not in html
    # session, user, the frame's data freshness, the cache key (settings, data version), plans, count, page, identities, link counts
    with django_assert_num_queries(10):
        response = signed_in.get(
            "/customers/", {"paying": "yes", "stale_days": "60", "sort": "-mrr"}
        )
    # paying and no public contact in 60 days: Cyber (100 days); Beta's 40 days is too recent
    assert [row.name for row in response.context["page"].rows] == ["Cyber"]
    html = response.content.decode()
    assert "Stale high-value accounts:</strong>" in html and "in the last 60 days" in html
    assert 'aria-current="page">Stale high-value accounts' in html
    # the days are the URL's: 30 adds Beta, highest MRR first
    response = signed_in.get("/customers/", {"paying": "yes", "stale_days": "30", "sort": "-mrr"})
    assert [row.name for row in response.context["page"].rows] == ["Beta", "Cyber"]
    assert "in the last 30 days" in response.content.decode()


def test_tickets_column_and_sort_are_the_kept_all_time_count(signed_in, book, now):
    # Fern: two tickets (a contact and an internal note); Dyna none; every other one
    assert _names(now, sort="-tickets") == ["Fern", "Acme", "Beta", "Cyber", "Edo", "Dyna"]
    assert _names(now, sort="tickets") == ["Dyna", "Acme", "Beta", "Cyber", "Edo", "Fern"]
    html = signed_in.get("/customers/", {"sort": "-tickets"}).content.decode()
    assert 'title="Tickets not deleted, all time' in html
    assert '<td class="num tickets-cell">2<span class="recent-tickets muted"' in html
    assert ">2 in 90 d</span>" in html


def test_query_count_does_not_grow_with_the_page(signed_in, book, django_assert_num_queries):
    query = {"sort": "last_contact", "stale_days": "7", "search": "e"}
    with django_assert_num_queries(10):
        assert signed_in.get("/customers/", query).status_code == 200
    for n in range(60):
        customer = Customer.objects.create(name=f"Zed {n}")
        CustomerIdentity.objects.create(source="zendesk", external_id=f"z{n}", customer=customer)
    with django_assert_num_queries(10):
        page = signed_in.get("/customers/", query).context["page"]
    assert (len(page.rows), page.count) == (PAGE_SIZE, 64)  # Beta, Cyber, Dyna, Fern + 60
