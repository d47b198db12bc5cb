"""Hand-built companies for product coverage and the hiring forecast (DESIGN.md §4), shared by
the metric, API and page tests; the expected numbers are worked in
tests/metrics/test_metrics_coverage.py."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

from supportops.models import Customer, Product, TeamMember, Ticket

_ids = itertools.count(1)


def at(year, month, day=10, hour=12):
    return datetime(year, month, day, hour, tzinfo=UTC)


def tickets(count, created_at, *, product=None, customer=None, is_deleted=False):
    """`count` tickets created at `created_at`, in one query."""
    Ticket.objects.bulk_create(
        Ticket(
            source="zendesk",
            external_id=f"c{next(_ids)}",
            created_at=created_at,
            updated_at=created_at,
            product=product,
            customer=customer,
            is_deleted=is_deleted,
        )
        for _ in range(count)
    )


def engineer(
    name,
    products,
    *,
    fte="1",
    start=date(2010, 1, 1),
    end=None,
    override=None,
    salary="60000",
    benefits="0",
):
    member = TeamMember.objects.create(
        name=name,
        annual_salary=Decimal(salary),
        annual_benefits=Decimal(benefits),
        fte=Decimal(fte),
        start_date=start,
        end_date=end,
        capacity_override=override,
    )
    member.products.set(products)
    return member


def coverage_company():
    a = Product.objects.create(name="A")
    b = Product.objects.create(name="B")
    c = Product.objects.create(name="C")
    enterprise = Product.objects.create(name="Enterprise", is_enterprise_group=True)
    small = Customer.objects.create(name="Small")
    big = Customer.objects.create(name="Big", is_enterprise=True)
    feb = at(2016, 2)
    tickets(300, feb, product=a, customer=small)
    tickets(20, feb, product=a, customer=big)  # → Enterprise
    tickets(40, feb, customer=big)  # no product, enterprise customer → Enterprise
    tickets(50, feb, product=b, customer=small)
    tickets(20, feb, product=c, customer=small)
    tickets(10, feb, customer=small)  # → Unassigned
    tickets(5, feb)  # no customer, no product → Unassigned
    tickets(7, feb, product=a, customer=small, is_deleted=True)  # ignored
    tickets(9, at(2016, 3), product=a, customer=small)  # another month
    tickets(190, at(2016, 1), product=a, customer=small)
    engineer("Ann", [a])
    engineer("Bob", [a, enterprise])  # FTE / 2 to each
    engineer("Cat", [b], fte="0.5", override=300)
    engineer("Dan", [b], start=date(2016, 2, 15))  # Feb 15–29: 15 of 29 days
    engineer("Ed", [a], end=date(2016, 1, 31))  # gone before February
    return {"a": a, "b": b, "enterprise": enterprise}


def growing_company():
    """A grows by 20 tickets a month, Jan–Jun 2016; B stays at 10; the clock: Jul 15, 2016."""
    a = Product.objects.create(name="A")
    b = Product.objects.create(name="B")
    for month, count in enumerate([50, 70, 90, 110, 130, 150], start=1):
        tickets(count, at(2016, month), product=a)
        tickets(10, at(2016, month), product=b)
    tickets(500, at(2016, 7, 2), product=a)  # the month in progress is not history
    engineer("Ann", [a], salary="60000", benefits="12000")  # 6,000 a month
    engineer("Zed", [], fte="0.5", salary="120000")  # 10,000 a month full time
    return {"a": a, "b": b}
