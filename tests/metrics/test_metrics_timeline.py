"""Customer timeline and last contact (DESIGN.md §4), on hand-built rows."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from metrics.timeline import (
    KINDS,
    BadTimelineFilter,
    TimelineFilters,
    all_events,
    customer_timeline,
    last_contact,
    timeline_page,
)
from supportops.models import (
    CrmActivity,
    Customer,
    Invoice,
    Opportunity,
    Plan,
    Subscription,
    UsageMonth,
)
from tests.factories import message_create as _message
from tests.factories import ticket_create as _ticket


def at(month, day, hour=0, minute=0):
    return datetime(2025, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def acme(db):
    return Customer.objects.create(name="Acme", domains=["acme.test"])


@pytest.fixture
def everything(acme):
    """One event of every kind for Acme, and a neighbour whose rows must not show."""
    pro = Plan.objects.create(source="stripe", external_id="price_pro", name="Pro")
    ticket = _ticket(
        acme, "101", at(3, 1, 10), at(3, 3, 9), channel="email", subject="Cannot log in"
    )
    _message(ticket, "m1", at(3, 1, 10), role="customer")
    _message(ticket, "m2", at(3, 2, 12))  # agent public reply
    _message(ticket, "m3", at(3, 2, 13), public=False)  # internal note: not a reply
    Subscription.objects.create(
        source="stripe",
        external_id="sub_1",
        customer=acme,
        plan=pro,
        status="canceled",
        mrr_minor=19900,
        started_at=at(1, 15),
        canceled_at=at(4, 10),
    )
    Invoice.objects.create(
        source="stripe",
        external_id="in_paid",
        customer=acme,
        status="paid",
        amount_due_minor=19900,
        amount_paid_minor=19900,
        created_at=at(2, 1),
        paid_at=at(2, 1, 8),
    )
    Invoice.objects.create(
        source="stripe",
        external_id="in_failed",
        customer=acme,
        status="failed",
        amount_due_minor=19900,
        created_at=at(3, 15),
    )
    Invoice.objects.create(  # a draft is not an event
        source="stripe", external_id="in_draft", customer=acme, status="draft", created_at=at(3, 20)
    )
    Opportunity.objects.create(
        source="salesforce",
        external_id="opp_won",
        customer=acme,
        name="Pro upgrade",
        stage="Closed Won",
        amount=Decimal("2388.00"),
        is_closed=True,
        is_won=True,
        created_at=at(1, 5, 9),
        close_date=date(2025, 1, 20),
    )
    Opportunity.objects.create(
        source="salesforce",
        external_id="opp_lost",
        customer=acme,
        name="Enterprise",
        stage="Closed Lost",
        is_closed=True,
        created_at=at(2, 10, 9),
        close_date=date(2025, 2, 20),
    )
    CrmActivity.objects.create(
        source="salesforce",
        external_id="task_1",
        customer=acme,
        kind="task",
        subject="Call about renewal",
        status="Completed",
        occurred_at=at(3, 5),
        created_at=at(3, 4),
    )
    CrmActivity.objects.create(
        source="salesforce",
        external_id="event_1",
        customer=acme,
        kind="event",
        subject="QBR",
        occurred_at=at(3, 6, 15),
        created_at=at(3, 1),
    )
    UsageMonth.objects.create(
        account_id="acct-1", customer=acme, month=date(2025, 2, 1), api_calls=12345, source="usage"
    )

    other = Customer.objects.create(name="Other")
    _message(_ticket(other, "other-1", at(5, 1), subject="Not Acme"), "m9", at(5, 1, 1))
    UsageMonth.objects.create(
        account_id="acct-9", customer=other, month=date(2025, 5, 1), api_calls=1
    )
    return acme


def test_timeline_has_every_event_newest_first(everything, django_assert_num_queries):
    with django_assert_num_queries(1):  # one UNION ALL of every table
        events = customer_timeline(customer_id=everything.id)

    assert [(event.at, event.kind) for event in events] == [
        (at(4, 10), "subscription_canceled"),
        (at(3, 15), "invoice_failed"),
        (at(3, 6, 15), "crm_event"),
        (at(3, 5), "crm_task"),
        (at(3, 3, 9), "ticket_solved"),
        (at(3, 2, 12), "ticket_replied"),
        (at(3, 1, 10), "ticket_opened"),
        (at(2, 20), "opportunity_lost"),
        (at(2, 10, 9), "opportunity_opened"),
        (at(2, 1, 8), "invoice_paid"),
        (at(2, 1), "usage"),
        (at(1, 20), "opportunity_won"),
        (at(1, 15), "subscription_started"),
        (at(1, 5, 9), "opportunity_opened"),
    ]
    assert {event.kind for event in events} == set(KINDS)


def test_timeline_event_content(everything):
    by_kind = {}
    for event in customer_timeline(customer_id=everything.id):
        by_kind.setdefault(event.kind, event)

    opened = by_kind["ticket_opened"]
    assert (opened.source, opened.title) == ("zendesk", "Ticket opened: Cannot log in")
    assert opened.detail == "#101 via email"
    assert by_kind["ticket_replied"].title == "Agent replied: Cannot log in"
    assert by_kind["ticket_solved"].title == "Ticket solved: Cannot log in"
    started = by_kind["subscription_started"]
    assert (started.source, started.title) == ("stripe", "Subscription started: Pro")
    assert "MRR 199.00 USD" in started.detail
    assert by_kind["subscription_canceled"].title == "Subscription canceled: Pro"
    assert by_kind["invoice_paid"].title == "Invoice paid: 199.00 USD"
    assert by_kind["invoice_failed"].title == "Invoice payment failed: 199.00 USD"
    assert by_kind["opportunity_won"].title == "Opportunity won: Pro upgrade"
    assert "2,388.00 USD" in by_kind["opportunity_won"].detail
    assert by_kind["opportunity_lost"].title == "Opportunity lost: Enterprise"
    assert by_kind["crm_task"].title == "Task: Call about renewal"
    assert by_kind["crm_task"].detail == "Completed"
    assert by_kind["crm_event"].title == "Event: QBR"
    assert by_kind["usage"].title == "Usage Feb 2025: 12,345 API calls"
    assert by_kind["usage"].source == "usage"


def test_intercom_threads_are_conversations(acme):
    _ticket(acme, "c1", at(6, 1), source="intercom", channel="chat", subject="Hi")
    (event,) = customer_timeline(customer_id=acme.id)
    assert event.title == "Conversation opened: Hi"
    assert event.detail == "#c1 via chat"


def test_timeline_limit_keeps_the_newest(everything):
    events = customer_timeline(customer_id=everything.id, limit=3)
    assert [event.kind for event in events] == [
        "subscription_canceled",
        "invoice_failed",
        "crm_event",
    ]


def test_date_only_events_start_the_day_in_the_reporting_zone(everything):
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    won = next(
        event
        for event in customer_timeline(customer_id=everything.id, tz=new_york)
        if event.kind == "opportunity_won"
    )
    assert won.at == datetime(2025, 1, 20, 5, tzinfo=UTC)  # midnight in New York (EST)


def test_deleted_rows_are_not_events(acme):
    _ticket(acme, "gone", at(3, 1), is_deleted=True)
    CrmActivity.objects.create(
        source="salesforce",
        external_id="t-gone",
        customer=acme,
        kind="task",
        occurred_at=at(3, 1),
        created_at=at(3, 1),
        is_deleted=True,
    )
    assert customer_timeline(customer_id=acme.id) == []


def test_last_contact_is_the_latest_public_message_either_side(acme):
    email = _ticket(acme, "1", at(3, 1), channel="email")
    chat = _ticket(acme, "c1", at(3, 2), source="intercom", channel="chat")
    _message(email, "a", at(3, 1, 9), role="agent")
    _message(chat, "b", at(3, 4, 16), role="customer")  # the latest public message
    _message(email, "c", at(3, 5), role="agent", public=False)  # internal note: ignored
    _message(chat, "d", at(3, 6), role="system")  # not a person: ignored
    assert last_contact(customer_id=acme.id) == at(3, 4, 16)


def test_last_contact_agent_reply_counts(acme):
    ticket = _ticket(acme, "1", at(3, 1))
    _message(ticket, "a", at(3, 1, 9), role="customer")
    _message(ticket, "b", at(3, 1, 10), role="agent")
    assert last_contact(customer_id=acme.id) == at(3, 1, 10)


def test_no_contact_is_none(acme):
    ticket = _ticket(acme, "1", at(3, 1))
    _message(ticket, "a", at(3, 1, 9), public=False)
    assert last_contact(customer_id=acme.id) is None


# --- pages, ties, filters (tests/timeline_data.py) ----------------------------------------------


@pytest.fixture
def five(db):
    from tests.timeline_data import five_sources

    return five_sources()


def _keys(events):
    return [(event.at, event.source, event.kind) for event in events]


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 7, 12, 500])
def test_pages_concatenate_to_the_whole_timeline(five, page_size):
    from tests.timeline_data import EXPECTED

    pages, number = [], 1
    while True:
        page = timeline_page(customer_id=five.id, page=number, page_size=page_size)
        assert page.count == len(EXPECTED)
        pages.extend(page.events)
        if not page.has_next:
            break
        number += 1
    assert _keys(pages) == EXPECTED
    assert number == -(-len(EXPECTED) // page_size) == page.num_pages


def test_a_page_is_one_query(five, django_assert_num_queries):
    with django_assert_num_queries(1):  # the page, carrying the count (no Intercom event on it)
        page = timeline_page(customer_id=five.id, page=3, page_size=4)
    assert (page.first_index, page.last_index, page.has_previous, page.has_next) == (
        9,
        12,
        True,
        False,
    )


def test_all_events_is_one_query(five, django_assert_num_queries):
    from tests.timeline_data import EXPECTED

    with django_assert_num_queries(2):  # the events, and the Intercom workspace for the link
        events = all_events(customer_id=five.id)
    assert _keys(events) == EXPECTED


def test_filters_leave_out_whole_tables(five, django_assert_num_queries):
    filters = TimelineFilters(kinds=("usage",))
    with django_assert_num_queries(1):
        page = timeline_page(customer_id=five.id, filters=filters, page_size=1)
    assert (page.count, [e.detail for e in page]) == (2, ["account acct-2"])
    nothing = TimelineFilters(sources=("manual",), kinds=("ticket_opened",))
    with django_assert_num_queries(1):  # the first page is empty: no events, no COUNT needed
        assert timeline_page(customer_id=five.id, filters=nothing).count == 0


def test_filters_parse_comma_lists_and_repeats():
    from django.http import QueryDict

    query = QueryDict("source=stripe,%20zendesk&source=stripe&kind=usage")
    assert TimelineFilters.parse(query) == TimelineFilters(("stripe", "zendesk"), ("usage",))
    assert TimelineFilters.parse(QueryDict("source=&kind=")) == TimelineFilters()
    assert TimelineFilters(("stripe", "zendesk"), ("usage",)).query == {
        "source": "stripe,zendesk",
        "kind": "usage",
    }


@pytest.mark.parametrize(
    ("query", "param", "bad"),
    [("source=hubspot", "source", "'hubspot'"), ("kind=usage,replied", "kind", "'replied'")],
)
def test_unknown_filter_values_name_the_parameter(query, param, bad):
    from django.http import QueryDict

    with pytest.raises(BadTimelineFilter) as caught:
        TimelineFilters.parse(QueryDict(query))
    assert caught.value.param == param
    assert bad in str(caught.value) and (
        "zendesk" in str(caught.value) or "usage" in str(caught.value)
    )


@pytest.mark.parametrize(
    ("zone", "day", "expected"),
    [
        ("Europe/Berlin", date(2025, 7, 1), datetime(2025, 6, 30, 22, tzinfo=UTC)),  # CEST
        ("Europe/Berlin", date(2025, 1, 1), datetime(2024, 12, 31, 23, tzinfo=UTC)),  # CET
        ("Europe/Berlin", date(2025, 3, 30), datetime(2025, 3, 29, 23, tzinfo=UTC)),  # DST day
        ("Europe/Berlin", date(2025, 3, 31), datetime(2025, 3, 30, 22, tzinfo=UTC)),
        ("America/New_York", date(2025, 11, 3), datetime(2025, 11, 3, 5, tzinfo=UTC)),
        ("Asia/Kolkata", date(2025, 5, 1), datetime(2025, 4, 30, 18, 30, tzinfo=UTC)),
    ],
)
def test_date_events_start_at_local_midnight_in_the_database(acme, zone, day, expected):
    from zoneinfo import ZoneInfo

    UsageMonth.objects.create(account_id="a", customer=acme, month=day, api_calls=1)
    (event,) = customer_timeline(customer_id=acme.id, tz=ZoneInfo(zone))
    assert event.at == expected


def test_local_midnight_sorts_among_timed_events(acme):
    """In Berlin the February usage month starts 31 Jan 23:00 UTC: after a ticket of 22:30,
    before one of 23:30."""
    from zoneinfo import ZoneInfo

    UsageMonth.objects.create(account_id="a", customer=acme, month=date(2025, 2, 1), api_calls=1)
    _ticket(acme, "early", datetime(2025, 1, 31, 22, 30, tzinfo=UTC))
    _ticket(acme, "late", datetime(2025, 1, 31, 23, 30, tzinfo=UTC))
    events = customer_timeline(customer_id=acme.id, tz=ZoneInfo("Europe/Berlin"))
    assert [event.detail.split()[0] if event.kind != "usage" else "usage" for event in events] == [
        "#late",
        "usage",
        "#early",
    ]


def test_the_page_is_cut_in_the_database(five):
    """Page 2 asks the database for 4 rows after 4, in one UNION ALL; nothing is cut in Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        timeline_page(customer_id=five.id, page=2, page_size=4)
    (page_sql,) = (query["sql"] for query in queries.captured_queries)
    assert "COUNT(*) OVER ()" in page_sql  # the count rides on the page: no second pass
    assert page_sql.count("UNION ALL") == 9  # ten selects, one per kind of event
    assert page_sql.rstrip().endswith("LIMIT 4 OFFSET 4")


def test_a_page_past_the_end_counts_apart(five, django_assert_num_queries):
    """No row carries the count past the end: a COUNT says how many pages there are."""
    from tests.timeline_data import EXPECTED

    with django_assert_num_queries(2):
        page = timeline_page(customer_id=five.id, page=4, page_size=4)
    assert (len(page), page.count, page.num_pages, page.has_next) == (0, len(EXPECTED), 3, False)
    assert (page.first_index, page.last_index) == (0, 12)


def test_the_compiled_union_serves_every_customer_its_own_events(five):
    """The SQL is compiled once for a stand-in id (metrics/timeline_sql.py): each customer's
    page must still hold only that customer's events, and the right count."""
    from tests.timeline_data import EXPECTED

    other = Customer.objects.create(name="Other")
    _ticket(other, "other-1", datetime(2025, 5, 1, 8, tzinfo=UTC), subject="Hello")
    first = timeline_page(customer_id=five.id, page_size=3)
    mine = timeline_page(customer_id=other.id, page_size=3)
    again = timeline_page(customer_id=five.id, page_size=3)
    assert (first.count, _keys(first)) == (len(EXPECTED), EXPECTED[:3])
    assert (mine.count, [e.title for e in mine]) == (1, ["Ticket opened: Hello"])
    assert _keys(again) == _keys(first)
    assert timeline_page(customer_id=other.id + 1000).count == 0
