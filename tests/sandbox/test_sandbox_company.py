"""The synthetic company: deterministic, shaped like a real support business."""

from __future__ import annotations

import json
import os
import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from connectors.sandbox import build_company, zendesk_json
from connectors.sandbox.model import REGION_FIELD_ID

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)
REQUEST = re.compile(r"Requesting integration for (?P<name>.+)", re.IGNORECASE)


def _dump(company) -> str:
    tickets = [zendesk_json.ticket(t, "http://x") for t in company.tickets.values()]
    comments = [
        zendesk_json.comment(c, t.channel) for t in company.tickets.values() for c in t.comments
    ]
    orgs = [zendesk_json.organization(c, "http://x") for c in company.customers]
    return json.dumps([tickets, comments, orgs], sort_keys=True)


def test_same_seed_gives_identical_json():
    first = build_company(seed=7, customers=30, months=4, end_at=END_AT)
    second = build_company(seed=7, customers=30, months=4, end_at=END_AT)
    other = build_company(seed=8, customers=30, months=4, end_at=END_AT)
    assert _dump(first) == _dump(second)
    assert _dump(first) != _dump(other)


def test_default_company_has_a_realistic_shape():
    company = build_company(end_at=END_AT)
    tickets = list(company.tickets.values())
    customers = company.customers
    assert 10_000 <= len(tickets) <= 15_000
    assert company.start_at == datetime(2023, 12, 1, tzinfo=UTC)

    plans = Counter(c.plan for c in customers)  # the plan now: some free customers upgraded
    assert 0.38 < plans["free"] / 250 < 0.6 and plans["enterprise"] >= 5
    assert len({c.name for c in customers}) == len({c.domain for c in customers}) == 250
    assert [c.account_id for c in customers[:2]] == ["acct_0001", "acct_0002"]
    assert 0.05 < sum(c.org_external_id is None for c in customers) / 250 < 0.16
    assert all(c.org_external_id in (None, c.account_id) for c in customers)
    assert all(p.email.endswith("@" + c.domain) for c in customers for p in c.contacts)
    assert len(company.agents) == 8
    assert all(a.email.endswith("@supportops-demo.com") for a in company.agents)

    share = Counter()
    for t in tickets:
        share["feature"] += t.subject.lower().startswith("requesting integration for ")
        share["bug"] += any(tag == "bug" or tag.startswith("bug-") for tag in t.tags)
        share["deleted"] += t.deleted
        share["linked"] += t.problem_id is not None
        share["email_web"] += t.channel in ("email", "web")
    assert 0.03 < share["feature"] / len(tickets) < 0.07
    assert 0.06 < share["bug"] / len(tickets) < 0.10
    assert 0.005 < share["deleted"] / len(tickets) < 0.015
    assert share["linked"] > 0 and share["email_web"] / len(tickets) > 0.6
    requests = [t.subject for t in tickets if t.subject.lower().startswith("requesting")]
    named = (REQUEST.match(subject)["name"] for subject in requests)
    popular = Counter(name.strip(' "\u201c\u201d').casefold() for name in named)
    assert popular.most_common(1)[0][1] > 50  # a few names repeat a lot
    assert any('"' in subject for subject in requests)

    by_month = Counter(t.created_at.strftime("%Y-%m") for t in tickets)
    assert by_month["2024-09"] > by_month["2024-08"] and by_month["2025-01"] > by_month["2024-12"]
    assert by_month["2025-10"] > by_month["2024-10"]  # growth
    weekend = sum(t.created_at.weekday() >= 5 for t in tickets) / len(tickets)
    assert weekend < 0.15
    per_customer = Counter(customers[t.customer_index].plan for t in tickets)
    assert per_customer["enterprise"] / plans["enterprise"] > per_customer["free"] / plans["free"]

    old = [t for t in tickets if t.created_at < END_AT - timedelta(days=60)]
    assert sum(t.status in ("solved", "closed") for t in old) / len(old) > 0.98
    assert {t.status for t in tickets} >= {"closed", "solved", "open", "pending"}


def test_tickets_are_consistent():
    company = build_company(seed=3, customers=60, months=6, end_at=END_AT)
    comment_ids = [c.id for t in company.tickets.values() for c in t.comments]
    assert len(comment_ids) == len(set(comment_ids))
    ids = list(company.tickets)
    assert ids == sorted(ids) == list(range(1, len(ids) + 1))
    for t in company.tickets.values():
        customer = company.customers[t.customer_index]
        assert t.organization_id == customer.org_id
        assert t.requester_id in {p.user_id for p in customer.contacts}
        assert t.comments[0].author_id == t.requester_id and t.comments[0].public
        assert t.comments[0].created_at == t.created_at
        assert 1 <= len(t.comments) <= 6
        stop = t.solved_at or END_AT
        assert all(t.created_at <= c.created_at <= stop for c in t.comments)
        assert t.created_at <= t.updated_at <= t.generated_at <= END_AT
        assert f"product_{t.product}" in t.tags
        if t.problem_id is not None:
            assert company.tickets[t.problem_id].type == "problem" and t.type == "incident"
            assert company.tickets[t.problem_id].has_incidents
        fields = {f["id"] for f in zendesk_json.ticket(t, "")["custom_fields"]}
        assert (REGION_FIELD_ID in fields) == (t.created_at >= company.region_field_since)
    assert any(not c.public for t in company.tickets.values() for c in t.comments)


def test_mutators_bump_the_change_clock():
    company = build_company(seed=1, customers=5, months=2, end_at=END_AT)
    at = END_AT + timedelta(minutes=5)
    version = company.version
    company.touch_ticket(1, at)
    assert company.tickets[1].generated_at == company.tickets[1].updated_at == at
    new_id = company.add_ticket(customer_index=2, subject="Help", at=at, product="billing")
    assert new_id == max(company.tickets) and company.tickets[new_id].status == "new"
    assert company.tickets[new_id].comments[0].body == "Help"
    agent = company.agents[1].user_id
    comment = company.add_comment(new_id, author_id=agent, body="On it", public=True, at=at)
    assert comment.id == company.tickets[new_id].comments[-1].id
    assert company.tickets[new_id].first_reply_at == at
    company.delete_ticket(1, at)
    assert company.tickets[1].deleted
    assert company.version > version


def test_tickets_per_month_sets_volume():
    company = build_company(seed=5, customers=50, months=12, end_at=END_AT, tickets_per_month=500)
    assert 5_700 <= len(company.tickets) <= 6_300


@pytest.mark.skipif(not os.environ.get("SANDBOX_BENCH"), reason="set SANDBOX_BENCH=1 (about 6 s)")
def test_hundred_thousand_tickets_build_quickly():
    started = time.perf_counter()
    company = build_company(end_at=END_AT, tickets_per_month=100_000 // 24 + 1)
    assert 97_000 <= len(company.tickets) <= 103_000
    assert time.perf_counter() - started < 30
