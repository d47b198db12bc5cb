"""Monthly API calls of the synthetic company, as the usage CSV contract (VENDOR_APIS §5.2).

Usage grows with plan and seats, starts at sign-up and stops at churn; customers who file
tickets use the product a little more, so the support-cohort charts have something to show.
Some rows carry another system's id instead of relying on the account key alone.

"Now" is the company's ``end_at``: no month after its month, and that month, still under way,
holds only the calls of its days so far (``end_at``'s day included), not a whole month's.
"""

from __future__ import annotations

import calendar
import csv
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from .model import Company
from .stripe_model import stripe_id

COLUMNS = [
    "account_id",
    "month",
    "api_calls",
    "source",
    "account_name",
    "stripe_customer_id",
    "zendesk_organization_id",
]
PLAN_CALLS = {"free": 300, "starter": 2_500, "pro": 12_000, "enterprise": 60_000}


def _months(start: date, end: date):
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield date(year, month, 1)
        year, month = (year, month + 1) if month < 12 else (year + 1, 1)


def month_to_date(calls: int, month: date, through: date) -> int:
    """A whole month's `calls`, or, for the month of `through` (still under way), the share of
    its days up to and including `through`, rounded down."""
    if (month.year, month.month) != (through.year, through.month):
        return calls
    return calls * through.day // calendar.monthrange(through.year, through.month)[1]


def usage_rows(company: Company) -> list[dict]:
    today = company.end_at.date()
    rng = random.Random(company.seed * 7919 + 5)
    tickets = Counter(t.customer_index for t in company.tickets.values())
    rows = []
    for customer in company.customers:
        keen = 1.15 if tickets[customer.index] else 1.0
        first = max(customer.signed_up_at, company.start_at).date()
        last = (customer.churned_at or company.end_at).date()
        for n, month in enumerate(_months(first, last)):
            # A customer that upgraded uses the product like its new plan from the month after.
            plan = customer.plan_at(datetime.combine(month, time(), UTC) - timedelta(days=1))
            seats = customer.seats if plan == customer.plan else 1
            base = PLAN_CALLS.get(plan, 300) * max(1, seats) ** 0.5 * keen
            calls = int(base * (1 + 0.04 * n) * rng.uniform(0.7, 1.3))
            calls = month_to_date(calls, month, today)
            row = {
                "account_id": customer.account_id,
                "month": month.isoformat(),
                "api_calls": calls,
                "source": "segment",
                "account_name": customer.name,
                "stripe_customer_id": "",
                "zendesk_organization_id": "",
            }
            if customer.index % 5 == 0:
                row["stripe_customer_id"] = stripe_id("cus", customer.account_id)
            if customer.index % 7 == 0:
                row["zendesk_organization_id"] = str(customer.org_id)
            rows.append(row)
    return rows + _unknown_rows(company)


# Self-serve sign-ups the helpdesk, billing and CRM have never seen: no shared id, no domain, so
# they stay unmatched until an admin links them.
UNKNOWN_ACCOUNTS = [("acct_9001", "Trial workspace 9001"), ("acct_9002", "Trial workspace 9002")]


def _unknown_rows(company: Company) -> list[dict]:
    today = company.end_at.date()
    month = today.replace(day=1)
    return [
        {
            "account_id": account,
            "month": month.isoformat(),
            "api_calls": month_to_date(120 + 40 * n, month, today),
            "source": "segment",
            "account_name": name,
            "stripe_customer_id": "",
            "zendesk_organization_id": "",
        }
        for n, (account, name) in enumerate(UNKNOWN_ACCOUNTS)
    ]


def write_usage_csv(company: Company, path: Path) -> int:
    rows = usage_rows(company)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)
