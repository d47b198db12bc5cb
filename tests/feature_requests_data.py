"""A small company asking for integrations, shared by the feature-request metric, API and page
tests. Today is 2026-12-01; the default window is Sep–Nov 2026.

Everyone has paid since Jan 2025 and nobody stopped: churn 0, so every lifetime is the cap of
60 months and LTV = MRR × 60.

| customer | currency | MRR    | LTV       | paid invoices (realized)          |
|----------|----------|--------|-----------|-----------------------------------|
| Acme     | USD      | 199.00 | 11,940.00 | 199.00 + 199.00 = 398.00 (+1 open)|
| Globex   | USD      |  50.00 |  3,000.00 | 100.00                            |
| Initech  | EUR      |  80.00 |  4,800.00 | 80.00 (EUR)                       |

Tickets in the window: Acme `"Salesforce"` (Sep 5), `salesforce` (Oct 9), `HubSpot` (Nov 2);
Globex `“SalesForce”` (Oct 20); Initech `Salesforce ` (Nov 12); nobody `'Zapier'` (Sep 30).
Left out: Acme's Salesforce of Aug 30 (before the window), a deleted one, "Password reset".
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from supportops.models import Customer, Invoice, MetricSettings, Subscription
from tests.factories import ticket_create

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
SINCE = datetime(2025, 1, 1, tzinfo=UTC)
_ids = itertools.count(1)


def _customer(name, *, mrr, currency="usd", paid=()):
    customer = Customer.objects.create(name=name, mrr_minor=mrr, currency=currency, is_paying=True)
    Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{next(_ids)}",
        customer=customer,
        status="active",
        list_mrr_minor=mrr,
        mrr_minor=mrr,
        currency=currency,
        started_at=SINCE,
    )
    for status, amount in paid:
        Invoice.objects.create(
            source="stripe",
            external_id=f"in_{next(_ids)}",
            customer=customer,
            status=status,
            amount_due_minor=amount,
            amount_paid_minor=amount if status == "paid" else 0,
            currency=currency,
            created_at=SINCE,
        )
    return customer


def _ticket(customer, subject, created_at, **kwargs):
    return ticket_create(customer, f"t{next(_ids)}", created_at, subject=subject, **kwargs)


def feature_request_company() -> dict[str, Customer]:
    MetricSettings.load()
    acme = _customer("Acme", mrr=19900, paid=[("paid", 19900), ("paid", 19900), ("open", 19900)])
    globex = _customer("Globex", mrr=5000, paid=[("paid", 10000)])
    initech = _customer("Initech", mrr=8000, currency="eur", paid=[("paid", 8000)])
    sep5 = datetime(2026, 9, 5, 10, tzinfo=UTC)
    _ticket(acme, 'Requesting integration for "Salesforce"', sep5)
    _ticket(acme, "requesting integration for salesforce", datetime(2026, 10, 9, tzinfo=UTC))
    _ticket(acme, "Requesting integration for HubSpot", datetime(2026, 11, 2, tzinfo=UTC))
    _ticket(globex, "Requesting integration for “SalesForce”", datetime(2026, 10, 20, tzinfo=UTC))
    _ticket(initech, "Requesting integration for Salesforce ", datetime(2026, 11, 12, tzinfo=UTC))
    _ticket(None, "Requesting integration for 'Zapier'", datetime(2026, 9, 30, tzinfo=UTC))
    _ticket(acme, "Requesting integration for Salesforce", datetime(2026, 8, 30, tzinfo=UTC))
    _ticket(
        acme,
        "Requesting integration for Salesforce",
        datetime(2026, 10, 1, tzinfo=UTC),
        is_deleted=True,
    )
    _ticket(globex, "Password reset", datetime(2026, 10, 2, tzinfo=UTC))
    return {"acme": acme, "globex": globex, "initech": initech}
