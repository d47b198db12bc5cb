"""Support cost to date on the customer page: the stored figure, as of when, a note while it is
recomputed; the same number as GET /api/v1/customers/{id}/.

The company and its hand-worked figures: tests/metrics/test_customer_costs.py (Acme 89.99).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.customer_costs import customer_costs_refresh
from supportops.data_version import data_changed
from tests.metrics.test_customer_costs import NOW, company


@pytest.fixture
def books(signed_in, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return company()


def _card(html: str) -> str:
    return re.search(r"<h2>Support cost to date</h2>(.*?)</article>", html, re.S).group(1)


def test_the_page_shows_the_stored_figure_as_of_its_time(signed_in, books):
    customer_costs_refresh(now=NOW)
    response = signed_in.get(f"/customers/{books['a'].id}/")
    card = _card(response.content.decode())
    assert 'data-figure="support_cost">89.99 <span class="unit">USD</span>' in card
    assert '<time datetime="2016-04-15T12:00:00+00:00">15 Apr 2016 12:00 UTC</time>' in card
    assert "recomputed" not in card
    cost = response.context["detail"].support_cost
    assert cost.amount == Decimal("89.99") and not cost.stale


def test_the_page_equals_the_api(signed_in, books):
    customer_costs_refresh(now=NOW)
    for customer in (books["a"], books["b"], books["c"]):
        page = signed_in.get(f"/customers/{customer.id}/").context["detail"].support_cost
        api = signed_in.get(f"/api/v1/customers/{customer.id}/").json()
        assert str(page.amount) == api["support_cost_to_date"]["amount"]


def test_stale_rows_are_shown_with_a_note_and_a_refresh_asked_for(
    signed_in, books, django_capture_on_commit_callbacks
):
    customer_costs_refresh(now=NOW)
    data_changed()  # a sync finished
    with django_capture_on_commit_callbacks() as callbacks:
        response = signed_in.get(f"/customers/{books['a'].id}/")
    card = _card(response.content.decode())
    assert "89.99" in card and "Being recomputed" in card
    assert len(callbacks) == 1  # the refresh, on commit (enqueued, not computed in the request)


def test_never_computed_says_so(signed_in, books, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        card = _card(signed_in.get(f"/customers/{books['a'].id}/").content.decode())
    assert 'data-figure="support_cost">—' in card and "Being computed" in card


def test_query_count(signed_in, books, django_assert_num_queries):
    customer_costs_refresh(now=NOW)
    # session, user, customer, identities, settings, the LTV basis (its cache key's data
    # version, the churn counts), the support cost to date, tickets and usage per month, the
    # timeline (its page with the count), freshness
    with django_assert_num_queries(12):
        assert signed_in.get(f"/customers/{books['a'].id}/").status_code == 200
