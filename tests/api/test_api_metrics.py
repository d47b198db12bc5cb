"""GET /api/v1/metrics/cost/: the DESIGN.md §4 example over the API."""

from datetime import UTC, date, datetime

import pytest

from supportops.models import Expense, MetricSettings, TeamMember, Ticket

URL = "/api/v1/metrics/cost/"


@pytest.fixture
def design_example(db):
    # 360,000 + 280,000 + 5,000 × 12 = 700,000 a year; 1,380 tickets in January 2016.
    MetricSettings.load()
    TeamMember.objects.create(
        name="Ann", annual_salary=300000, annual_benefits=60000, start_date=date(2015, 1, 1)
    )
    TeamMember.objects.create(
        name="Bob", annual_salary=220000, annual_benefits=60000, start_date=date(2015, 1, 1)
    )
    Expense.objects.create(
        name="Tools", kind="tool", monthly_amount=5000, start_date=date(2015, 1, 1)
    )
    Ticket.objects.bulk_create(
        Ticket(
            source="zendesk",
            external_id=str(i),
            created_at=datetime(2016, 1, 1 + i % 31, tzinfo=UTC),
            updated_at=datetime(2016, 1, 1 + i % 31, tzinfo=UTC),
            solved_at=datetime(2016, 1, 1 + i % 31, 12, tzinfo=UTC),
        )
        for i in range(1380)
    )


def test_cost_of_the_design_example(analyst_client, design_example):
    response = analyst_client.get(URL, {"month": "2016-01"})
    assert response.status_code == 200
    assert response.json() == {
        "month": "2016-01",
        "currency": "USD",
        # 640,000 / 12 + 5,000 = 58,333.333… → 58,333.33
        "team_cost": "58333.33",
        "tickets": 1380,
        # 58,333.333… / 1,380 = 42.2705… → 42.27
        "cost_per_ticket": "42.27",
        "replies": 0,
        "cost_per_reply": None,
        "interactions": 0,
        "cost_per_interaction": None,
        # every ticket open 12 hours: 1,380 × 0.5 = 690 days; 58,333.333… / 690 = 84.541… → 84.54
        "open_days": "690.00",
        "cost_per_open_day": "84.54",
        "in_progress": False,
        "days_covered": 31,
    }


def test_empty_month_has_nulls_and_zero_money(analyst_client, settings_row):
    body = analyst_client.get(URL, {"month": "2020-02"}).json()
    assert body["team_cost"] == "0.00"
    assert body["open_days"] == "0.00"
    assert body["tickets"] == 0
    assert body["cost_per_ticket"] is None
    assert body["cost_per_open_day"] is None


@pytest.mark.parametrize("month", ["2016-1", "2016-13", "January", "2016-01-01", "2016/01"])
def test_malformed_month_is_a_400(analyst_client, settings_row, month):
    response = analyst_client.get(URL, {"month": month})
    assert response.status_code == 400
    (message,) = response.json()["month"]
    assert "2024-01" in message


def test_missing_month_is_a_400(analyst_client, settings_row):
    response = analyst_client.get(URL)
    assert response.status_code == 400
    assert response.json() == {"month": ["Give the month as YYYY-MM, e.g. ?month=2024-01."]}


def test_query_budget(analyst_client, design_example, django_assert_max_num_queries):
    # token + user, the cache key (settings, data version); the month is the cost page's overview entry
    # (metrics/cached.py): settings, ticket months, members, expenses, tickets aggregate,
    # interactions aggregate
    with django_assert_max_num_queries(9):
        assert analyst_client.get(URL, {"month": "2016-01"}).status_code == 200


def test_a_month_that_has_not_started_is_a_400(analyst_client, settings_row):
    response = analyst_client.get(URL, {"month": "2999-01"})
    assert response.status_code == 400
    assert "Jan 2999 has not started yet" in response.json()["month"][0]


def test_the_month_in_progress_says_so(analyst_client, settings_row):
    from datetime import UTC, datetime

    today = datetime.now(UTC).date()
    body = analyst_client.get(URL, {"month": today.strftime("%Y-%m")}).json()
    # Covers the days through yesterday (UTC reporting zone in this fixture).
    assert body["in_progress"] is True
    assert body["days_covered"] == today.day - 1


def test_an_unknown_parameter_is_a_400_naming_it(analyst_client, settings_row):
    response = analyst_client.get(URL, {"month": "2016-01", "mnth": "2016-02"})
    assert response.status_code == 400
    assert list(response.json()) == ["mnth"]
    assert "Unknown parameter" in response.json()["mnth"][0]


def test_csv_has_the_same_numbers_as_json(analyst_client, design_example):
    import csv
    import io

    body = analyst_client.get(URL, {"month": "2016-01"}).json()
    response = analyst_client.get(URL, {"month": "2016-01", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row == {key: "" if value is None else str(value) for key, value in body.items()}


def test_a_refused_csv_request_says_why_in_csv(analyst_client, settings_row):
    response = analyst_client.get(URL, {"month": "2016-13", "format": "csv"})
    assert response.status_code == 400
    lines = response.content.decode().splitlines()
    assert lines[0] == "parameter,error" and lines[1].startswith("month,")
