"""The support operations page (/support-ops/): the API's numbers, the by-switch kept with the
month, the notes where vendor and recomputed values differ, the 400 page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from metrics.templatetags.metric_format import count, one_decimal, rate
from tests.support_ops_data import MONTH, support_month

URL = "/support-ops/"
API = "/api/v1/metrics/support-ops/"
FIGURES = (
    "created",
    "solved",
    "backlog_end",
    "median_first_reply_minutes",
    "vendor_median_first_reply_minutes",
    "median_resolution_minutes",
    "vendor_median_resolution_minutes",
    "one_touch_rate",
    "reopens",
)


@pytest.fixture
def march(signed_in, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime(2016, 4, 10, tzinfo=UTC))
    return support_month()


def _cells(html: str, key: str) -> dict[str, str]:
    body = html.split('class="data-table ops-table"', 1)[1].split("</table>", 1)[0]
    row = body.split(f'data-key="{key}"', 1)[1].split("</tr>", 1)[0]
    return dict(re.findall(r'data-figure="([^"]+)">(.*?)</td>', row))


def _notes(html: str, key: str) -> list[str]:
    if f'data-notes-for="{key}"' not in html:
        return []
    block = html.split(f'data-notes-for="{key}"', 1)[1].split("</tr>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", block)


def _shown(field: str, value) -> str:
    """How the page writes the API's value of `field`."""
    if field == "one_touch_rate":
        return rate(None if value is None else Decimal(value))
    if field.endswith("_minutes"):
        return one_decimal(None if value is None else Decimal(value))
    return count(value)


def test_url_name():
    assert reverse("dashboard-support-ops") == URL


def test_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("by", ["product", "channel", "plan"])
def test_the_page_shows_the_api_numbers(signed_in, march, by):
    response = signed_in.get(URL, {"month": MONTH, "by": by})
    assert response.status_code == 200
    html = response.content.decode()
    api = signed_in.get(API, {"month": MONTH, "by": by}).json()
    assert api["rows"]
    for row in [*api["rows"], {**api["total"], "key": "total"}]:
        cells = _cells(html, row["key"])
        assert cells == {f: _shown(f, row[f]) for f in FIGURES}, row["key"]
    assert f"/api/v1/metrics/support-ops/?month=2016-03&amp;by={by}&amp;format=csv" in html
    assert html.count('class="csv-link"') == 2  # beside the chart and beside the table
    assert 'id="ops-volume-figure"' in html and 'id="ops-first-reply-figure"' in html
    assert "Definition: Support operations" in html


def test_hand_worked_cells(signed_in, march):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    assert _cells(html, "Api")["median_first_reply_minutes"] == "37.7"
    assert _cells(html, "Api")["one_touch_rate"] == "50.00%"
    assert _cells(html, "Unassigned")["backlog_end"] == "1"
    assert _cells(html, "total")["median_first_reply_minutes"] == "30.3"


def test_notes_where_vendor_and_recomputed_differ(signed_in, march):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    # Api: first reply 37.7 ours vs 35.0 vendor; resolutions agree.
    (api,) = _notes(html, "Api")
    assert api.startswith("First reply: the vendor&#x27;s median is 2.7 min earlier.")
    # Billing: one vendor resolution of one solved is missing (T8 from Intercom gives none).
    (billing,) = _notes(html, "Billing")
    assert billing.startswith("Resolution: the vendor gives a time for 0 of the 1 tickets solved")
    assert _notes(html, "Unassigned") == []


def test_the_by_switch_and_the_month_picker_keep_each_other(signed_in, march):
    html = signed_in.get(URL, {"month": MONTH, "by": "plan"}).content.decode()
    assert 'href="?month=2016-03&amp;by=channel"' in html
    assert 'href="?month=2016-03&amp;by=plan" aria-current="true"' in html
    assert '<input type="hidden" name="by" value="plan">' in html
    assert 'href="?month=2016-02&amp;by=plan"' in html  # previous month, same grouping
    assert "Plans are the customer's paying subscription's at the end of the month." in html


def test_query_count(signed_in, march, django_assert_num_queries):
    # session + user (2); the cache key (settings, data version); settings, products, the figures; the frame's freshness (1)
    with django_assert_num_queries(8):
        assert signed_in.get(URL, {"month": MONTH}).status_code == 200


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"month": "2016-13"}, "Cannot show that month: month must be between 01 and 12"),
        ({"month": "2016-05"}, "Cannot show that month: May 2016 has not started yet"),
        ({"month": MONTH, "by": "team"}, "Cannot show that grouping: by must be one of product"),
    ],
)
def test_bad_input_is_a_400_page(signed_in, march, params, words):
    response = signed_in.get(URL, params)
    assert response.status_code == 400
    html = response.content.decode()
    assert words in html and 'role="alert"' in html


def test_in_the_navigation(signed_in, march):
    html = signed_in.get(URL, {"month": MONTH}).content.decode()
    assert '<a href="/support-ops/" aria-current="page">Support ops</a>' in html
