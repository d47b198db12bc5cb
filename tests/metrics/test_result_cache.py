"""Dashboards and their API endpoints from the result cache (metrics/result_cache.py,
metrics/cached.py): a second view is served from it, page and endpoint share one entry, and a
cost input changing or a sync finishing is seen at once.

The hand-worked company: reporting in UTC, a 300.00-a-month tool since 2015, three tickets in
March 2016 (one agent reply on the first). March's team cost is 300.00 and its cost per ticket
300.00 / 3 = 100.00, per reply 300.00 / 1 = 300.00. A member on 12,000 a year (1,000.00 a
month, full time since 2010) makes the team cost 1,300.00: 433.33 a ticket; the salary raised
to 24,000 makes it 2,300.00: 766.67 a ticket.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from metrics.cached import cost_page_cached, dashboards_warm
from metrics.cost_page import cost_page
from metrics.periods import Month
from supportops.models import Expense, MetricSettings, TeamMember
from tests.auth_tokens import token_client

LOCAL = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
MARCH = Month(2016, 3)
COST_API = "/api/v1/metrics/cost/"
PAGE_AUTH = 2  # the page's session and user
FRAME = 1  # the frame's data freshness
API_AUTH = 1  # the token and its user, one query
KEY = 2  # the cache key: settings, data version


@pytest.fixture
def local_cache():
    with override_settings(CACHES=LOCAL):
        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def march(reporting, expense, ticket, message, local_cache):
    expense("300.00", start=date(2015, 1, 1))
    first = ticket(datetime(2016, 3, 2, 9, tzinfo=UTC), datetime(2016, 3, 2, 10, tzinfo=UTC))
    ticket(datetime(2016, 3, 10, 9, tzinfo=UTC), datetime(2016, 3, 11, 9, tzinfo=UTC))
    ticket(datetime(2016, 3, 20, 9, tzinfo=UTC), datetime(2016, 3, 20, 21, tzinfo=UTC))
    message(datetime(2016, 3, 2, 9, 30, tzinfo=UTC), ticket=first, role="agent")


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user("viewer", password="correct horse battery")


@pytest.fixture
def page(client, viewer):
    MetricSettings.load()
    client.force_login(viewer)
    return client


@pytest.fixture
def api(viewer):
    return token_client(viewer)


def _page_cost(page, month=MARCH):
    response = page.get("/cost/", {"month": str(month)})
    assert response.status_code == 200
    result = response.context["result"]
    return result.team_cost, result.cost_per_ticket


def _api_cost(api, month=MARCH):
    response = api.get(COST_API, {"month": str(month)})
    assert response.status_code == 200, response.content
    body = response.json()
    return Decimal(body["team_cost"]), Decimal(body["cost_per_ticket"])


# --- (a) served from the cache -------------------------------------------------------------


def test_the_second_call_is_two_queries_and_the_same_result(march):
    now = timezone.now()
    first = cost_page_cached(month=MARCH, by="channel", basis="replies", now=now)
    assert (first.overview.current.team_cost, first.overview.current.cost_per_ticket) == (
        Decimal("300.00"),
        Decimal("100.00"),
    )
    with CaptureQueriesContext(connection) as queries:
        again = cost_page_cached(month=MARCH, by="channel", basis="replies", now=now)
    assert len(queries) == KEY
    assert again == first
    # and it is what the plain page function gives
    assert again == cost_page(month=MARCH, by="channel", basis="replies", now=now, months=12)


# A dashboard page and, after it, the endpoint giving the same figures: the endpoint reads
# the page's entries (token, then the key), nothing else.
SHARED = [
    ("/cost/", {"month": "2016-03"}, COST_API, {"month": "2016-03"}),
    (
        "/cost/",
        {"month": "2016-03"},
        "/api/v1/metrics/cost/allocation/",
        {"month": "2016-03", "by": "channel", "basis": "replies"},
    ),
    (
        "/cost/",
        {"month": "2016-03"},
        "/api/v1/metrics/support-vs-revenue/",
        # the page's 3 months ending with March, from the first ticket's month on
        {"start": "2016-03", "end": "2016-03", "page_size": "20"},
    ),
    ("/coverage/", {"month": "2016-03"}, "/api/v1/metrics/coverage/", {"month": "2016-03"}),
    ("/coverage/", {"month": "2016-03"}, "/api/v1/metrics/coverage/forecast/", {}),
    ("/support-ops/", {"month": "2016-03"}, "/api/v1/metrics/support-ops/", {"month": "2016-03"}),
    (
        "/feature-requests/",
        {"start": "2016-01", "end": "2016-03"},
        "/api/v1/metrics/feature-requests/",
        {"start": "2016-01", "end": "2016-03"},
    ),
    (
        "/bugs/",
        {"start": "2016-01", "end": "2016-03"},
        "/api/v1/metrics/bug-impact/",
        {"start": "2016-01", "end": "2016-03"},
    ),
]


@pytest.mark.parametrize(("url", "query", "api_url", "api_query"), SHARED)
def test_a_page_seen_twice_and_its_endpoint_read_the_cache(
    march, page, api, url, query, api_url, api_query, django_assert_num_queries
):
    assert page.get(url, query).status_code == 200
    with django_assert_num_queries(PAGE_AUTH + KEY + FRAME):
        assert page.get(url, query).status_code == 200
    with django_assert_num_queries(API_AUTH + KEY):
        response = api.get(api_url, api_query)
    assert response.status_code == 200, response.content


def test_the_cohorts_endpoint_reads_the_pages_entry(march, page, api, django_assert_num_queries):
    assert page.get("/cohorts/").status_code == 200
    # + the settings MetricView reads to cut a default window the cohorts never use
    with django_assert_num_queries(API_AUTH + 1 + KEY):
        assert api.get("/api/v1/metrics/cohorts/").status_code == 200


def test_the_customers_list_is_keyed_on_its_query(march, page, django_assert_num_queries):
    query = {"sort": "-mrr", "paying": "yes", "stale_days": "60"}
    assert page.get("/customers/", query).status_code == 200
    with django_assert_num_queries(PAGE_AUTH + KEY + FRAME):
        assert page.get("/customers/", query).status_code == 200
    with CaptureQueriesContext(connection) as other:  # another query: computed
        assert page.get("/customers/", {**query, "sort": "name"}).status_code == 200
    assert len(other) > PAGE_AUTH + KEY + FRAME


def test_the_task_after_a_sync_warms_every_default_view(march, page, django_assert_num_queries):
    warmed = dashboards_warm(now=timezone.now())
    assert warmed == [
        "cost",
        "coverage",
        "cohorts",
        "support_ops",
        "feature_requests",
        "bugs",
        "customers",
    ]
    for url in ("/cost/", "/coverage/", "/cohorts/", "/support-ops/", "/feature-requests/",
                "/bugs/", "/customers/"):  # fmt: skip
        with django_assert_num_queries(PAGE_AUTH + KEY + FRAME):
            assert page.get(url).status_code == 200, url
    # the cost page's default month is the latest with tickets: March 2016
    assert page.get("/cost/").context["result"].cost_per_ticket == Decimal("100.00")


# --- (c) a cost input changes ----------------------------------------------------------------


def test_a_cost_input_saved_is_seen_by_the_page_and_the_api_at_once(march, page, api):
    assert _page_cost(page) == (Decimal("300.00"), Decimal("100.00"))
    assert _api_cost(api) == (Decimal("300.00"), Decimal("100.00"))

    member = TeamMember.objects.create(
        name="Ann", role="Support Engineer", annual_salary=Decimal("12000"),
        annual_benefits=Decimal("0"), fte=Decimal("1"), start_date=date(2010, 1, 1),
    )  # fmt: skip
    assert _page_cost(page) == (Decimal("1300.00"), Decimal("433.33"))
    assert _api_cost(api) == (Decimal("1300.00"), Decimal("433.33"))

    member.annual_salary = Decimal("24000")
    member.save()
    assert _api_cost(api) == (Decimal("2300.00"), Decimal("766.67"))
    assert _page_cost(page) == (Decimal("2300.00"), Decimal("766.67"))

    Expense.objects.filter(name="Tool").delete()  # through the ORM's delete: a signal
    assert _page_cost(page) == (Decimal("2000.00"), Decimal("666.67"))


def test_the_coverage_page_sees_a_new_member_at_once(march, page):
    # nobody covers anything: every product group unassigned; a member covering "API" is
    # 1 engineer on it
    from supportops.models import Product

    api_product = Product.objects.create(name="API")
    before = page.get("/coverage/", {"month": "2016-03"}).context["result"]
    assert [(r.product, r.assigned_engineers) for r in before.rows] == [
        ("API", Decimal("0.00")),
        ("Unassigned", Decimal("0.00")),
    ]
    member = TeamMember.objects.create(
        name="Ann", role="Support Engineer", annual_salary=Decimal("12000"),
        annual_benefits=Decimal("0"), fte=Decimal("1"), start_date=date(2010, 1, 1),
    )  # fmt: skip
    member.products.add(api_product)  # who covers what: m2m_changed moves the version
    after = page.get("/coverage/", {"month": "2016-03"}).context["result"]
    assert [(r.product, r.assigned_engineers) for r in after.rows] == [
        ("API", Decimal("1.00")),
        ("Unassigned", Decimal("0.00")),
    ]
