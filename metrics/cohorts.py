"""Support cohorts (DESIGN.md §4): customers who talked to support against those who did not.

Two variants over a window W of whole months (reporting time zone):
- `window`: customers existing by the end of W with at least one ticket created in W against
  those with none;
- `first_30_days`: customers who signed up in W, split by a ticket within 30 days of signup.

Everything is decided in the database, in one query per call: customers joined to their
usage rows of the months that count, grouped by customer (its calls; whether it is active,
filed a ticket, converted and, window variant, paid at the start of W and still did N months
after its end), and those rows summed per cohort into one row of counts and of calls by
months counted, which are combined here exactly (a mean of per-customer means: Σ over the
months counted m of calls / m, over customers). In the window variant no subquery runs per
customer: PostgreSQL hashes the tickets and subscriptions once (bench/metrics.py "cohorts",
issue #7); the first-30-days one, over the few signups of W, looks each one's up.

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

from django.db import connections
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from supportops.models import Customer, MetricSettings, Subscription, Ticket
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


def _usage_between(first: Month, last: Month) -> FilteredRelation:
    """The customer's usage rows of the months `first` to `last`, joined (as `usage_rows`).

    Why a join: the usage of every customer is then one range scan of those months (index
    usage_month_idx, migration 0014) hashed onto the customers, where a subquery per customer
    is an index lookup per customer, and one the query grouped by would be run twice per
    customer (for the active flag and for the sum).
    """
    months = Q(usage__month__gte=first.first_date, usage__month__lte=last.first_date)
    return FilteredRelation("usage", condition=months)


def _calls(first_month: str, last_month: str | None = None) -> Coalesce:
    """The customer's API calls in its joined `usage_rows` from the month in annotation
    `first_month` on (to the one in `last_month`, when given); 0 without usage rows there."""
    months = Q(usage_rows__month__gte=F(first_month))
    if last_month is not None:
        months &= Q(usage_rows__month__lte=F(last_month))
    return Coalesce(
        Sum("usage_rows__api_calls", filter=months), Value(0), output_field=BigIntegerField()
    )


class _OfTheCustomer(ExpressionWrapper):
    """A value of the customer itself (its signup month, whether it filed a ticket) in a query
    grouped by customer.

    Django groups by every non-aggregate annotation; grouping by the customer's id is
    enough (the value depends on the customer alone, and PostgreSQL accepts the customer's
    columns once its primary key is grouped). Kept out of GROUP BY, it is computed once per
    customer after the grouping, not once per joined usage row and then hashed as a key.
    """

    def get_group_by_cols(self):
        return []


def _per_customer(expression, output_field) -> _OfTheCustomer:
    return _OfTheCustomer(expression, output_field=output_field)


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _once_per_customer(exists: Exists) -> _OfTheCustomer:
    """An EXISTS about the customer (customer_id=OuterRef("pk")), computed once per customer.

    Why: after the grouping, PostgreSQL reads the rows once and hashes their customers (the
    plan's "hashed SubPlan") instead of probing an index per customer. Where it cannot (the
    rows depend on more than the customer's id, as in the first-30-days variant, or would not
    fit in work_mem) it probes, as an EXISTS always can.
    """
    return _per_customer(exists, BooleanField())


def _groups(
    customers: QuerySet, keys: tuple[str, ...], counts: dict[str, tuple[str, ...]]
) -> list[dict]:
    """`customers` (a per-customer query annotated `calls` and the flags and `keys` named)
    summed per `keys`: for each combination that occurs, a row of `customers`, `total_calls`
    and, for each of `counts` (name: flags), `<name>_count`: how many have all those flags.

    Why SQL around the ORM's query: Django cannot group the rows of a grouped query again
    (its aggregate() returns one row, and one conditional aggregate per cohort, activity and
    months counted made Django spend longer building the query than PostgreSQL running it:
    0.8 s for a 24-month window). The per-customer query stays the ORM's; this only adds a
    GROUP BY over its columns, in SQL that SQLite and PostgreSQL read alike.
    """
    connection = connections[customers.db]
    name = connection.ops.quote_name
    flags = dict.fromkeys(flag for needed in counts.values() for flag in needed)
    inner, params = customers.values("pk", "calls", *keys, *flags).query.sql_with_params()
    group = ", ".join(name(key) for key in keys)
    sums = [f"COUNT(*) AS {name('customers')}", f"SUM({name('calls')}) AS {name('total_calls')}"]
    for count, needed in counts.items():
        condition = " AND ".join(name(flag) for flag in needed)
        sums.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name(f'{count}_count')}")
    sql = f"SELECT {group}, {', '.join(sums)} FROM ({inner}) per_customer GROUP BY {group}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [column[0] for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:  # SQLite answers 0/1 for booleans; PostgreSQL sums bigints as numeric
        row.update({key: bool(row[key]) for key in ("support", "active")})
        row["total_calls"] = int(row["total_calls"] or 0)
    return rows


def _window_groups(window: Window, tz: tzinfo, threshold: int, retention_at: datetime | None):
    """Rows (support, months, active, customers, total_calls, converted_count,
    paying_at_start_count[, retained_count]): see _groups."""
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
            usage_rows=_usage_between(months[0], months[-1]),
            # The months of W it existed in: from its signup month on.
            first_month=_per_customer(
                _by_signup_month(months, ends, [m.first_date for m in months], DateField()),
                DateField(),
            ),
            months=_per_customer(
                _by_signup_month(months, ends, list(range(count, 0, -1)), IntegerField()),
                IntegerField(),
            ),
            calls=_calls("first_month"),
            # mean monthly calls > threshold, in integers: calls > threshold × months
            active=_flag(Q(calls__gt=_per_customer(F("months") * threshold, IntegerField()))),
            support=_once_per_customer(Exists(tickets_in_w)),
            converted=_once_per_customer(Exists(converted)),
            paying_at_start=_once_per_customer(customers_paying_at(start_at)),
        )
    )
    counts = {"converted": ("converted",), "paying_at_start": ("paying_at_start",)}
    if retention_at is not None:
        paying_later = _once_per_customer(customers_paying_at(retention_at))
        customers = customers.annotate(paying_later=paying_later)
        counts["retained"] = ("paying_at_start", "paying_later")
    return _groups(customers, ("support", "months", "active"), counts)


def _first_30_groups(window: Window, tz: tzinfo, threshold: int):
    """Rows (support, active, customers, total_calls, converted_count) for signups in W."""
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
            early_ticket_by=_per_customer(
                F("signed_up_at") + timedelta(days=EARLY_TICKET_DAYS), DateTimeField()
            ),
            convert_by=_per_customer(
                F("signed_up_at") + timedelta(days=CONVERSION_DAYS), DateTimeField()
            ),
            usage_rows=_usage_between(
                months[0].shift(1), months[-1].shift(USAGE_MONTHS_AFTER_SIGNUP)
            ),
            # The 3 calendar months after the signup month.
            usage_from=_per_customer(
                _by_signup_month(
                    months, ends, [m.shift(1).first_date for m in months], DateField()
                ),
                DateField(),
            ),
            usage_to=_per_customer(
                _by_signup_month(
                    months,
                    ends,
                    [m.shift(USAGE_MONTHS_AFTER_SIGNUP).first_date for m in months],
                    DateField(),
                ),
                DateField(),
            ),
            calls=_calls("usage_from", "usage_to"),
            active=_flag(Q(calls__gt=USAGE_MONTHS_AFTER_SIGNUP * threshold)),
            support=_once_per_customer(Exists(early_ticket)),
            converted=_once_per_customer(Exists(converted)),
        )
    )
    return _groups(customers, ("support", "active"), {"converted": ("converted",)})


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
        rows = _window_groups(window, tz, threshold, retention_at if known else None)
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
