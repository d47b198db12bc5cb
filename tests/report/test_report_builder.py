"""The monthly report's figures on the company of tests/overview_data.py (worked there by hand),
for April 2016, plus one subscription so MRR has something to read: Acme pays 100.00 a month
from 1 Jan 2016.

Worked for April (March, the month before, in brackets; April 2015 has no data):
- tickets 4 (2) → +100.0 %; cost per ticket 100 / 4 = 25.00 (50.00) → −50.0 %;
  cost per reply: replies 1 + 2 + 1 = 4 → 25.00 (2 → 50.00) → −50.0 %.
- MRR of the customers who filed tickets: April's filers Acme, Bloom, Cargo; paying at the end
  of April only Acme: 100.00 (March: Acme, Bloom → 100.00) → 0.0 %.
- support cost vs revenue in April: cost Acme 25, Bloom 50, Cargo 25; revenue Cargo 10 (Acme
  paid in March) → 3 unprofitable, margins Bloom −50, Acme −25, Cargo −15: together 90.00.
- coverage: API 3 tickets against a capacity of 2 → over; Bloom's Salesforce ticket has no
  product → Unassigned 1.
- feature requests in April: Salesforce (Bloom's ticket: LTV 50.00 × 10 = 500.00), HubSpot
  (Cargo, MRR 0 → 0.00).
- bugs in April: the problem "Export times out" with its incident: Acme + Bloom MRR 150.00.
Each figure is also read back from the endpoint that owns it, for the same month.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from metrics.cost import MonthUnavailable
from metrics.periods import Month
from metrics.report import documents
from metrics.report.builder import build_report
from supportops.models import Invoice, MetricSettings, Subscription
from tests.auth_tokens import token_for
from tests.overview_data import NOW, overview_company
from tests.support_cost_builders import at, subscription

APRIL = Month(2016, 4)


@pytest.fixture
def company(db, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    people = overview_company()
    subscription(people["acme"], plan_row=None, started_at=at(2016, 1, 1), list_mrr=10000)
    return people


@pytest.fixture
def api(django_user_model):
    user = django_user_model.objects.create_user("exec", password="x")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")

    def get(path, **params):
        response = client.get(f"/api/v1/{path}", params)
        assert response.status_code == 200, response.content
        return response.json()

    return get


def _headlines(report):
    return {h["key"]: h for h in report["headlines"]}


def test_headlines_worked_by_hand(company):
    report = build_report(APRIL, now=NOW)
    h = _headlines(report)
    assert report["has_data"] and report["label"] == "Apr 2016"
    assert h["tickets"]["value"] == "4"
    assert h["tickets"]["previous_month"] == {"value": "2", "change": "1.000"}
    assert h["tickets"]["last_year"] == {"value": None, "change": None}
    assert h["cost_per_ticket"]["value"] == "25.00"
    assert h["cost_per_ticket"]["previous_month"] == {"value": "50.00", "change": "-0.500"}
    assert h["cost_per_reply"]["value"] == "25.00"
    assert h["cost_per_reply"]["previous_month"]["value"] == "50.00"
    assert h["ticket_customer_mrr"]["value"] == "100.00"
    assert h["ticket_customer_mrr"]["previous_month"] == {"value": "100.00", "change": "0.000"}


def test_sections_worked_by_hand(company):
    sections = build_report(APRIL, now=NOW)["sections"]
    unprofitable = sections["unprofitable"]
    assert unprofitable["count"] == 3
    assert unprofitable["total_margin"] == "-90.00"
    assert [(r["name"], r["margin"]) for r in unprofitable["rows"]] == [
        ("Bloom", "-50.00"),
        ("Acme", "-25.00"),
        ("Cargo", "-15.00"),
    ]
    coverage = {r["product"]: r for r in sections["coverage"]["rows"]}
    assert (coverage["API"]["tickets"], coverage["API"]["over_capacity"]) == (3, True)
    assert coverage["Unassigned"]["tickets"] == 1
    requests = sections["feature_requests"]["rows"]
    assert [(r["label"], r["ltv_sum"]) for r in requests] == [
        ("Salesforce", "500.00"),
        ("HubSpot", "0.00"),
    ]
    bugs = sections["bugs"]["rows"]
    assert (bugs[0]["title"], bugs[0]["mrr"]) == ("Export times out", "150.00")
    assert [r["label"] for r in sections["cost_trend"]["rows"]] == [
        "Jan 2016",
        "Feb 2016",
        "Mar 2016",
        "Apr 2016",
    ]


def test_every_figure_equals_its_endpoints(company, api):
    report = build_report(APRIL, now=NOW)
    h = _headlines(report)
    sections = report["sections"]
    for month, which in ((APRIL, "value"), (APRIL.shift(-1), "previous_month")):
        cost = api("metrics/cost/", month=str(month))
        mrr = api("metrics/ticket-mrr/", month=str(month))
        cohorts = api("metrics/cohorts/", start=str(month), end=str(month))

        def read(key, h=h, which=which):
            return h[key]["value"] if which == "value" else h[key][which]["value"]

        assert read("tickets") == str(cost["tickets"])
        assert read("cost_per_ticket") == cost["cost_per_ticket"]
        assert read("cost_per_reply") == cost["cost_per_reply"]
        assert read("ticket_customer_mrr") == mrr["mrr"]
        assert read("support_paid_conversion") == cohorts["support"]["paid_conversion_rate"]
        assert read("no_support_paid_conversion") == cohorts["no_support"]["paid_conversion_rate"]
    margin = api("metrics/support-vs-revenue/", start="2016-04", end="2016-04", unprofitable="true")
    assert [(r["customer"], r["margin"]) for r in margin["rows"]] == [
        (r["name"], r["margin"]) for r in sections["unprofitable"]["rows"]
    ]
    coverage = api("metrics/coverage/", month="2016-04")
    assert [(r["product"], r["tickets"], r["required_engineers"]) for r in coverage["rows"]] == [
        (r["product"], r["tickets"], r["required_engineers"]) for r in sections["coverage"]["rows"]
    ]
    forecast = api("metrics/coverage/forecast/", months=6)
    assert forecast["total_hires_needed"] == sections["coverage"]["forecast"]["total_hires_needed"]
    assert forecast["total_monthly_cost"] == sections["coverage"]["forecast"]["total_monthly_cost"]
    requests = api("metrics/feature-requests/", start="2016-04", end="2016-04")
    assert [(r["label"], r["ltv_sum"]) for r in requests["rows"]][:5] == [
        (r["label"], r["ltv_sum"]) for r in sections["feature_requests"]["rows"]
    ]
    bugs = api("metrics/bug-impact/", start="2016-04", end="2016-04")
    assert [(r["title"], r["mrr"]) for r in bugs["rows"]][:5] == [
        (r["title"], r["mrr"]) for r in sections["bugs"]["rows"]
    ]


def test_renderings_word_the_same_figures(company):
    report = build_report(APRIL, now=NOW)
    text = documents.email_text(report)
    html = documents.email_html(report, [])
    for rendering in (text, html):
        assert "25.00 USD" in rendering  # cost per ticket and per reply
        assert "▼ 50.0% vs Mar 2016" in rendering
        assert "100.00 USD" in rendering  # MRR of the filers
        assert "90.00 USD more support cost than revenue" in rendering
        assert "Over capacity: API" in rendering
        assert "no figure for Apr 2015" in rendering
    # no chart image: the cost trend falls back to its table, month by month
    assert "Jan 2016" in html and "cid:" not in html
    chart = documents.ChartImage("cost_trend", b"\x89PNG...", "alt with numbers")
    with_chart = documents.email_html(report, [chart])
    assert 'src="cid:cost_trend@supportops.report"' in with_chart
    assert 'alt="alt with numbers"' in with_chart


def test_without_billing_the_money_sections_say_why(company):
    Subscription.objects.all().delete()
    Invoice.objects.all().delete()
    report = build_report(APRIL, now=NOW)
    keys = [h["key"] for h in report["headlines"]]
    assert keys == ["tickets", "cost_per_ticket", "cost_per_reply"]
    for name in ("feature_requests", "bugs", "unprofitable"):
        assert report["sections"][name]["missing"].startswith("No billing data has been synced")
    text = documents.email_text(report)
    assert "No billing data has been synced" in text
    assert "Tickets: 4" in text


def test_a_month_before_the_first_ticket_and_a_month_not_ended(company):
    report = build_report(Month(2015, 6), now=NOW)
    assert not report["has_data"]
    assert report["missing"] == "The first synced ticket is from Jan 2016, after Jun 2015."
    assert "The first synced ticket is from Jan 2016" in documents.email_text(report)
    with pytest.raises(MonthUnavailable, match="May 2016 has not ended yet"):
        build_report(Month(2016, 5), now=NOW)


def test_months_follow_the_reporting_time_zone(company):
    """30 Apr 13:00 UTC is 1 May 01:00 in Auckland (UTC+12): April has ended there but not in
    UTC. April's four tickets (2, 5, 8 and 20 Apr, midnight UTC) all fall inside Auckland's
    April (31 Mar 12:00 to 30 Apr 12:00 UTC), so its count stays 4."""
    late_april = datetime(2016, 4, 30, 13, tzinfo=UTC)
    with pytest.raises(MonthUnavailable, match="Apr 2016 has not ended yet"):
        build_report(APRIL, now=late_april)
    MetricSettings.objects.filter(pk=1).update(reporting_timezone="Pacific/Auckland")
    report = build_report(APRIL, now=late_april)
    assert report["timezone"] == "Pacific/Auckland"
    assert _headlines(report)["tickets"]["value"] == "4"
