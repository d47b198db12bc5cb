"""The Zendesk sync keeps each customer's last contact and ticket count (supportops/contact.py).

Expected values come from the sandbox's Company objects, not from the database.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from connectors.sync import sync_source
from supportops.models import Customer, CustomerIdentity, SyncRun

from .conftest import END_AT

pytestmark = pytest.mark.django_db


def _expected(company, org_id):
    """(latest public comment, live tickets) of one organization, from the sandbox."""
    tickets = [t for t in company.tickets.values() if t.organization_id == org_id and not t.deleted]
    times = [c.created_at for t in tickets for c in t.comments if c.public]
    return max(times, default=None), len(tickets)


def _customer(org_id) -> Customer:
    identity = CustomerIdentity.objects.get(source="zendesk", external_id=str(org_id))
    return Customer.objects.get(pk=identity.customer_id)


def _columns(org_id):
    customer = _customer(org_id)
    return customer.last_contact_at, customer.ticket_count


def _sync():
    run = sync_source(source="zendesk")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error


def test_first_sync_fills_every_customer(zendesk, company):
    _sync()
    for customer in company.customers:
        assert _columns(customer.org_id) == _expected(company, customer.org_id), customer.name


def test_later_syncs_follow_replies_notes_and_deletions(zendesk, company):
    _sync()
    org_id = max((c.org_id for c in company.customers), key=lambda o: _expected(company, o)[1])
    ticket = next(
        t for t in company.tickets.values() if t.organization_id == org_id and not t.deleted
    )
    last_before, count_before = _expected(company, org_id)
    assert _columns(org_id) == (last_before, count_before) and count_before > 1
    agent = company.agents[0].user_id

    # A public reply an hour after the data ends moves last contact there.
    reply_at = END_AT + timedelta(hours=1)
    company.add_comment(ticket.id, author_id=agent, body="Any news?", public=True, at=reply_at)
    _sync()
    assert _columns(org_id) == (reply_at, count_before)

    # An internal note later still is not contact.
    note_at = END_AT + timedelta(hours=2)
    company.add_comment(ticket.id, author_id=agent, body="note", public=False, at=note_at)
    _sync()
    assert _columns(org_id) == (reply_at, count_before)

    # Deleting that ticket drops it from the count and its messages from last contact: back
    # to the latest public comment of the organization's other tickets.
    company.delete_ticket(ticket.id, END_AT + timedelta(hours=3))
    _sync()
    others = [
        c.created_at
        for t in company.tickets.values()
        if t.organization_id == org_id and not t.deleted
        for c in t.comments
        if c.public
    ]
    assert _columns(org_id) == (max(others), count_before - 1)
    assert max(others) <= last_before  # the hand-made reply is gone with its ticket
