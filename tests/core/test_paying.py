"""Paying at an instant (DESIGN.md §4), on hand-made subscriptions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import Count

from supportops.models import Customer, Subscription, Ticket
from supportops.paying import customers_paying_at, customers_stopped_paying, paying_at

pytestmark = pytest.mark.django_db

JAN = datetime(2024, 1, 1, tzinfo=UTC)
FEB = datetime(2024, 2, 1, tzinfo=UTC)
MAR = datetime(2024, 3, 1, tzinfo=UTC)
APR = datetime(2024, 4, 1, tzinfo=UTC)
counter = iter(range(1, 10_000))


def subscription(customer, *, status, started_at=JAN, list_mrr=19900, **fields) -> Subscription:
    live = status in ("active", "past_due") and fields.get("ended_at") is None
    return Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{next(counter)}",
        customer=customer,
        status=status,
        list_mrr_minor=list_mrr,
        mrr_minor=list_mrr if live else 0,
        started_at=started_at,
        **fields,
    )


def paying(sub: Subscription, at: datetime) -> bool:
    return Subscription.objects.filter(paying_at(at), pk=sub.pk).exists()


@pytest.fixture
def acme():
    return Customer.objects.create(name="Acme")


def test_a_trial_that_converts_pays_only_after_its_trial(acme):
    sub = subscription(acme, status="active", trial_end_at=FEB)

    assert not paying(sub, JAN) and not paying(sub, datetime(2024, 1, 31, 23, 59, tzinfo=UTC))
    assert paying(sub, FEB) and paying(sub, MAR)


def test_a_trial_still_running_is_not_paying(acme):
    sub = subscription(acme, status="trialing", trial_end_at=APR)

    assert not paying(sub, FEB)
    # its trial is over but it has not converted (the status still says trialing): not paying
    assert not paying(sub, APR)


def test_an_ended_subscription_paid_before_its_end_not_after(acme):
    # canceled: current MRR 0, but it carried $199 a month while it ran
    sub = subscription(acme, status="canceled", canceled_at=FEB, ended_at=MAR)

    assert sub.mrr_minor == 0
    assert not paying(sub, datetime(2023, 12, 31, tzinfo=UTC))  # not started
    assert paying(sub, JAN) and paying(sub, FEB)
    assert not paying(sub, MAR) and not paying(sub, APR)  # ended_at is the first instant off


def test_past_due_counts(acme):
    assert paying(subscription(acme, status="past_due"), FEB)


@pytest.mark.parametrize("status", ["incomplete", "unpaid", "paused", "trialing"])
def test_live_subscriptions_in_other_statuses_do_not_count(acme, status):
    assert not paying(subscription(acme, status=status), FEB)


def test_incomplete_never_counts_even_once_expired(acme):
    sub = subscription(acme, status="incomplete_expired", ended_at=datetime(2024, 1, 2, tzinfo=UTC))

    assert not paying(sub, datetime(2024, 1, 1, 12, tzinfo=UTC))


def test_mrr_zero_never_counts(acme):
    free = subscription(acme, status="active", list_mrr=0)
    ended_free = subscription(acme, status="canceled", list_mrr=0, ended_at=MAR)

    assert not paying(free, FEB) and not paying(ended_free, FEB)


def test_canceled_during_its_trial_never_paid(acme):
    sub = subscription(acme, status="canceled", trial_end_at=MAR, canceled_at=FEB, ended_at=FEB)

    assert not any(paying(sub, at) for at in (JAN, FEB, MAR, APR))


def test_customers_paying_filters_and_aggregates(acme, django_assert_num_queries):
    globex = Customer.objects.create(name="Globex")
    initech = Customer.objects.create(name="Initech")
    subscription(acme, status="active", trial_end_at=FEB)
    subscription(globex, status="canceled", ended_at=MAR)
    subscription(initech, status="trialing", trial_end_at=APR)

    def names(at):
        return sorted(
            Customer.objects.filter(customers_paying_at(at)).values_list("name", flat=True)
        )

    assert names(JAN) == ["Globex"]
    assert names(FEB) == ["Acme", "Globex"]
    assert names(MAR) == ["Acme"]
    with django_assert_num_queries(1):
        counts = Customer.objects.aggregate(
            at_feb=Count("pk", filter=customers_paying_at(FEB)),
            not_at_mar=Count("pk", filter=~customers_paying_at(MAR)),
            stopped_in_feb=Count("pk", filter=customers_stopped_paying(FEB, MAR)),
        )
    assert counts == {"at_feb": 2, "not_at_mar": 2, "stopped_in_feb": 1}
    stopped = Customer.objects.filter(customers_stopped_paying(FEB, MAR))
    assert list(stopped.values_list("name", flat=True)) == ["Globex"]


def test_a_customer_with_two_subscriptions_pays_while_either_does(acme):
    subscription(acme, status="canceled", ended_at=FEB)
    subscription(acme, status="active", started_at=MAR)

    paying_by_month = [
        Customer.objects.filter(customers_paying_at(at), pk=acme.pk).exists()
        for at in (JAN, FEB, MAR)
    ]
    assert paying_by_month == [True, False, True]


def test_rows_of_other_models_name_their_customer(acme):
    subscription(acme, status="active")
    Ticket.objects.create(
        source="zendesk", external_id="t1", customer=acme, created_at=FEB, updated_at=FEB
    )
    Ticket.objects.create(source="zendesk", external_id="t2", created_at=FEB, updated_at=FEB)

    buckets = Ticket.objects.annotate(
        paying=customers_paying_at(MAR, customer="customer_id")
    ).values_list("external_id", "paying")
    assert sorted(buckets) == [("t1", True), ("t2", False)]
