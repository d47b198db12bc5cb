"""A hand-built month of support for support operations (DESIGN.md §4), shared by the metric,
API and page tests; the expected numbers are worked in tests/metrics/test_metrics_support_ops.py.

M is March 2016 (UTC). Products Api, Billing and the Enterprise group; Acme is an enterprise
customer on Pro, Bolt moved from Basic to Plus mid-March, Cora pays nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from supportops.models import Customer, Product
from tests.factories import message_create, ticket_create
from tests.support_cost_builders import plan, subscription

MONTH = "2016-03"


def at(month, day, hour=0, minute=0, second=0, year=2016) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _messages(ticket, *offsets, role="agent", public=True):
    for n, offset in enumerate(offsets):
        message_create(
            ticket,
            f"{ticket.external_id}-{role}-{public}-{n}",
            ticket.created_at + offset,
            role=role,
            public=public,
        )


def support_month() -> dict[str, object]:
    """The tickets T1…T11 of the worked example; returns the rows by name."""
    api = Product.objects.create(name="Api")
    billing = Product.objects.create(name="Billing")
    Product.objects.create(name="Enterprise", is_enterprise_group=True)
    acme = Customer.objects.create(name="Acme", is_enterprise=True)
    bolt = Customer.objects.create(name="Bolt")
    cora = Customer.objects.create(name="Cora")
    subscription(acme, plan_row=plan("Pro"), started_at=at(1, 1, year=2015))
    subscription(bolt, plan_row=plan("Basic"), started_at=at(1, 1, year=2015), ended_at=at(3, 15))
    subscription(bolt, plan_row=plan("Plus"), started_at=at(3, 15))
    minutes = lambda n: timedelta(minutes=n)  # noqa: E731

    t1 = ticket_create(
        bolt, "T1", at(3, 2, 10), at(3, 3, 10), product=api, channel="email",
        first_reply_minutes=30, full_resolution_minutes=1440, reopens=0,
    )  # fmt: skip
    _messages(t1, minutes(10), public=False)  # an internal note first: not a reply
    _messages(t1, timedelta(minutes=30, seconds=20))  # 30.33 minutes
    _messages(t1, minutes(5), role="customer")
    t2 = ticket_create(
        bolt, "T2", at(3, 5, 9), at(3, 5, 13), product=api, channel="email",
        first_reply_minutes=40, full_resolution_minutes=240, reopens=1,
    )  # fmt: skip
    _messages(t2, minutes(45), minutes(120))  # two agent replies: not one-touch
    t3 = ticket_create(cora, "T3", at(3, 10), product=billing, channel="chat")
    _messages(t3, minutes(1), role="customer")  # no agent reply: first reply null
    t4 = ticket_create(
        acme, "T4", at(2, 20), at(3, 1), product=api, channel="web", reopens=2,
    )  # fmt: skip
    _messages(t4, minutes(60))
    t5 = ticket_create(None, "T5", at(1, 15), channel="email")  # open since January
    t6 = ticket_create(bolt, "T6", at(2, 25), at(4, 2), product=billing, channel="chat")
    t7 = ticket_create(
        bolt, "T7", at(3, 3), at(3, 4), product=api, channel="email", is_deleted=True,
        first_reply_minutes=1, full_resolution_minutes=1440, reopens=5,
    )  # fmt: skip
    _messages(t7, minutes(1))
    t8 = ticket_create(
        cora, "T8", at(3, 20, 12), at(3, 20, 14), product=billing, channel="chat",
        first_reply_minutes=15, source="intercom",
    )  # fmt: skip
    _messages(t8, minutes(15))
    _messages(t8, minutes(30), public=False)
    t9 = ticket_create(bolt, "T9", at(2, 1), at(2, 2), product=api, channel="email")
    t10 = ticket_create(bolt, "T10", at(4, 1), product=api, channel="email")
    return {f"t{n}": t for n, t in enumerate([t1, t2, t3, t4, t5, t6, t7, t8, t9, t10], 1)}
