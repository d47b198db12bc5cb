"""The Overview (/), the landing page: the API's numbers in cards, freshness, empty and bad
states (company and figures of tests/overview_data.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from supportops.models import MetricSettings, SyncRun
from tests.overview_data import MONTH, NOW, overview_company

URL = "/"
API = "/api/v1/metrics/overview/"


@pytest.fixture
def zendesk_configured(settings):
    settings.ZENDESK_URL = "http://127.0.0.1:9"
    settings.ZENDESK_EMAIL = "a@b.c"
    settings.ZENDESK_API_TOKEN = "t"
    settings.ZENDESK_SYNC_MINUTES = 15


@pytest.fixture
def company(signed_in, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return overview_company()


def _headline(html: str, key: str) -> str:
    return html.split(f'data-headline="{key}"', 1)[1].split("</div>", 1)[0]


def _figure(block: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">(.*?)</p>', block, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).split()


def _as_api(value: str | int | None, unit: str) -> list[str]:
    """The API's figure as the page prints it: 1,500.00 USD, 66.7%, 3, —."""
    if value is None:
        return ["—"]
    if unit == "money":
        return [f"{float(value):,.2f}", "USD"]
    if unit == "share":
        return [f"{float(value) * 100:.1f}%"]
    if unit == "minutes":
        return [f"{float(value):,.1f}", "min"]
    return [f"{value:,}"]


def test_url_name():
    assert reverse("dashboard-overview") == URL


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_shows_the_api_numbers(signed_in, company):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    api = signed_in.get(API, {"month": MONTH}).json()
    assert len(api["rows"]) == 8
    for row in api["rows"]:
        block = _headline(html, row["key"])
        assert _figure(block, "value") == _as_api(row["value"], row["unit"]), row["key"]
        assert row["label"] in block
        assert f'href="{row["link"]}"'.replace("&", "&amp;") in block
        previous = _figure(block, "previous")
        assert previous[-len(_as_api(row["previous"], row["unit"])) :] == (
            _as_api(row["previous"], row["unit"]) if row["previous"] is not None else ["none"]
        ), row["key"]


def test_cards_per_question_with_changes_and_links(signed_in, company):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    questions = re.findall(r'<h2 id="question-\d+">(.*?)</h2>', html)
    assert questions == [
        "Does support pay off?",
        "What does support cost?",
        "Are we staffed right?",
        "How is support running?",
        "What should we build next?",
        "What happened with this customer?",
    ]
    cost = _headline(html, "cost_per_ticket")
    assert 'class="change is-better"' in cost and "50.0% vs Mar 2016" in cost
    assert "Mar 2016: 50.00" in re.sub(r"<[^>]+>", "", cost)
    assert "Open Cost →" in cost
    margin = _headline(html, "unprofitable_customers")
    assert 'class="change is-worse"' in margin and "100.0% vs Jan–Mar 2016" in margin
    coverage = _headline(html, "groups_over_capacity")
    assert 'class="change' not in coverage  # no ratio from 0, but the 0 is shown
    assert "Mar 2016: 0" in coverage
    assert "the 3 months ending with Apr 2016 (<strong>Feb–Apr 2016</strong>)" in html
    assert "against the 3 ending the month before (Jan–Mar 2016)" in html
    assert 'href="/api/v1/metrics/overview/?month=2016-04&amp;format=csv"' in html
    assert 'value="2016-04"' in html and 'min="2016-01"' in html and 'max="2016-05"' in html


def test_the_navigation_starts_with_the_overview(signed_in, company):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    nav = html.split('<nav class="site-nav"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"', nav)
    assert links[:2] == ["/", "/cost/"]
    assert '<a href="/" aria-current="page">Overview</a>' in nav
    cost_nav = signed_in.get("/cost/", {"month": MONTH}).content.decode().split("</nav>")[0]
    assert '<a href="/" aria-current="page">' not in cost_nav
    assert '<a href="/cost/" aria-current="page">Cost</a>' in cost_nav


def test_data_freshness_panel_lists_each_source_with_its_warning(
    signed_in, company, zendesk_configured
):
    SyncRun.objects.create(
        source="zendesk",
        status="succeeded",
        started_at=NOW - timedelta(minutes=41),
        finished_at=NOW - timedelta(minutes=40),
    )
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    panel = html.split('id="freshness-heading"', 1)[1].split("</section>", 1)[0]
    row = panel.split('data-freshness="zendesk"', 1)[1].split("</tr>", 1)[0]
    assert 'class="is-stale"' in row and "15 May 2016 11:20" in row and "40 min ago" in row
    assert "Zendesk last synced 40 min ago, more than twice its 15 min schedule." in row
    assert "<summary>Definition: Overview</summary>" in panel


def test_empty_database_explains_how_to_start(signed_in, zendesk_configured):
    response = signed_in.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-state="empty"' in html and "No data yet" in html
    assert "python manage.py sync" in html and "make demo" in html
    assert 'data-headline="' not in html
    assert 'data-freshness="zendesk"' in html and "never" in html


@pytest.mark.parametrize(
    ("month", "words", "nearest"),
    [
        ("April", "month must look like 2024-01", None),
        ("2016-13", "month must be between 01 and 12", None),
        ("2016-06", "Jun 2016 has not started yet", "2016-05"),
        ("2015-12", "there is no data before Jan 2016", "2016-01"),
    ],
)
def test_a_bad_month_is_a_400_page(signed_in, company, month, words, nearest):
    response = signed_in.get(URL, {"month": month})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot show that month" in html and words in html
    assert f'value="{month}"' in html and 'aria-invalid="true"' in html
    if nearest:
        assert f'href="?month={nearest}"' in html


def test_query_count_is_pinned(signed_in, company, django_assert_num_queries, zendesk_configured):
    signed_in.get(URL, {"month": MONTH})  # warm the session
    # session, user, the cache key (settings, data version), the metric's 50, data freshness
    with django_assert_num_queries(55):
        assert signed_in.get(URL, {"month": MONTH}).status_code == 200


def test_the_default_month_needs_one_more_query(signed_in, company, django_assert_num_queries):
    signed_in.get(URL)
    with django_assert_num_queries(56):
        response = signed_in.get(URL)
    assert response.context["result"].month.label == "Apr 2016"
    assert MetricSettings.objects.count() == 1
