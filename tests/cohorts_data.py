"""Hand-built customers for the support cohort tests (metric, API and page).

`window_company()` is worked for the window Jan–Mar 2026 (UTC, threshold 500, retention 3
months → measured on Jul 1, 2026); `first_30_company()` for signups in Jun–Aug 2026. The
expected figures are worked out in the tests that use them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from supportops.models import Customer, Subscription, UsageMonth
from tests.factories import ticket_create

_ids = itertools.count(1)


def at(year, month, day, hour=0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def customer(name: str, signed_up_at: datetime | None) -> Customer:
    return Customer.objects.create(name=name, signed_up_at=signed_up_at)


def usage(who: Customer, **months: int) -> None:
    """usage(acme, m2026_01=900, m2026_02=600): one UsageMonth row per month."""
    for key, calls in months.items():
        year, month = (int(part) for part in key[1:].split("_"))
        UsageMonth.objects.create(
            account_id=f"acct-{who.pk}", customer=who, month=date(year, month, 1), api_calls=calls
        )


def ticket(who: Customer | None, created_at: datetime, **kwargs):
    return ticket_create(who, f"t{next(_ids)}", created_at, **kwargs)


def subscription(who: Customer, *, status: str, started_at: datetime, list_mrr=10_000, **fields):
    live = status in ("active", "past_due") and fields.get("ended_at") is None
    return Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{next(_ids)}",
        customer=who,
        status=status,
        list_mrr_minor=list_mrr,
        mrr_minor=list_mrr if live else 0,
        started_at=started_at,
        **fields,
    )


def window_company() -> dict[str, Customer]:
    """Window Jan–Mar 2026: three customers with a ticket in it, three without, and three
    that belong to neither cohort."""
    made = {}
    # --- contacted support (a ticket created in Jan–Mar 2026) ---
    # A: all 3 months; 900 + 600 + 0 = 1,500 → 500/month, exactly the threshold: not active.
    #    Paying since Jul 2025 and still on Jul 1, 2026: converted, paying at start, retained.
    made["a"] = a = customer("A", at(2025, 6, 1))
    ticket(a, at(2026, 2, 10))
    usage(a, m2026_01=900, m2026_02=600, m2026_03=0)
    subscription(a, status="active", started_at=at(2025, 7, 1))
    # B: signed up mid-window (Feb 15): 2 months, (1,000 + 2,000) / 2 = 1,500/month, active.
    #    A trial from Feb 15 that turned paid on Mar 1, inside the window: converted.
    #    Not paying on Jan 1 (not even signed up).
    made["b"] = b = customer("B", at(2026, 2, 15))
    ticket(b, at(2026, 3, 1))
    usage(b, m2026_02=1000, m2026_03=2000)
    subscription(b, status="active", started_at=at(2026, 2, 15), trial_end_at=at(2026, 3, 1))
    # C: no usage rows at all: 0/month. Paid from Feb 2025 until it ended on May 1, 2026:
    #    converted and paying at the start, not paying on Jul 1: not retained.
    made["c"] = c = customer("C", at(2025, 1, 1))
    ticket(c, at(2026, 1, 5))
    subscription(
        c,
        status="canceled",
        started_at=at(2025, 2, 1),
        canceled_at=at(2026, 4, 1),
        ended_at=at(2026, 5, 1),
    )
    # --- no support contact ---
    # D: a ticket in Dec 2025 (before the window) and a deleted one in Feb: neither counts.
    #    501 × 3 → 501/month, active. Its trial turns paid on Apr 10, after the window: not
    #    converted by its end.
    made["d"] = d = customer("D", at(2025, 3, 1))
    ticket(d, at(2025, 12, 20))
    ticket(d, at(2026, 2, 2), is_deleted=True)
    usage(d, m2026_01=501, m2026_02=501, m2026_03=501)
    subscription(d, status="active", started_at=at(2026, 3, 10), trial_end_at=at(2026, 4, 10))
    # E: 300 in March only → 300 / 3 = 100/month. Canceled during its trial: never paid.
    made["e"] = e = customer("E", at(2025, 12, 1))
    usage(e, m2026_03=300)
    subscription(
        e,
        status="canceled",
        started_at=at(2026, 1, 10),
        trial_end_at=at(2026, 1, 24),
        canceled_at=at(2026, 1, 24),
        ended_at=at(2026, 1, 24),
    )
    # G: no usage; paying since Feb 2024 and still: converted, paying at start, retained.
    made["g"] = g = customer("G", at(2024, 1, 1))
    subscription(g, status="active", started_at=at(2024, 2, 1))
    # --- in neither cohort ---
    # F signed up after the window (with usage in it all the same), H has no signup date
    # (a ticket in the window all the same); an unlinked ticket belongs to nobody.
    made["f"] = f = customer("F", at(2026, 4, 5))
    usage(f, m2026_03=10_000)
    made["h"] = h = customer("H", None)
    ticket(h, at(2026, 2, 1))
    ticket(None, at(2026, 2, 1))
    return made


def first_30_company() -> dict[str, Customer]:
    """Signups in Jun–Aug 2026, followed for 30 days (tickets), 90 days (paying) and the 3
    calendar months after the signup month (usage)."""
    made = {}
    # P: signed up Jun 10; a ticket on Jul 9, 29 days later: contacted support.
    #    Usage Jul–Sep: 300 + 600 + 900 = 1,800 / 3 = 600/month, active (the 10,000 of its
    #    signup month and the 5,000 of October are outside the 3 months).
    #    Started paying Sep 7, 89 days after signup (Jun 10 + 90 days = Sep 8): converted.
    made["p"] = p = customer("P", at(2026, 6, 10))
    ticket(p, at(2026, 7, 9))
    usage(p, m2026_06=10_000, m2026_07=300, m2026_08=600, m2026_09=900, m2026_10=5000)
    subscription(p, status="active", started_at=at(2026, 9, 7))
    # Q: signed up Jul 1; its first ticket on Aug 1, 31 days later: no support contact.
    #    No usage: 0/month. Paying from Oct 5, after Jul 1 + 90 days = Sep 29: not converted.
    made["q"] = q = customer("Q", at(2026, 7, 1))
    ticket(q, at(2026, 8, 1))
    subscription(q, status="active", started_at=at(2026, 10, 5))
    # S: signed up Aug 20, no ticket. Usage Sep–Nov: 1,500 + 0 + 0 → 500/month: not active.
    #    A trial from Aug 20 that turned paid on Sep 3, within 90 days: converted.
    made["s"] = s = customer("S", at(2026, 8, 20))
    usage(s, m2026_09=1500)
    subscription(s, status="active", started_at=at(2026, 8, 20), trial_end_at=at(2026, 9, 3))
    # R signed up May 31, before the window: in neither cohort despite its early ticket.
    made["r"] = r = customer("R", at(2026, 5, 31))
    ticket(r, at(2026, 6, 2))
    return made
