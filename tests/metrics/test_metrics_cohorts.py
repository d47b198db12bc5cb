"""Support cohorts (DESIGN.md §4) on hand-built customers: tests/cohorts_data.py."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metrics.cohort_results import FIRST_30_DAYS, Cohort
from metrics.cohorts import WindowUnavailable, latest_window_end, support_cohorts
from metrics.figures.cohorts import cohort_rates_figure, cohort_usage_figure
from metrics.periods import Month, Window
from supportops.models import MetricSettings, Subscription
from tests.cohorts_data import (
    at,
    customer,
    first_30_company,
    subscription,
    ticket,
    usage,
    window_company,
)

pytestmark = pytest.mark.django_db

Q1_2026 = Window(Month(2026, 1), Month(2026, 3))
NOW = at(2026, 12, 1, 12)  # "today" in the brief


@pytest.fixture
def company(reporting):
    return window_company()


def test_window_cohorts(company):
    result = support_cohorts(window=Q1_2026, now=NOW)

    assert result.window == Q1_2026 and result.variant == "window"
    assert result.active_threshold == 500
    # H has no signup date: left out of both cohorts.
    assert result.customers_without_signup_date == 1
    # Retention 3 months after the end of March: Jul 1, 2026, before NOW.
    assert str(result.retention_on) == "2026-07-01"
    assert result.support == Cohort(
        # A, B, C (F signed up after the window, H has no signup date)
        customers=3,
        # A 1,500/3 = 500, B (1,000 + 2,000)/2 = 1,500 (Feb–Mar only), C 0 (no rows):
        # (500 + 1,500 + 0) / 3 = 666.666… → 666.67
        avg_monthly_api_calls=Decimal("666.67"),
        # B only: A's 500 is the threshold itself, not above it
        active_customers=1,
        active_avg_monthly_api_calls=Decimal("1500.00"),
        # A paying since 2025, B's trial turned paid Mar 1, C paid until May: 3 / 3
        converted=3,
        paid_conversion_rate=Decimal("1.0000"),
        # paying on Jan 1: A and C; on Jul 1 only A (C ended May 1): 1 / 2
        paying_at_start=2,
        retained=1,
        retention_rate=Decimal("0.5000"),
    )
    assert result.no_support == Cohort(
        # D (its Dec ticket is before the window, its Feb one deleted), E, G
        customers=3,
        # D 1,503/3 = 501, E 300/3 = 100, G 0: 601 / 3 = 200.333… → 200.33
        avg_monthly_api_calls=Decimal("200.33"),
        active_customers=1,  # D: 501 > 500
        active_avg_monthly_api_calls=Decimal("501.00"),
        # G only: D's trial turns paid Apr 10, after the window; E canceled in its trial
        converted=1,
        paid_conversion_rate=Decimal("0.3333"),
        # G paying on Jan 1 and on Jul 1: 1 / 1
        paying_at_start=1,
        retained=1,
        retention_rate=Decimal("1.0000"),
    )
    assert result.support.active_share == Decimal("0.3333")  # 1 / 3


def test_retention_is_none_while_its_moment_is_in_the_future(company):
    # Jun 15: March has ended, Jul 1 (3 months after it) has not come.
    result = support_cohorts(window=Q1_2026, now=at(2026, 6, 15))

    assert result.support.retention_rate is None and result.support.retained is None
    assert result.no_support.retention_rate is None
    assert result.support.paying_at_start == 2  # the base is known already
    assert not result.retention_known
    # everything else is the same as when measured later
    assert result.support.avg_monthly_api_calls == Decimal("666.67")
    assert result.support.paid_conversion_rate == Decimal("1.0000")


def test_retention_months_come_from_the_settings(company):
    # N = 1: measured on May 1, 2026, the very instant C's subscription ended: C no longer
    # pays, A does (1 of 2).
    MetricSettings.objects.filter(pk=1).update(retention_months=1)
    result = support_cohorts(window=Q1_2026, now=NOW)
    assert str(result.retention_on) == "2026-05-01"
    assert result.support.retention_rate == Decimal("0.5000")
    # N = 0: at the end of the window (Apr 1) C still pays: 2 / 2
    MetricSettings.objects.filter(pk=1).update(retention_months=0)
    assert support_cohorts(window=Q1_2026, now=NOW).support.retention_rate == Decimal("1.0000")


def test_active_threshold_comes_from_the_settings(company):
    # threshold 499: A's 500 is now above it; D's 501 too, E's 100 not.
    MetricSettings.objects.filter(pk=1).update(active_usage_threshold=499)
    result = support_cohorts(window=Q1_2026, now=NOW)
    assert result.active_threshold == 499
    assert result.support.active_customers == 2  # A 500, B 1,500
    assert result.support.active_avg_monthly_api_calls == Decimal("1000.00")  # (500+1,500)/2


def test_months_are_cut_in_the_reporting_time_zone(reporting):
    reporting(tz="America/New_York")
    # Signed up Feb 1, 03:00 UTC = Jan 31, 22:00 in New York: it existed in all 3 months
    # of Jan–Mar (New York). Its only ticket, Apr 1 02:00 UTC, is Mar 31 22:00 there: in W.
    late = customer("Late", at(2026, 2, 1, 3))
    ticket(late, at(2026, 4, 1, 2))
    usage(late, m2026_02=900)
    result = support_cohorts(window=Q1_2026, now=NOW)
    assert result.support.customers == 1 and result.no_support.customers == 0
    assert result.support.avg_monthly_api_calls == Decimal("300.00")  # 900 / 3 months
    assert result.timezone == "America/New_York"


def test_a_customer_who_signed_up_in_the_last_month_counts_one_month(reporting):
    march = customer("March", at(2026, 3, 31, 23))
    usage(march, m2026_03=700)
    result = support_cohorts(window=Q1_2026, now=NOW)
    # 700 / 1 month: active
    assert result.no_support.avg_monthly_api_calls == Decimal("700.00")
    assert result.no_support.active_customers == 1


def test_empty_cohorts_have_no_averages_or_rates(reporting):
    result = support_cohorts(window=Q1_2026, now=NOW)
    for cohort in (result.support, result.no_support):
        assert cohort.customers == 0 and cohort.active_customers == 0
        assert cohort.avg_monthly_api_calls is None
        assert cohort.active_avg_monthly_api_calls is None
        assert cohort.paid_conversion_rate is None and cohort.retention_rate is None
        assert cohort.active_share is None


def test_paid_conversion_edge_cases(reporting):
    # Each customer existed all of Q1; none contacted support.
    subs = {
        # past due counts as paying
        "past_due": dict(status="past_due", started_at=at(2026, 2, 1)),
        # a free price never pays
        "free": dict(status="active", started_at=at(2026, 2, 1), list_mrr=0),
        # the first payment never went through
        "expired": dict(
            status="incomplete_expired", started_at=at(2026, 2, 1), ended_at=at(2026, 2, 2)
        ),
        # still trialing at the end (its trial is over, but it never converted)
        "trialing": dict(status="trialing", started_at=at(2026, 2, 1), trial_end_at=at(2026, 3, 1)),
        # started on the first instant after the window: too late
        "too_late": dict(status="active", started_at=at(2026, 4, 1)),
        # paid for a while in 2025 and ended before the window: it had started paying
        "ended_before": dict(status="canceled", started_at=at(2025, 1, 1), ended_at=at(2025, 6, 1)),
    }
    for name, fields in subs.items():
        subscription(customer(name, at(2025, 1, 1)), **fields)
    result = support_cohorts(window=Q1_2026, now=NOW)
    # past_due and ended_before: 2 of 6 → 0.3333
    assert result.no_support.converted == 2
    assert result.no_support.paid_conversion_rate == Decimal("0.3333")
    assert Subscription.objects.count() == 6


def test_first_30_days_variant(reporting):
    first_30_company()
    window = Window(Month(2026, 6), Month(2026, 8))
    result = support_cohorts(window=window, variant=FIRST_30_DAYS, now=NOW)

    assert result.variant == FIRST_30_DAYS and result.retention_on is None
    assert result.support == Cohort(
        # P: a ticket 29 days after signup (R signed up in May: not in W)
        customers=1,
        # (300 + 600 + 900) / 3 = 600
        avg_monthly_api_calls=Decimal("600.00"),
        active_customers=1,
        active_avg_monthly_api_calls=Decimal("600.00"),
        # paying from Sep 7, 89 days after signup
        converted=1,
        paid_conversion_rate=Decimal("1.0000"),
        retention_rate=None,
    )
    assert result.no_support == Cohort(
        # Q (first ticket 31 days after signup) and S (none)
        customers=2,
        # Q 0, S 1,500 / 3 = 500: (0 + 500) / 2 = 250
        avg_monthly_api_calls=Decimal("250.00"),
        active_customers=0,  # S's 500 is not above 500
        active_avg_monthly_api_calls=None,
        # S (trial turned paid Sep 3); Q paid from Oct 5, past its 90 days: 1 / 2
        converted=1,
        paid_conversion_rate=Decimal("0.5000"),
        retention_rate=None,
    )


def test_first_30_days_boundaries_are_exact(reporting):
    signup = at(2026, 7, 15, 12)
    exactly_30 = customer("Exactly 30 days", signup)
    ticket(exactly_30, at(2026, 8, 14, 12))  # signup + 30 × 24 h: not within
    just_in = customer("Just in", signup)
    ticket(just_in, at(2026, 8, 14, 11))  # an hour before: within
    result = support_cohorts(
        window=Window(Month(2026, 7), Month(2026, 7)), variant=FIRST_30_DAYS, now=NOW
    )
    assert (result.support.customers, result.no_support.customers) == (1, 1)


def test_the_default_windows(reporting):
    # On Dec 1, 2026: the window variant ends with November, the last complete month; the
    # first-30-days one with August (Sep 1 + 90 days = Nov 30, and Sep–Nov have ended).
    assert support_cohorts(now=NOW).window == Window(Month(2026, 9), Month(2026, 11))
    first_30 = support_cohorts(variant=FIRST_30_DAYS, now=NOW)
    assert first_30.window == Window(Month(2026, 6), Month(2026, 8))
    assert first_30.latest_end == {"window": Month(2026, 11), "first_30_days": Month(2026, 8)}


def test_latest_first_30_window_waits_for_90_days(reporting):
    utc = ZoneInfo("UTC")
    # A window ending Nov 2026: Dec 1 + 90 days = Mar 1, 2027; Dec–Feb end on Mar 1 too.
    assert latest_window_end(variant=FIRST_30_DAYS, now=at(2027, 2, 28), tz=utc) == Month(2026, 10)
    assert latest_window_end(variant=FIRST_30_DAYS, now=at(2027, 3, 1), tz=utc) == Month(2026, 11)
    # Ending Jan 2027: Feb 1 + 90 days = May 2, later than the end of Apr (Feb+Mar+Apr = 89 days)
    assert latest_window_end(variant=FIRST_30_DAYS, now=at(2027, 5, 1), tz=utc) == Month(2026, 12)
    assert latest_window_end(variant=FIRST_30_DAYS, now=at(2027, 5, 2), tz=utc) == Month(2027, 1)


def test_a_window_that_has_not_ended_is_refused(reporting):
    with pytest.raises(WindowUnavailable) as refused:
        support_cohorts(window=Window(Month(2026, 10), Month(2026, 12)), now=NOW)
    assert "Dec 2026 has not ended yet" in str(refused.value)
    assert refused.value.latest == Window(Month(2026, 9), Month(2026, 11))


def test_a_first_30_window_still_being_followed_is_refused(reporting):
    with pytest.raises(WindowUnavailable) as refused:
        support_cohorts(
            window=Window(Month(2026, 9), Month(2026, 9)), variant=FIRST_30_DAYS, now=NOW
        )
    # Oct 1 + 90 days = Dec 30, 2026, but its signups' 3 months (Oct–Dec) end on Jan 1, 2027
    assert "complete on Jan 1, 2027" in str(refused.value)
    assert refused.value.latest == Window(Month(2026, 6), Month(2026, 8))


def test_an_unknown_variant_is_refused(reporting):
    with pytest.raises(ValueError, match="unknown variant 'weekly'"):
        support_cohorts(variant="weekly", now=NOW)


def test_three_queries_whatever_the_size(company, django_assert_num_queries):
    # settings, the grouped cohort query, the customers without a signup date
    with django_assert_num_queries(3):
        support_cohorts(window=Window(Month(2025, 1), Month(2026, 3)), now=NOW)
    with django_assert_num_queries(3):
        support_cohorts(variant=FIRST_30_DAYS, now=NOW)


# --- charts (metrics/figures/cohorts.py) -----------------------------------------------------


def test_rates_figure_compares_the_cohorts(company):
    fig = cohort_rates_figure(support_cohorts(window=Q1_2026, now=NOW))
    support, no_support = fig.data
    assert (support.name, no_support.name) == ("Contacted support", "No support contact")
    assert fig.layout.barmode == "group"
    # active 1/3, converted 3/3, retained 1/2 │ active 1/3, converted 1/3, retained 1/1
    assert list(support.y) == [33.33, 100.0, 50.0]
    assert list(no_support.y) == [33.33, 33.33, 100.0]
    assert list(support.customdata) == ["1 of 3", "3 of 3", "1 of 2"]
    assert not fig.layout.annotations  # retention is known


def test_rates_figure_says_when_retention_will_be_known(company):
    fig = cohort_rates_figure(support_cohorts(window=Q1_2026, now=at(2026, 6, 15)))
    assert fig.data[0].y[2] is None and fig.data[0].text[2] == "n/a"
    (note,) = fig.layout.annotations
    assert note.text == "known on<br>Jul 1, 2026"


def test_usage_figure_and_the_first_30_rates_have_no_retention(reporting):
    first_30_company()
    result = support_cohorts(
        window=Window(Month(2026, 6), Month(2026, 8)), variant=FIRST_30_DAYS, now=NOW
    )
    rates = cohort_rates_figure(result)
    assert list(rates.data[0].x) == ["Active", "Paid<br>conversion"]
    usage_chart = cohort_usage_figure(result)
    # all customers, active ones: 600, 600 │ 250, none active
    assert list(usage_chart.data[0].y) == [600.0, 600.0]
    assert list(usage_chart.data[1].y) == [250.0, None]
    # 600 × 1.15 = 690 of headroom for the labels
    assert list(usage_chart.layout.yaxis.range) == [0, 690.0]
