"""A company worked by hand for the Overview (metric, API and page tests): month M = April 2016,
the month before March; windows Feb–Apr 2016 against Jan–Mar 2016; `NOW` mid-May, UTC, USD.

Team cost 100.00 every month (one expense; the one engineer costs nothing). LTV cap 10 months
and nobody on a subscription (no churn measured), so LTV = MRR × 10: Acme (MRR 100.00) 1,000.00,
Bloom (50.00) 500.00, Cargo (0) 0, Dune (0) 0. All signed up in 2015.

Tickets (created at midnight, none solved) and agent replies (→ allocated cost on the reply
basis, 100.00 a month; first reply after):
  Jan  Bloom plain, 1 reply                                 → Bloom 100
  Feb  nothing
  Mar  Acme "Requesting integration for Salesforce" (API), 1 → Acme 50    (1 day)
       Bloom tagged "bug", 1                                 → Bloom 50   (1 day)
  Apr  Acme problem "Export times out" (API), 1              → Acme 25    (6 h)
       Bloom incident of it (API), 2                         → Bloom 50   (1 day)
       Cargo "Requesting integration for HubSpot" (API), 1   → Cargo 25   (12 h)
       Bloom "Requesting integration for Salesforce", none
Invoices paid: Acme 100.00 in March, Cargo 10.00 in April.
Usage: Acme 1,000 calls every month, Cargo 800, Bloom and Dune none (threshold 500).
Coverage: product API, one engineer with a capacity override of 2 tickets a month.

Worked:
- cost per ticket: Mar 100 / 2 = 50.00, Apr 100 / 4 = 25.00 → −50.0 %.
- unprofitable: Jan–Mar Bloom (150 cost, 0 paid) = 1; Feb–Apr Bloom (100, 0) and Cargo (25, 10)
  = 2 (Acme 75 against 100 is not) → +100 %; together 115.00 more cost than revenue.
- cohorts: Jan–Mar wrote in Bloom, Acme (Cargo, Dune did not): active 1 of 2 = 0.5000;
  Feb–Apr Acme, Bloom, Cargo (Dune not): active 2 of 3 = 0.6667 → +33.3 %; no-support 0 of 1.
  Customers who wrote in 2 → 3: +50.0 %.
- coverage: API Mar 1 ticket ≤ 2, Apr 3 > 2 → groups over capacity 0 → 1 (no ratio from 0).
- support ops: median first reply Mar (1,440, 1,440) = 1,440.0 min, Apr (360, 720, 1,440) =
  720.0 → −50.0 %; April 4 created, 0 solved, 7 open at its end (1 + 2 + 4).
- top feature request Feb–Apr: Salesforce (Acme + Bloom) 1,500.00; Jan–Mar (Acme) 1,000.00
  → +50.0 %. HubSpot (Cargo) 0.00.
- top bug Feb–Apr by MRR: the problem (Acme + Bloom) 150.00, support cost 75.00; not in
  Jan–Mar (only the "bug" tag was, 50.00) → no previous.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from supportops.models import Customer, MetricSettings, Product, UsageMonth
from tests.coverage_data import engineer
from tests.support_cost_builders import at, invoice, replies, team_cost_per_month, ticket

NOW = datetime(2016, 5, 15, 12, tzinfo=UTC)
MONTH = "2016-04"
SIGNED_UP = datetime(2015, 1, 1, tzinfo=UTC)
FEATURE = "Requesting integration for {}"


def _customer(name: str, mrr_minor: int) -> Customer:
    return Customer.objects.create(name=name, mrr_minor=mrr_minor, signed_up_at=SIGNED_UP)


def _usage(who: Customer, calls: int) -> None:
    for month in range(1, 5):
        UsageMonth.objects.create(
            account_id=f"acct-{who.pk}", customer=who, month=date(2016, month, 1), api_calls=calls
        )


def overview_company() -> dict:
    MetricSettings.objects.update_or_create(
        pk=1,
        defaults={
            "reporting_timezone": "UTC",
            "currency": "USD",
            "ltv_cap_months": 10,
            "bug_tags": ["bug"],
            "holiday_country": "US",
        },
    )
    team_cost_per_month("100")
    api = Product.objects.create(name="API")
    engineer("Ann", [api], override=2, salary="0")
    acme, bloom = _customer("Acme", 10000), _customer("Bloom", 5000)
    cargo, dune = _customer("Cargo", 0), _customer("Dune", 0)
    _usage(acme, 1000)
    _usage(cargo, 800)
    replies(ticket(bloom, at(2016, 1, 5)), at(2016, 1, 6))
    salesforce = FEATURE.format("Salesforce")
    replies(ticket(acme, at(2016, 3, 3), subject=salesforce, product=api), at(2016, 3, 4))
    replies(ticket(bloom, at(2016, 3, 10), tags=["bug"]), at(2016, 3, 11))
    problem = ticket(acme, at(2016, 4, 2), type="problem", subject="Export times out", product=api)
    replies(problem, at(2016, 4, 2, 6))
    incident = ticket(
        bloom, at(2016, 4, 5), type="incident", problem_external_id=problem.external_id, product=api
    )
    replies(incident, at(2016, 4, 6), at(2016, 4, 7))
    replies(ticket(cargo, at(2016, 4, 8), subject=FEATURE.format("HubSpot"), product=api),
            at(2016, 4, 8, 12))  # fmt: skip
    ticket(bloom, at(2016, 4, 20), subject=salesforce)
    invoice(acme, 10000, at(2016, 3, 20))
    invoice(cargo, 1000, at(2016, 4, 20))
    return {"acme": acme, "bloom": bloom, "cargo": cargo, "dune": dune, "problem": problem}
