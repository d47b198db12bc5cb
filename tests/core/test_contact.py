"""Last contact and ticket count kept on Customer (supportops/contact.py), worked by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from supportops.contact import customer_contact_refresh
from supportops.customers import customers_merge, identity_link
from supportops.models import Customer, CustomerIdentity, Ticket
from tests.factories import message_create as _message
from tests.factories import ticket_create as _ticket

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
DAY = timedelta(days=1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():
    """Acme: ticket a1 with a customer message (10 days ago) and an agent reply (9 days ago),
    then an internal note (1 day ago) and a public system message (12 hours ago), neither of
    which is contact; a deleted ticket a2 whose public message (5 hours ago) no longer counts.
    Beta: one ticket with no messages. Cero: nothing at all."""
    acme = Customer.objects.create(name="Acme")
    beta = Customer.objects.create(name="Beta")
    cero = Customer.objects.create(name="Cero")
    a1 = _ticket(acme, "a1", NOW - 10 * DAY)
    _message(a1, "a1-1", NOW - 10 * DAY, role="customer")
    _message(a1, "a1-2", NOW - 9 * DAY, role="agent")
    _message(a1, "a1-3", NOW - DAY, role="agent", public=False)
    _message(a1, "a1-4", NOW - DAY / 2, role="system")
    a2 = _ticket(acme, "a2", NOW - 2 * DAY, is_deleted=True)
    _message(a2, "a2-1", NOW - timedelta(hours=5), role="customer")
    _ticket(beta, "b1", NOW - 3 * DAY)
    return {"acme": acme, "beta": beta, "cero": cero, "a1": a1, "a2": a2}


def _columns(*customers):
    return [
        tuple(Customer.objects.filter(pk=c.pk).values_list("last_contact_at", "ticket_count")[0])
        for c in customers
    ]


EXPECTED = [(NOW - 9 * DAY, 1), (None, 1), (None, 0)]


def test_every_customer(book):
    assert customer_contact_refresh() == 2  # Cero had (None, 0) already: not rewritten
    assert _columns(book["acme"], book["beta"], book["cero"]) == EXPECTED
    assert customer_contact_refresh() == 0  # nothing changed since


def test_given_customers_only(book):
    assert customer_contact_refresh(customer_ids=[book["acme"].pk, None]) == 1
    assert _columns(book["acme"], book["beta"]) == [EXPECTED[0], (None, 0)]  # Beta untouched


def test_both_forms_agree_after_changes(book):
    customer_contact_refresh()
    # A new public reply moves last contact; a later internal note does not.
    _message(book["a1"], "a1-5", NOW - 2 * DAY, role="agent")
    _message(book["a1"], "a1-6", NOW - DAY / 4, role="customer", public=False)
    # Undeleting a2 brings back its ticket and its message; deleting a1 drops both of its.
    Ticket.objects.filter(pk=book["a2"].pk).update(is_deleted=False)
    _ticket(book["beta"], "b2", NOW - DAY)
    customer_contact_refresh()
    everyone = _columns(book["acme"], book["beta"], book["cero"])
    assert everyone == [(NOW - timedelta(hours=5), 2), (None, 2), (None, 0)]
    Ticket.objects.filter(pk=book["a2"].pk).update(is_deleted=True)
    customer_contact_refresh(customer_ids=[book["acme"].pk])
    assert _columns(book["acme"]) == [(NOW - 2 * DAY, 1)]
    Ticket.objects.filter(pk=book["a1"].pk).update(is_deleted=True)
    customer_contact_refresh()
    assert _columns(book["acme"]) == [(None, 0)]


def test_merge_recomputes_the_target(book):
    customer_contact_refresh()
    merged = customers_merge(target=book["beta"], others=[book["acme"]])
    assert (merged.last_contact_at, merged.ticket_count) == (NOW - 9 * DAY, 2)


def test_manual_link_recomputes_both_customers(book):
    org = CustomerIdentity.objects.create(
        source="zendesk", external_id="org-1", customer=book["acme"]
    )
    Ticket.objects.filter(pk=book["a1"].pk).update(organization_external_id="org-1")
    customer_contact_refresh()
    identity_link(identity=org, customer=book["cero"])  # a1 moves from Acme to Cero
    assert _columns(book["acme"], book["cero"]) == [(None, 0), (NOW - 9 * DAY, 1)]
