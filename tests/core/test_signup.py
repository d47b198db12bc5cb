"""Signup date (DESIGN.md §4): the earliest creation time any linked source reports."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from supportops.customers import customers_merge, identity_link
from supportops.models import Contact, Customer, CustomerIdentity
from supportops.signup import customer_signup_refresh

pytestmark = pytest.mark.django_db


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def identity(customer, source, external_id, created_at, **fields) -> CustomerIdentity:
    return CustomerIdentity.objects.create(
        source=source,
        external_id=external_id,
        customer=customer,
        source_created_at=created_at,
        match_method="created" if customer else "",
        **fields,
    )


def contact(customer, external_id, created_at, *, role="end-user", **fields) -> Contact:
    return Contact.objects.create(
        source="zendesk",
        external_id=external_id,
        customer=customer,
        role=role,
        source_created_at=created_at,
        **fields,
    )


def signed_up(customer: Customer) -> datetime | None:
    customer.refresh_from_db(fields=["signed_up_at"])
    return customer.signed_up_at


@pytest.fixture
def acme():
    return Customer.objects.create(name="Acme")


def test_the_earliest_source_wins(acme, django_assert_num_queries):
    identity(acme, "zendesk", "361", at(2020, 3, 1))
    identity(acme, "stripe", "cus_A", at(2019, 6, 15))
    identity(acme, "usage", "acct_1", at(2019, 5, 1))  # first usage month 2019-05, 00:00 UTC

    with django_assert_num_queries(1):
        assert customer_signup_refresh() == 1

    assert signed_up(acme) == at(2019, 5, 1)


def test_a_requester_created_earlier_than_every_account_counts(acme):
    identity(acme, "zendesk", "361", at(2020, 3, 1))
    contact(acme, "u1", at(2018, 2, 3, 4, 5))

    customer_signup_refresh()

    assert signed_up(acme) == at(2018, 2, 3, 4, 5)


def test_agents_leads_inactive_people_and_deleted_records_do_not_count(acme):
    identity(acme, "zendesk", "361", at(2020, 3, 1))
    identity(acme, "stripe", "cus_gone", at(2010, 1, 1), is_deleted=True)
    contact(acme, "agent", at(2011, 1, 1), role="agent")
    contact(acme, "admin", at(2011, 1, 1), role="admin")
    contact(acme, "lead", at(2012, 1, 1), role="lead")
    contact(acme, "suspended", at(2013, 1, 1), is_active=False)

    customer_signup_refresh()

    assert signed_up(acme) == at(2020, 3, 1)


def test_created_at_is_never_used(acme):
    identity(acme, "zendesk", "361", None)
    contact(acme, "u1", None)

    customer_signup_refresh()

    assert acme.created_at is not None and signed_up(acme) is None


def test_only_the_named_customers_are_recomputed(acme):
    globex = Customer.objects.create(name="Globex")
    identity(acme, "zendesk", "1", at(2020, 1, 1))
    identity(globex, "zendesk", "2", at(2021, 1, 1))

    assert customer_signup_refresh(customer_ids=[globex.pk]) == 1

    assert signed_up(acme) is None and signed_up(globex) == at(2021, 1, 1)


def test_a_merge_recomputes_the_signup(acme):
    dup = Customer.objects.create(name="ACME Inc")
    identity(acme, "zendesk", "361", at(2020, 3, 1))
    identity(dup, "stripe", "cus_A", at(2019, 6, 15))
    customer_signup_refresh()
    assert signed_up(acme) == at(2020, 3, 1)

    kept = customers_merge(target=acme, others=[dup])

    assert kept.signed_up_at == at(2019, 6, 15) and signed_up(acme) == at(2019, 6, 15)


def test_a_manual_link_recomputes_both_customers(acme):
    elsewhere = Customer.objects.create(name="Acme (billing)")
    identity(acme, "zendesk", "361", at(2020, 3, 1))
    stripe = identity(acme, "stripe", "cus_A", at(2019, 6, 15))
    customer_signup_refresh()
    assert signed_up(acme) == at(2019, 6, 15)

    identity_link(identity=stripe, customer=elsewhere)

    assert signed_up(acme) == at(2020, 3, 1) and signed_up(elsewhere) == at(2019, 6, 15)

    identity_link(identity=stripe, customer=None)

    assert signed_up(elsewhere) is None
