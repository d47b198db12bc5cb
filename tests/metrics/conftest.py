"""Builders for cost inputs, tickets and interactions used by the metrics tests."""

import itertools
from datetime import date
from decimal import Decimal

import pytest

from supportops.models import Expense, Interaction, MetricSettings, TeamMember, Ticket

_ids = itertools.count(1)


@pytest.fixture
def reporting(db):
    """Set the metric settings: `reporting(tz="America/New_York")`."""

    def configure(tz="UTC", currency="USD"):
        MetricSettings.objects.update_or_create(
            pk=1, defaults={"reporting_timezone": tz, "currency": currency}
        )

    configure()
    return configure


@pytest.fixture
def member(db):
    def make(salary, benefits=0, *, fte="1", start=date(2010, 1, 1), end=None, name="Agent"):
        return TeamMember.objects.create(
            name=name,
            annual_salary=Decimal(salary),
            annual_benefits=Decimal(benefits),
            fte=Decimal(fte),
            start_date=start,
            end_date=end,
        )

    return make


@pytest.fixture
def expense(db):
    def make(monthly, *, start=date(2010, 1, 1), end=None, kind="tool", name="Tool"):
        return Expense.objects.create(
            name=name, kind=kind, monthly_amount=Decimal(monthly), start_date=start, end_date=end
        )

    return make


def ticket_row(created_at, solved_at=None, *, is_deleted=False, source="zendesk"):
    return Ticket(
        source=source,
        external_id=str(next(_ids)),
        created_at=created_at,
        updated_at=solved_at or created_at,
        solved_at=solved_at,
        is_deleted=is_deleted,
    )


@pytest.fixture
def ticket(db):
    def make(created_at, solved_at=None, **kwargs):
        row = ticket_row(created_at, solved_at, **kwargs)
        row.save()
        return row

    return make


@pytest.fixture
def message(db):
    def make(created_at, *, ticket=None, role="agent", public=True):
        return Interaction.objects.create(
            source="zendesk",
            external_id=str(next(_ids)),
            ticket=ticket,
            ticket_external_id=ticket.external_id if ticket else "",
            author_role=role,
            is_public=public,
            created_at=created_at,
        )

    return make


@pytest.fixture
def many_tickets(db):
    """Create one ticket per creation time in a single query."""

    def make(created_ats):
        return Ticket.objects.bulk_create(ticket_row(created_at) for created_at in created_ats)

    return make
