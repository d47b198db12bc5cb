"""The bugs page and one bug's tickets: the API's numbers, drill-down, refusals, queries."""

import re
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from tests.support_cost_builders import bug_company

WINDOW = {"start": "2016-01", "end": "2016-02"}


@pytest.fixture
def bugs(signed_in):
    return bug_company()


def _row(html: str, attribute: str, value) -> str:
    match = re.search(rf'<tr {attribute}="{re.escape(str(value))}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row {attribute}={value}"
    return match.group(1)


def _figure(row_html: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}">([^<]*)<', row_html)
    assert match, name
    return match.group(1).replace(",", "").strip()


def test_urls():
    assert reverse("dashboard-bugs") == "/bugs/"
    assert reverse("dashboard-bug-group") == "/bugs/group/"


def test_the_page_shows_the_api_numbers(signed_in, bugs):
    response = signed_in.get("/bugs/", WINDOW)
    assert response.status_code == 200
    html = response.content.decode()
    api = signed_in.get("/api/v1/metrics/bug-impact/", WINDOW).json()
    assert len(api["rows"]) == 5
    for row in api["rows"]:
        shown = _row(html, "data-key", row["key"])
        for name in ("tickets", "customers", "mrr", "arr", "ltv_sum", "support_cost"):
            assert _figure(shown, name) == str(row[name])
    key = f"problem:zendesk:{bugs['p'].external_id}"
    problem = _row(html, "data-key", key)
    # 150.00 MRR, 1,800.00 ARR, 65.00 of support cost (worked out in the metric tests)
    assert (_figure(problem, "mrr"), _figure(problem, "arr")) == ("150.00", "1800.00")
    assert _figure(problem, "support_cost") == "65.00"
    assert f'href="/bugs/group/?{urlencode({"key": key, **WINDOW})}"'.replace("&", "&amp;") in html
    assert f"Zendesk #{bugs['p'].external_id}" in problem
    assert 'data-plotly-figure="bug-impact-figure"' in html
    assert 'href="/api/v1/metrics/bug-impact/?start=2016-01&amp;end=2016-02&amp;format=csv"' in html
    assert "definition: bug impact" in html.lower()
    assert "<code>bug</code>, <code>bug-sync</code>" in html
    assert "1 customer billed in another currency than USD is counted but not in MRR" in html


def test_a_bug_drills_down_to_its_tickets(signed_in, bugs):
    key = f"problem:zendesk:{bugs['p'].external_id}"
    response = signed_in.get("/bugs/group/", {"key": key, **WINDOW})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Export times out · Jan–Feb 2016" in html
    assert [int(n) for n in re.findall(r'<tr data-ticket="(\d+)"', html)] == [
        bugs["i2"].pk,
        bugs["i1"].pk,
        bugs["p"].pk,
    ]
    assert _figure(html, "tickets") == "3" and _figure(html, "support_cost") == "65.00"
    csv_url = "/api/v1/metrics/bug-impact/tickets/?" + urlencode(
        {"key": key, **WINDOW, "format": "csv"}
    )
    assert f'href="{csv_url}"'.replace("&", "&amp;") in html
    # the window picker keeps the bug
    assert f'<input type="hidden" name="key" value="{key}">' in html


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("/bugs/", {"start": "2016-13", "end": "2016-02"}, "Cannot show the bugs: start:"),
        ("/bugs/", {"start": "2016-01"}, "give both start and end, or neither"),
        ("/bugs/", {"start": "2999-01", "end": "2999-02"}, "has not started yet"),
        (
            "/bugs/group/",
            {"key": "tag:nope"},
            "Cannot show this bug: &#x27;nope&#x27; is not a bug tag",
        ),
        ("/bugs/group/", {}, "Cannot show this bug: key: choose a bug from the list"),
        (
            "/bugs/group/",
            {"key": "tag:bug", "page": "two"},
            "page: &#x27;two&#x27; is not a page number",
        ),
    ],
)
def test_bad_input_is_a_400_that_keeps_what_was_typed(signed_in, bugs, path, params, message):
    response = signed_in.get(path, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and 'role="alert"' in html
    if "start" in params:
        assert f'name="start" value="{params["start"]}"' in html


def test_query_counts(signed_in, bugs, django_assert_num_queries):
    # session, user, the cache key (settings, data version), settings, team costs (three), LTV basis, replies per month (all and per
    # tag), problem groups' tickets, their replies, tag groups' tickets, problem subjects,
    # the frame's data freshness
    with django_assert_num_queries(15):
        assert signed_in.get("/bugs/", WINDOW).status_code == 200
    # session, user, the cache key (settings, data version), settings, the problem's subject, count, page; then the bug's figures
    # (bug impact's ten) and the freshness
    key = f"problem:zendesk:{bugs['p'].external_id}"
    with django_assert_num_queries(19):
        assert signed_in.get("/bugs/group/", {"key": key, **WINDOW}).status_code == 200
