import re
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from supportops.models import Expense, MetricSettings
from tests.factories import ticket_create

from .conftest import PASSWORD


def _ticket(external_id, created_at):
    return ticket_create(None, external_id, created_at)


@pytest.fixture
def january(db):
    # 3,100 a month; 4 tickets in January 2016 → 775.00 per ticket
    Expense.objects.create(
        name="Tools", kind="tool", monthly_amount=3100, start_date=date(2015, 1, 1)
    )
    for i in range(4):
        _ticket(f"jan-{i}", datetime(2016, 1, 10 + i, tzinfo=UTC))


def test_dashboard_url():
    assert reverse("dashboard-cost") == "/cost/"


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get("/cost/?month=2016-01")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_sign_in_page_and_sign_in_lands_on_the_overview(client, viewer):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert b"Sign in" in page.content
    response = client.post("/accounts/login/", {"username": "viewer", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"  # the Overview, the landing page


def test_wrong_password_shows_an_error(client, viewer):
    response = client.post("/accounts/login/", {"username": "viewer", "password": "nope"})
    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content


def test_dashboard_shows_the_month(signed_in, january):
    response = signed_in.get("/cost/", {"month": "2016-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Jan 2016" in html
    assert "3,100.00" in html  # team cost
    assert "775.00" in html  # 3,100 / 4 tickets
    assert "—" in html  # no replies: cost per reply has no value
    assert 'name="month" value="2016-01"' in html
    # January 2016 is the first month with a ticket: no arrow back, one forward.
    assert "?month=2015-12" not in html and "?month=2016-02" in html


def test_default_month_is_the_latest_with_tickets(signed_in, january):
    response = signed_in.get("/cost/")
    assert response.status_code == 200
    assert response.context["overview"].month.label == "Jan 2016"


def _previous_month(at):
    return (at.year, at.month - 1) if at.month > 1 else (at.year - 1, 12)


def test_without_tickets_the_month_in_progress_is_shown_and_says_why(signed_in):
    before = datetime.now(UTC)
    response = signed_in.get("/cost/")
    after = datetime.now(UTC)
    assert response.status_code == 200
    shown = response.context["overview"].month
    assert (shown.year, shown.month) in {(before.year, before.month), (after.year, after.month)}
    assert "No tickets have been synced yet" in response.content.decode()


def test_a_month_still_under_way_is_not_the_default(signed_in, january):
    now = datetime.now(UTC)
    _ticket("today", now)
    shown = signed_in.get("/cost/").context["overview"].month
    assert (shown.year, shown.month) in {_previous_month(now), _previous_month(datetime.now(UTC))}


@pytest.mark.parametrize("month", ["2016-13", "January", "2016-1", "1900-01"])
def test_bad_month_is_a_clear_400(signed_in, month):
    response = signed_in.get("/cost/", {"month": month})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot show that month" in html
    assert 'role="alert"' in html


def test_plotly_comes_from_our_static_files_never_a_cdn(signed_in, january):
    html = signed_in.get("/cost/", {"month": "2016-01"}).content.decode()
    assert '<script src="/static/vendor/plotly.min.js"></script>' in html
    scripts = re.findall(r"""<(?:script|link)[^>]+(?:src|href)=["']([^"']+)""", html)
    assert scripts and not [url for url in scripts if re.match(r"(https?:)?//", url)]
    assert "cdn.plot.ly" not in html
    assert 'id="cost-per-ticket-figure"' in html  # figure JSON for charts.js


def test_layout_nav(signed_in, client, django_user_model):
    html = signed_in.get("/cost/", {"month": "2016-01"}).content.decode()
    assert "SupportOps" in html and "viewer" in html
    assert 'href="/api/v1/docs/"' in html  # in the account menu; the schema is on that page
    assert 'action="/accounts/logout/"' in html and 'method="post"' in html
    assert 'href="/admin/"' not in html  # not staff

    staff = django_user_model.objects.create_user("boss", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    assert 'href="/admin/"' in client.get("/cost/", {"month": "2016-01"}).content.decode()


def test_sign_out_is_a_post(signed_in):
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in.get("/cost/").status_code == 302


def test_dashboard_query_budget(signed_in, january, django_assert_num_queries):
    # session, user, the cache key (settings, data version), settings, ticket months, members, expenses, tickets, interactions;
    # where the cost goes: tickets per group, replies per group; support cost vs revenue:
    # the margin statement (no customer here, so no plans of its rows to look up: see
    # test_web_cost_allocation for the budget with them); and the frame's data freshness.
    # The same whatever the grouping.
    with django_assert_num_queries(14):
        assert signed_in.get("/cost/").status_code == 200
    for by in ("channel", "bucket", "plan"):
        with django_assert_num_queries(14):
            assert signed_in.get("/cost/", {"month": "2016-01", "by": by}).status_code == 200


def test_reporting_timezone_is_used_for_the_default_month(signed_in, db):
    MetricSettings.objects.filter(pk=1).update(reporting_timezone="America/New_York")
    _ticket("late", datetime(2016, 2, 1, 3, tzinfo=UTC))  # Jan 31 22:00 in New York
    assert signed_in.get("/cost/").context["overview"].month.label == "Jan 2016"


def test_plotly_bundle_is_in_static():
    from django.contrib.staticfiles import finders

    path = finders.find("vendor/plotly.min.js")
    assert path
    with open(path, encoding="utf-8") as bundle:
        assert "plotly.js" in bundle.read(200)
