"""GET /api/v1/metrics/ticket-mrr/: MRR at a month's end of the customers who filed tickets in it.

Worked by hand: Acme pays 100.00 (from 1 Jan), Bloom 30.00 until 20 Apr and 25.00 EUR from 1
Jan (another currency: counted apart), Cargo pays nothing; Dune pays 70.00 but files nothing.
March: Acme and Bloom file → at 1 Apr 00:00 Acme 100.00 + Bloom 30.00 = 130.00, 2 paying, Bloom
also in EUR. April: Acme, Bloom and Cargo file → at 1 May Acme 100.00 (Bloom ended) = 100.00,
3 customers, 1 paying in USD.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from tests.overview_data import NOW
from tests.support_cost_builders import at, customer, subscription, ticket

URL = "/api/v1/metrics/ticket-mrr/"


@pytest.fixture
def company(settings_row, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    acme, bloom, cargo, dune = (customer(n) for n in ("Acme", "Bloom", "Cargo", "Dune"))
    subscription(acme, plan_row=None, started_at=at(2016, 1, 1), list_mrr=10000)
    subscription(bloom, plan_row=None, started_at=at(2016, 1, 1), ended_at=at(2016, 4, 20),
                 list_mrr=3000)  # fmt: skip
    eur = subscription(bloom, plan_row=None, started_at=at(2016, 1, 1), list_mrr=2500)
    eur.currency = "eur"
    eur.save()
    subscription(dune, plan_row=None, started_at=at(2016, 1, 1), list_mrr=7000)
    ticket(acme, at(2016, 3, 2))
    ticket(bloom, at(2016, 3, 31, 23))
    ticket(acme, at(2016, 4, 2))
    ticket(bloom, at(2016, 4, 3))
    ticket(cargo, at(2016, 4, 30, 23, 59))
    ticket(dune, at(2016, 5, 1))  # May: not April
    ticket(None, at(2016, 4, 4))  # no customer: counted nowhere


def test_march_and_april_worked_by_hand(company, analyst_client, django_assert_num_queries):
    with django_assert_num_queries(4):  # token with its user, settings, subscriptions, customers
        march = analyst_client.get(URL, {"month": "2016-03"}).json()
    assert (march["mrr"], march["customers"], march["paying_customers"]) == ("130.00", 2, 2)
    assert march["other_currency_customers"] == 1
    assert march["at"] == "2016-04-01T00:00:00Z"
    april = analyst_client.get(URL, {"month": "2016-04"}).json()
    assert (april["mrr"], april["customers"], april["paying_customers"]) == ("100.00", 3, 1)
    assert april["other_currency_customers"] == 1  # Bloom's EUR subscription still runs
    assert april["in_progress"] is False


def test_csv_equals_json(company, analyst_client):
    data = analyst_client.get(URL, {"month": "2016-03"}).json()
    response = analyst_client.get(URL, {"month": "2016-03", "format": "csv"})
    (row,) = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert row["mrr"] == data["mrr"] and row["customers"] == str(data["customers"])


def test_bad_and_future_months_are_refused_by_name(company, analyst_client):
    assert "month" in analyst_client.get(URL, {"month": "2016-13"}).json()
    response = analyst_client.get(URL, {"month": "2016-07"})
    assert response.status_code == 400
    assert "has not started yet" in response.json()["month"][0]


def test_needs_sign_in(anon_client, db):
    assert anon_client.get(URL).status_code in (401, 403)
