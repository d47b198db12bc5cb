"""Hand-built customers, subscriptions, invoices, tickets and replies for the allocation,
support cost vs revenue and bug impact tests (metric, API and page)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from supportops.models import Customer, Expense, Invoice, MetricSettings, Plan, Subscription
from tests.factories import message_create, ticket_create

_ids = itertools.count(1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def team_cost_per_month(amount: str) -> Expense:
    """One expense of `amount` a month since 2010: a team cost of exactly that each month."""
    return Expense.objects.create(
        name="Team", kind="overhead", monthly_amount=amount, start_date=date(2010, 1, 1)
    )


def customer(name: str, *, mrr_minor: int = 0, currency: str = "usd") -> Customer:
    return Customer.objects.create(name=name, mrr_minor=mrr_minor, currency=currency)


def plan(name: str, amount_minor: int = 10000) -> Plan:
    return Plan.objects.create(
        source="stripe",
        external_id=f"price_{next(_ids)}",
        name=name,
        unit_amount_minor=amount_minor,
    )


def subscription(
    owner: Customer, *, plan_row: Plan | None, started_at, ended_at=None, list_mrr=10000
):
    status = "canceled" if ended_at else "active"
    return Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{next(_ids)}",
        customer=owner,
        plan=plan_row,
        status=status,
        list_mrr_minor=list_mrr,
        mrr_minor=0 if ended_at else list_mrr,
        started_at=started_at,
        canceled_at=ended_at,
        ended_at=ended_at,
    )


def invoice(
    owner: Customer | None, amount_paid_minor: int, paid_at, *, currency="usd", status="paid"
):
    return Invoice.objects.create(
        source="stripe",
        external_id=f"in_{next(_ids)}",
        customer=owner,
        status=status,
        amount_due_minor=amount_paid_minor,
        amount_paid_minor=amount_paid_minor,
        currency=currency,
        created_at=paid_at,
        paid_at=paid_at if status == "paid" else None,
    )


def ticket(owner: Customer | None, created_at, **fields):
    return ticket_create(owner, f"t{next(_ids)}", created_at, **fields)


def replies(on_ticket, *created_ats, role="agent", public=True) -> None:
    for created_at in created_ats:
        message_create(on_ticket, f"m{next(_ids)}", created_at, role=role, public=public)


def margin_company() -> dict:
    """Team cost 100.00 a month. January 2016: Acme 1 reply, Bloom 3; February: Acme 1, an
    unlinked ticket 1. Acme (Pro) pays 50.00 in January; Bloom is free; Cargo has no tickets
    and pays 200.00 in USD and 30.00 in EUR; Euro only pays in EUR; Quiet does nothing.

    Hand-computed: January Acme 25.00, Bloom 75.00; February Acme 50.00, unlinked 50.00.
    """
    team_cost_per_month("100")
    acme = customer("Acme")
    subscription(acme, plan_row=plan("Pro"), started_at=at(2015, 1, 1))
    bloom = customer("Bloom")
    cargo = customer("Cargo")
    euro = customer("Euro")
    quiet = customer("Quiet")
    replies(ticket(acme, at(2016, 1, 2)), at(2016, 1, 3), at(2016, 2, 3))
    replies(ticket(bloom, at(2016, 1, 2)), at(2016, 1, 3), at(2016, 1, 4), at(2016, 1, 5))
    replies(ticket(None, at(2016, 2, 2)), at(2016, 2, 3))
    invoice(acme, 5000, at(2016, 1, 10))
    invoice(acme, 9900, at(2015, 12, 31, 23))  # paid before the window
    invoice(acme, 9900, at(2016, 2, 10), status="open")  # not paid
    invoice(cargo, 20000, at(2016, 2, 28))
    invoice(cargo, 3000, at(2016, 2, 1), currency="eur")
    invoice(euro, 7000, at(2016, 1, 20), currency="EUR")
    invoice(None, 10000, at(2016, 1, 20))  # nobody's: no row
    return {"acme": acme, "bloom": bloom, "cargo": cargo, "euro": euro, "quiet": quiet}


def bug_company() -> dict:
    """Team cost 100.00 a month; bug tags "bug" and "bug-sync"; an LTV cap of 24 months (no
    paying customer in the churn months: lifetime = the cap). Acme MRR 100.00, Bloom 50.00,
    Cargo 20.00 billed in EUR.

    Replies: January p 1, i1 1, t1 2, q 4 → 8; February i2 2, t2 1, q 1, old 1 → 5.
    """
    MetricSettings.objects.filter(pk=1).update(bug_tags=["bug", " Bug-Sync "], ltv_cap_months=24)
    team_cost_per_month("100")
    acme = customer("Acme", mrr_minor=10000)
    bloom = customer("Bloom", mrr_minor=5000)
    cargo = customer("Cargo", mrr_minor=2000, currency="eur")
    t = {}
    # problem zendesk:<p> with two incidents in the window (one tagged "bug": still the problem's)
    t["p"] = ticket(acme, at(2016, 1, 5), type="problem", subject="Export times out")
    p = t["p"].external_id
    t["i1"] = ticket(bloom, at(2016, 1, 10), type="incident", problem_external_id=p)
    t["i2"] = ticket(acme, at(2016, 2, 3), type="incident", problem_external_id=p, tags=["bug"])
    t["old"] = ticket(acme, at(2015, 12, 1), problem_external_id=p)  # before the window
    ticket(bloom, at(2016, 1, 12), problem_external_id=p, is_deleted=True)
    # the same id in another source is another problem's incident
    ticket(bloom, at(2016, 1, 15), source="intercom", problem_external_id=p)
    # a problem filed before the window, with an incident inside it
    t["p2"] = ticket(acme, at(2015, 12, 5), type="problem", subject="Login loops")
    t["i3"] = ticket(acme, at(2016, 1, 20), problem_external_id=t["p2"].external_id)
    # bug-tagged tickets linked to no problem
    t["t1"] = ticket(cargo, at(2016, 1, 20), tags=["bug", "bug-sync"])
    t["t2"] = ticket(None, at(2016, 2, 10), tags=["BUG", "other"])
    ticket(acme, at(2016, 1, 21), tags=["bugfix", "debug"])  # not a bug tag
    t["q"] = ticket(acme, at(2016, 1, 2), tags=["billing"])
    replies(t["p"], at(2016, 1, 6))
    replies(t["i1"], at(2016, 1, 11))
    replies(t["t1"], at(2016, 1, 21), at(2016, 1, 22))
    replies(t["q"], *(at(2016, 1, d) for d in (3, 4, 5, 6)), at(2016, 2, 1))
    replies(t["i2"], at(2016, 2, 4), at(2016, 2, 5))
    replies(t["t2"], at(2016, 2, 11))
    replies(t["old"], at(2016, 2, 2))
    return {"acme": acme, "bloom": bloom, "cargo": cargo, **t}
