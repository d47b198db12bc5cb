"""Support cohorts (DESIGN.md §4): customers who talked to support against those who did not.

Two variants over a window W of whole months (reporting time zone):
- `window`: customers existing by the end of W with at least one ticket created in W against
  those with none;
- `first_30_days`: customers who signed up in W, split by a ticket within 30 days of signup.

Everything is decided in the database, in one grouped query per call: each customer is
annotated with its cohort flag, the API calls of the months that count for it, whether it is
active, whether it converted and (window variant) whether it paid at the start of W and
still did N months after its end; the query groups customers by (cohort, months counted,
active) and returns a handful of rows of counts and sums, which are combined here exactly
(a mean of per-customer means: Σ over groups of calls / months, over customers).

A window is offered once nothing in it can change: the window variant needs W to have ended;
the first-30-days variant also needs every customer's follow-up (30 days for the split, 90 for
conversion, the 3 calendar months after the signup month for usage) to have ended. Retention
is the one figure measured later: none while its moment is in the future.
"""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from supportops.models import Customer, MetricSettings, Subscription, Ticket, UsageMonth
from supportops.paying import NEVER_PAID_STATUSES, PAYING_STATUSES, customers_paying_at

from .cohort_results import (
    CALLS,
    VARIANTS,
    WINDOW,
    Cohort,
    CohortsResult,
    ratio,
)
from .periods import DEFAULT_WINDOW_MONTHS, BadPeriod, Month, Window

EARLY_TICKET_DAYS = 30  # first-30-days variant: a ticket this soon after signup
CONVERSION_DAYS = 90  # ... and paid conversion this soon after it
USAGE_MONTHS_AFTER_SIGNUP = 3  # ... and usage over these calendar months after its month


class WindowUnavailable(BadPeriod):
    """A window whose figures could still change; `latest` is the latest window on offer."""

    def __init__(self, message: str, *, latest: Window):
        super().__init__(message)
        self.latest = latest


def started_paying_before(at) -> Q:
    """Subscriptions that were paying at some instant before `at`, for Subscription querysets.

    DESIGN's paid conversion: "started a subscription on a paid (non-zero) price, a trial
    counting only once it turned paid". That is `supportops.paying.paying_at(t)` for some
    t < `at`: a paid list price, started before `at`, its trial (if any) over before `at`, and
    paying once past it: a live one is active or past due now; an ended one ran past its start
    and its trial end (one canceled during its trial never paid) and is not a first payment
    that never went through (`incomplete_expired`).

    `at` is a datetime or an expression (e.g. 90 days after the outer customer's signup).
    """
    live = Q(ended_at__isnull=True, status__in=PAYING_STATUSES)
    ran_past_trial = Q(ended_at__gt=F("started_at")) & (
        Q(trial_end_at__isnull=True) | Q(ended_at__gt=F("trial_end_at"))
    )
    ended_after_paying = ran_past_trial & ~Q(status__in=NEVER_PAID_STATUSES)
    trial_over = Q(trial_end_at__isnull=True) | Q(trial_end_at__lt=at)
    return Q(list_mrr_minor__gt=0, started_at__lt=at) & trial_over & (live | ended_after_paying)


# --- which windows are on offer --------------------------------------------------------------


def _settled_at(variant: str, end: Month, tz: tzinfo) -> datetime:
    """When nothing in a window ending with `end` can change any more (retention aside)."""
    end_at = end.bounds(tz)[1]
    if variant == WINDOW:
        return end_at
    usage_over_at = end.shift(USAGE_MONTHS_AFTER_SIGNUP).bounds(tz)[1]
    return max(end_at + timedelta(days=CONVERSION_DAYS), usage_over_at)


def latest_window_end(*, variant: str, now: datetime, tz: tzinfo) -> Month:
    """The latest month a window of `variant` can end with at `now`."""
    month = Month.containing(now, tz)
    while _settled_at(variant, month, tz) > now:
        month = month.shift(-1)
    return month


def _latest_window(latest: Month) -> Window:
    return Window(latest.shift(1 - DEFAULT_WINDOW_MONTHS), latest)


def _check_window(window: Window, variant: str, latest: Month, tz: tzinfo) -> None:
    if window.end <= latest:
        return
    suggestion = _latest_window(latest)
    if variant == WINDOW:
        message = (
            f"{window.end.label} has not ended yet; cohorts compare whole months that have "
            f"ended, the latest is {latest.label}"
        )
    else:
        settled = _settled_at(variant, window.end, tz).astimezone(tz)
        message = (
            f"a window ending {window.end.label} is complete on {settled:%b} {settled.day}, "
            f"{settled.year}: this comparison follows each customer for 90 days and the 3 "
            f"months after its signup month; the latest complete window ends {latest.label}"
        )
    raise WindowUnavailable(message, latest=suggestion)


# --- the per-customer annotations ------------------------------------------------------------


def _by_signup_month(months: list[Month], ends: list[datetime], values: list, output_field):
    """A per-customer value picked by its signup month within `months` (whose ends are
    `ends`): the first month that ended after the signup. Months are reporting-time-zone
    months, cut in Python, so the database compares instants only."""
    whens = [
        When(signed_up_at__lt=end, then=Value(value, output_field=output_field))
        for end, value in zip(ends, values, strict=True)
    ]
    return Case(*whens, default=Value(None, output_field=output_field), output_field=output_field)


def _calls(first_month: str, last_month) -> Coalesce:
    """The customer's API calls from the month in annotation `first_month` to `last_month`
    (a date or annotation name), both included; 0 when it has no usage rows there."""
    last = OuterRef(last_month) if isinstance(last_month, str) else last_month
    usage = (
        UsageMonth.objects.filter(
            customer_id=OuterRef("pk"), month__gte=OuterRef(first_month), month__lte=last
        )
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("api_calls"))
        .values("total")
    )
    return Coalesce(Subquery(usage), Value(0), output_field=BigIntegerField())


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _window_groups(window: Window, tz: tzinfo, threshold: int, retention_at: datetime | None):
    """Rows (support, months, active, customers, calls, converted, paying_at_start, retained)."""
    start_at, end_at = window.bounds(tz)
    months = window.months
    ends = [month.bounds(tz)[1] for month in months]
    count = len(months)
    tickets_in_w = Ticket.objects.filter(
        customer_id=OuterRef("pk"),
        is_deleted=False,
        created_at__gte=start_at,
        created_at__lt=end_at,
    )
    converted = Subscription.objects.filter(
        started_paying_before(end_at), customer_id=OuterRef("pk")
    )
    customers = (
        Customer.objects.filter(signed_up_at__lt=end_at)  # existing by the end of W; not NULL
        .order_by()
        .annotate(
            # The months of W it existed in: from its signup month on.
            first_month=_by_signup_month(months, ends, [m.first_date for m in months], DateField()),
            months=_by_signup_month(months, ends, list(range(count, 0, -1)), IntegerField()),
            support=Exists(tickets_in_w),
            calls=_calls("first_month", months[-1].first_date),
            # mean monthly calls > threshold, in integers: calls > threshold × months
            active=_flag(Q(calls__gt=F("months") * threshold)),
            converted=Exists(converted),
            paying_at_start=customers_paying_at(start_at),
        )
    )
    aggregates = {
        "customers": Count("pk"),
        "total_calls": Sum("calls"),
        "converted_count": Count("pk", filter=Q(converted=True)),
        "paying_at_start_count": Count("pk", filter=Q(paying_at_start=True)),
    }
    if retention_at is not None:
        customers = customers.annotate(paying_later=customers_paying_at(retention_at))
        aggregates["retained_count"] = Count(
            "pk", filter=Q(paying_at_start=True, paying_later=True)
        )
    return customers.values("support", "months", "active").annotate(**aggregates)


def _first_30_groups(window: Window, tz: tzinfo, threshold: int):
    """Rows (support, active, customers, calls, converted) for signups in W."""
    start_at, end_at = window.bounds(tz)
    months = window.months
    ends = [month.bounds(tz)[1] for month in months]
    early_ticket = Ticket.objects.filter(
        customer_id=OuterRef("pk"),
        is_deleted=False,
        created_at__lt=OuterRef("early_ticket_by"),
    )
    converted = Subscription.objects.filter(
        started_paying_before(OuterRef("convert_by")), customer_id=OuterRef("pk")
    )
    customers = (
        Customer.objects.filter(signed_up_at__gte=start_at, signed_up_at__lt=end_at)
        .order_by()
        .annotate(
            early_ticket_by=ExpressionWrapper(
                F("signed_up_at") + timedelta(days=EARLY_TICKET_DAYS),
                output_field=DateTimeField(),
            ),
            convert_by=ExpressionWrapper(
                F("signed_up_at") + timedelta(days=CONVERSION_DAYS), output_field=DateTimeField()
            ),
            # The 3 calendar months after the signup month.
            usage_from=_by_signup_month(
                months, ends, [m.shift(1).first_date for m in months], DateField()
            ),
            usage_to=_by_signup_month(
                months,
                ends,
                [m.shift(USAGE_MONTHS_AFTER_SIGNUP).first_date for m in months],
                DateField(),
            ),
            support=Exists(early_ticket),
            calls=_calls("usage_from", "usage_to"),
            active=_flag(Q(calls__gt=USAGE_MONTHS_AFTER_SIGNUP * threshold)),
            converted=Exists(converted),
        )
    )
    return customers.values("support", "active").annotate(
        customers=Count("pk"),
        total_calls=Sum("calls"),
        converted_count=Count("pk", filter=Q(converted=True)),
    )


# --- combining the groups --------------------------------------------------------------------


def _mean_calls(groups: list[dict]) -> Fraction | None:
    """Mean over customers of their mean monthly calls: Σ calls / months, over customers."""
    customers = sum(group["customers"] for group in groups)
    if not customers:
        return None
    means = sum(
        (Fraction(group["total_calls"] or 0, group["months"]) for group in groups), Fraction(0)
    )
    return means / customers


def _calls_decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(CALLS, rounding=ROUND_HALF_UP)


def _cohort(groups: list[dict], *, with_retention: bool, retention_known: bool) -> Cohort:
    customers = sum(group["customers"] for group in groups)
    active = [group for group in groups if group["active"]]
    converted = sum(group["converted_count"] for group in groups)
    paying_at_start = retained = None
    retention_rate = None
    if with_retention:
        paying_at_start = sum(group["paying_at_start_count"] for group in groups)
        if retention_known:
            retained = sum(group["retained_count"] for group in groups)
            retention_rate = ratio(retained, paying_at_start)
    return Cohort(
        customers=customers,
        avg_monthly_api_calls=_calls_decimal(_mean_calls(groups)),
        active_customers=sum(group["customers"] for group in active),
        active_avg_monthly_api_calls=_calls_decimal(_mean_calls(active)),
        paid_conversion_rate=ratio(converted, customers),
        retention_rate=retention_rate,
        converted=converted,
        paying_at_start=paying_at_start,
        retained=retained,
    )


# --- the metric ------------------------------------------------------------------------------


def support_cohorts(
    *, window: Window | None = None, variant: str = WINDOW, now: datetime
) -> CohortsResult:
    """Support cohorts over `window` (default: the latest 3 months on offer for `variant`).

    Raises WindowUnavailable for a window whose figures could still change (see the module
    docstring) and ValueError for an unknown variant. Three queries: settings, the grouped
    cohort query, the count of customers without a signup date.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; use one of {', '.join(VARIANTS)}")
    settings = MetricSettings.load()
    tz = ZoneInfo(settings.reporting_timezone)
    latest = {name: latest_window_end(variant=name, now=now, tz=tz) for name in VARIANTS}
    if window is None:
        window = _latest_window(latest[variant])
    _check_window(window, variant, latest[variant], tz)
    threshold = settings.active_usage_threshold
    n_months = settings.retention_months

    retention_on = retention_at = None
    if variant == WINDOW:
        # N months after the end of W: the start of the (N+1)th month after its last one.
        after = window.end.shift(n_months + 1)
        retention_on = after.first_date
        retention_at = after.bounds(tz)[0]
        known = retention_at <= now
        rows = list(_window_groups(window, tz, threshold, retention_at if known else None))
    else:
        known = False
        rows = [
            {**row, "months": USAGE_MONTHS_AFTER_SIGNUP}
            for row in _first_30_groups(window, tz, threshold)
        ]
    with_retention = variant == WINDOW
    left_out = Customer.objects.filter(signed_up_at__isnull=True).count()
    return CohortsResult(
        window=window,
        variant=variant,
        active_threshold=threshold,
        support=_cohort(
            [row for row in rows if row["support"]],
            with_retention=with_retention,
            retention_known=known,
        ),
        no_support=_cohort(
            [row for row in rows if not row["support"]],
            with_retention=with_retention,
            retention_known=known,
        ),
        customers_without_signup_date=left_out,
        timezone=settings.reporting_timezone,
        retention_months=n_months,
        retention_on=retention_on,
        latest_end=latest,
        retention_known_end=Month.containing(now, tz).shift(-1 - n_months),
    )
