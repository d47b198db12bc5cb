#!/usr/bin/env python
"""Benchmark: each metric endpoint against one hand-written SQL query computing the same numbers.

Loads (or finds) the data set of bench/metrics_data.py in PostgreSQL, then for every entry of
REGISTRY times the endpoint through Django's test client (URL routing, auth, the metric code,
serialization or template rendering: what a user waits for) and the entry's SQL query, each
after one warm-up run, median of --runs (5); prints `endpoint | endpoint ms | SQL ms | ratio`
and checks that the figures agree. Exit status 1 when figures disagree (or an endpoint fails);
`--strict` also fails when a ratio is above the goal (1.5).

    .venv/bin/python bench/metrics.py [--scale 0.1] [--reload] [--only cost] [--explain]

The clock: the data set ends at metrics_data.DATA_NOW (2026-11-15 12:00 UTC; reporting time zone
America/New_York, so the last complete month is 2026-10). This runner freezes
`django.utils.timezone.now` at that instant (views and metrics read it as `timezone.now()`), so
results do not depend on the day the benchmark runs and the loaded data never has to move.
Database connections persist as in production settings (CONN_MAX_AGE=60).

`--explain` prints, per entry, the endpoint's queries with their times and EXPLAIN (ANALYZE,
BUFFERS) of its slowest query and of the SQL twin.

Adding an entry (one block per endpoint, after the existing ones):

    register(Entry(
        name="support vs revenue",            # the table's first column
        run=lambda ctx: ctx.api("/api/v1/metrics/support-revenue/", start="2026-08",
                                end="2026-10"),  # the timed call: ctx.api (JSON, token auth)
                                                 # or ctx.page (HTML, session login)
        figures=lambda ctx, data: {...},      # key figures from run's result: {name: number}
        sql=SUPPORT_REVENUE_SQL,              # one query, psycopg2 %(name)s parameters
        params=lambda ctx: {...},             # its parameters (ctx.month_bounds(...) helps)
        sql_figures=lambda rows: {...},       # the same keys from its rows (dicts by column)
    ))

Figures are compared as numbers: integers exactly, anything else to within 0.01 (money and
days are rounded to cents by the endpoints). `ctx` (Context) holds the frozen `now`, the
reporting time zone `tz`, `month` (the last complete month), `months(n)` (the n months ending
with it) and `memo` (a dict for untimed lookups an entry wants to reuse). `--only NAME` runs the
entries whose name contains NAME (repeatable).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/ must not be on sys.path: this file would shadow the project's `metrics` package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

from bench import metrics_data  # noqa: E402

GOAL = 1.5


# --- the registry ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    run: Callable[[Context], Any]
    figures: Callable[[Context, Any], dict[str, Any]]
    sql: str
    params: Callable[[Context], dict[str, Any]]
    sql_figures: Callable[[list[dict[str, Any]]], dict[str, Any]]
    # A page shows several metrics: the twins of the others it shows, (sql, params), timed
    # with `sql` (their figures are checked by their own entries).
    more_sql: tuple[tuple[str, Callable[[Context], dict[str, Any]]], ...] = ()

    def run_twin(self, ctx: Context, params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = run_sql(self.sql, params)
        for sql, more_params in self.more_sql:
            run_sql(sql, more_params(ctx))
        return rows


REGISTRY: list[Entry] = []


def register(entry: Entry) -> Entry:
    REGISTRY.append(entry)
    return entry


@dataclass
class Context:
    now: datetime
    tz: Any  # ZoneInfo of the reporting time zone
    month: Any  # metrics.periods.Month: the last complete month
    page_client: Any = None  # django.test.Client logged in with a session
    api_client: Any = None  # django.test.Client sending `Authorization: Token ...`
    memo: dict = field(default_factory=dict)

    def months(self, n: int) -> list:
        from metrics.periods import last_n_months

        return last_n_months(self.month, n)

    def month_bounds(self, month) -> dict[str, Any]:
        """SQL parameters of a month: start/end (UTC instants), first_date/last_date."""
        start, end = month.bounds(self.tz)
        return {
            "start": start,
            "end": end,
            "first_date": month.first_date,
            "last_date": month.last_date,
        }

    def api(self, path: str, **params) -> Any:
        response = self.api_client.get(path, params)
        if response.status_code != 200:
            raise RuntimeError(
                f"GET {path} {params}: {response.status_code} {response.content[:300]}"
            )
        return json.loads(response.content)

    def page(self, path: str, **params) -> str:
        response = self.page_client.get(path, params)
        if response.status_code != 200:
            raise RuntimeError(f"GET {path} {params}: {response.status_code}")
        return response.content.decode()


def first_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(rows[0])


# --- shared SQL --------------------------------------------------------------------------------

# Team cost inputs, prorated by days active in a month (DESIGN.md §4).
COST_INPUTS_SQL = """
    SELECT (annual_salary + annual_benefits) / 12 * fte AS monthly, start_date, end_date
    FROM supportops_teammember
    UNION ALL
    SELECT monthly_amount, start_date, end_date FROM supportops_expense"""


# --- cost endpoint -----------------------------------------------------------------------------

COST_SQL = f"""
WITH inputs AS ({COST_INPUTS_SQL}),
cost AS (
    SELECT coalesce(sum(monthly * (least(coalesce(end_date, %(last_date)s), %(last_date)s)
                                   - greatest(start_date, %(first_date)s) + 1)), 0)
           / (%(last_date)s - %(first_date)s + 1) AS team_cost
    FROM inputs
    WHERE start_date <= %(last_date)s AND (end_date IS NULL OR end_date >= %(first_date)s)
),
tickets AS (
    SELECT count(*) FILTER (WHERE created_at >= %(start)s) AS tickets,
           coalesce(extract(epoch FROM sum(least(coalesce(solved_at, %(end)s), %(end)s)
                                           - greatest(created_at, %(start)s))
                        FILTER (WHERE solved_at IS NULL OR solved_at > %(start)s)), 0)
           / 86400 AS open_days
    FROM supportops_ticket
    WHERE NOT is_deleted AND created_at < %(end)s
      AND (created_at >= %(start)s OR solved_at IS NULL OR solved_at > %(start)s)
),
messages AS (
    SELECT count(*) FILTER (WHERE author_role = 'agent') AS replies, count(*) AS interactions
    FROM supportops_interaction i
    WHERE is_public AND author_role IN ('agent', 'customer')
      AND created_at >= %(start)s AND created_at < %(end)s
      AND NOT EXISTS (SELECT FROM supportops_ticket t WHERE t.id = i.ticket_id AND t.is_deleted)
)
SELECT * FROM cost, tickets, messages
"""

COST_FIGURES = ("team_cost", "tickets", "replies", "interactions", "open_days")

register(
    Entry(
        name="cost API (1 month)",
        run=lambda ctx: ctx.api("/api/v1/metrics/cost/", month=str(ctx.month)),
        figures=lambda ctx, data: {key: data[key] for key in COST_FIGURES},
        sql=COST_SQL,
        params=lambda ctx: ctx.month_bounds(ctx.month),
        sql_figures=first_row,
    )
)


# --- the cost page: 12 months ------------------------------------------------------------------


def trend_sql(n: int) -> str:
    """The cost figures of n months in one query, one row per month. Messages are counted per month by an
    index range scan each (a join on the month bounds); tickets in one pass with a FILTERed
    aggregate per month (a ticket is open in several months: per-row FILTERs beat joining
    tickets to months, which evaluates the same conditions but moves 12 rows per ticket)."""
    values = ",\n        ".join(
        f"({i}, %(start_{i})s::timestamptz, %(end_{i})s::timestamptz, "
        f"%(first_date_{i})s::date, %(last_date_{i})s::date)"
        for i in range(n)
    )
    created = ",\n            ".join(
        f"count(*) FILTER (WHERE created_at >= %(start_{i})s AND created_at < %(end_{i})s)"
        for i in range(n)
    )
    open_days = ",\n            ".join(
        f"extract(epoch FROM sum(least(coalesce(solved_at, %(end_{i})s), %(end_{i})s)"
        f" - greatest(created_at, %(start_{i})s)) FILTER (WHERE created_at < %(end_{i})s"
        f" AND (solved_at IS NULL OR solved_at > %(start_{i})s))) / 86400"
        for i in range(n)
    )
    return f"""
WITH months (i, start_at, end_at, first_date, last_date) AS (VALUES
        {values}
),
inputs AS ({COST_INPUTS_SQL}),
cost AS (
    SELECT m.i, sum(x.monthly * (least(coalesce(x.end_date, m.last_date), m.last_date)
                                 - greatest(x.start_date, m.first_date) + 1))
                / (m.last_date - m.first_date + 1) AS team_cost
    FROM months m
    JOIN inputs x ON x.start_date <= m.last_date
                 AND (x.end_date IS NULL OR x.end_date >= m.first_date)
    GROUP BY m.i, m.first_date, m.last_date
),
tickets AS (
    SELECT ARRAY[
            {created}
           ] AS created,
           ARRAY[
            {open_days}
           ] AS open_days
    FROM supportops_ticket
    WHERE NOT is_deleted AND created_at < %(end)s
      AND (created_at >= %(start)s OR solved_at IS NULL OR solved_at > %(start)s)
),
messages AS (
    SELECT m.i, count(*) FILTER (WHERE author_role = 'agent') AS replies,
           count(*) AS interactions
    FROM months m
    JOIN supportops_interaction i ON i.created_at >= m.start_at AND i.created_at < m.end_at
    WHERE is_public AND author_role IN ('agent', 'customer')
      AND NOT EXISTS (SELECT FROM supportops_ticket t WHERE t.id = i.ticket_id AND t.is_deleted)
    GROUP BY m.i
)
SELECT m.first_date AS month, coalesce(c.team_cost, 0) AS team_cost,
       t.created[m.i + 1] AS tickets, coalesce(t.open_days[m.i + 1], 0) AS open_days,
       coalesce(ms.replies, 0) AS replies, coalesce(ms.interactions, 0) AS interactions
FROM months m
CROSS JOIN tickets t
LEFT JOIN cost c USING (i)
LEFT JOIN messages ms USING (i)
ORDER BY m.i
"""


def trend_params(ctx: Context, n: int = 12) -> dict[str, Any]:
    months = ctx.months(n)
    params: dict[str, Any] = {}
    for i, month in enumerate(months):
        for key, value in ctx.month_bounds(month).items():
            params[f"{key}_{i}"] = value
    params["start"], params["end"] = params["start_0"], params[f"end_{n - 1}"]
    return params


def trend_sql_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {f"{row['month']:%Y-%m} {key}": row[key] for row in rows for key in COST_FIGURES}


def trend_figures(overview) -> dict[str, Any]:
    return {f"{r.month} {key}": getattr(r, key) for r in overview.trend for key in COST_FIGURES}


def page_figures(ctx: Context, html: str) -> dict[str, Any]:
    """The figures of the 12 months the page shows, from the metric the page renders (the page
    prints only some of them), after checking them against the page's own chart data."""
    from metrics.cost import cost_overview

    overview = cost_overview(month=None, now=ctx.now, months=12)
    figures = trend_figures(overview)
    chart = re.search(
        r'<script id="cost-per-ticket-figure" type="application/json">(.*?)</script>',
        html,
        re.S,
    )
    if chart is None:
        figures["page chart found"] = 0  # the SQL side says 1: reported as a mismatch
        return figures
    data = json.loads(chart.group(1))["data"][0]
    shown = [(int(tickets), Decimal(str(cost))) for tickets, cost, _ in data["customdata"]]
    computed = [(r.tickets, r.team_cost) for r in overview.trend]
    figures["page chart found"] = 1
    figures["page chart matches"] = int(shown == computed)
    return figures


def cost_trend_metric(ctx: Context):
    from metrics.cost import cost_overview

    return cost_overview(month=None, now=ctx.now, months=12)


# The page's cost figures alone (the page also shows other metrics, which have entries of their
# own): the metric function the page calls, without HTTP, auth, the chart or the template.
register(
    Entry(
        name="cost overview (12 months)",
        run=cost_trend_metric,
        figures=lambda ctx, overview: trend_figures(overview),
        sql=trend_sql(12),
        params=trend_params,
        sql_figures=trend_sql_figures,
    )
)


# --- shared by the window entries: the months of a window and their team costs ---------------


def months_values_sql(n: int) -> str:
    """A VALUES list of n months (i, start_at, end_at, first_date, last_date); trend_params."""
    return ",\n        ".join(
        f"({i}, %(start_{i})s::timestamptz, %(end_{i})s::timestamptz, "
        f"%(first_date_{i})s::date, %(last_date_{i})s::date)"
        for i in range(n)
    )


# Each month's team cost to the cent (as metrics.cost rounds it), computed here from the team
# member and expense rows (not taken from the cost endpoint).
MONTH_COSTS_SQL = f"""
inputs AS ({COST_INPUTS_SQL}),
month_cost AS (
    SELECT m.i, round(coalesce(sum(x.monthly * (least(coalesce(x.end_date, m.last_date), m.last_date)
                                 - greatest(x.start_date, m.first_date) + 1)), 0)
                / (m.last_date - m.first_date + 1), 2) AS team_cost
    FROM months m
    LEFT JOIN inputs x ON x.start_date <= m.last_date
                      AND (x.end_date IS NULL OR x.end_date >= m.first_date)
    GROUP BY m.i, m.first_date, m.last_date
)"""

# Largest remainder over `weights` (i, key, customer_id, n) per month i, in cents: `whole` cents
# each, one more to the `left` largest remainders (ties: larger n, then key in code-point order).
LARGEST_REMAINDER_SQL = """
parts AS (
    SELECT w.*, round(c.team_cost * 100)::bigint AS cents, sum(w.n) OVER (PARTITION BY w.i)::bigint AS total
    FROM weights w JOIN month_cost c USING (i)
),
wholes AS (
    SELECT *, (cents * n) / total AS whole, (cents * n) %% total AS rem FROM parts WHERE total > 0
),
shared AS (
    SELECT *, whole + (row_number() OVER (PARTITION BY i ORDER BY rem DESC, n DESC, key COLLATE "C")
                       <= cents - sum(whole) OVER (PARTITION BY i))::int AS cost_cents
    FROM wholes
)"""


# --- cost allocation by channel ----------------------------------------------------------------

ALLOCATION_SQL = f"""
WITH months (i, start_at, end_at, first_date, last_date) AS (VALUES
        {months_values_sql(1)}
),
{MONTH_COSTS_SQL},
tickets AS (
    SELECT coalesce(nullif(channel, ''), '(none)') AS key, count(*) AS n
    FROM supportops_ticket
    WHERE NOT is_deleted AND created_at >= %(start_0)s AND created_at < %(end_0)s
    GROUP BY 1
),
replies AS (
    SELECT coalesce(nullif(t.channel, ''), '(none)') AS key, count(*) AS n
    FROM supportops_interaction i JOIN supportops_ticket t ON t.id = i.ticket_id
    WHERE i.author_role = 'agent' AND i.is_public AND NOT t.is_deleted
      AND i.created_at >= %(start_0)s AND i.created_at < %(end_0)s
    GROUP BY 1
),
weights AS (
    SELECT 0 AS i, key, NULL::bigint AS customer_id, coalesce(r.n, 0) AS n
    FROM tickets t FULL JOIN replies r USING (key)
),
{LARGEST_REMAINDER_SQL}
SELECT s.key, s.cost_cents / 100.0 AS allocated_cost, c.team_cost
FROM month_cost c LEFT JOIN shared s USING (i)
"""


def allocation_sql_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    figures = {"team_cost": rows[0]["team_cost"]}
    figures.update({f"{r['key']} allocated_cost": r["allocated_cost"] for r in rows if r["key"]})
    return figures


register(
    Entry(
        name="cost allocation",
        run=lambda ctx: ctx.api(
            "/api/v1/metrics/cost/allocation/", month=str(ctx.month), by="channel"
        ),
        figures=lambda ctx, data: {
            "team_cost": data["team_cost"],
            **{f"{r['key']} allocated_cost": r["allocated_cost"] for r in data["rows"]},
        },
        sql=ALLOCATION_SQL,
        params=lambda ctx: trend_params(ctx, 1),
        sql_figures=allocation_sql_figures,
    )
)


# --- support vs revenue ------------------------------------------------------------------------

MARGIN_PAGE_SIZE = 50

SUPPORT_REVENUE_SQL = f"""
WITH months (i, start_at, end_at, first_date, last_date) AS (VALUES
        {months_values_sql(3)}
),
{MONTH_COSTS_SQL},
weights AS (
    SELECT m.i, coalesce(t.customer_id::text, 'unlinked') AS key, t.customer_id, count(*) AS n
    FROM supportops_interaction i
    JOIN supportops_ticket t ON t.id = i.ticket_id
    JOIN months m ON i.created_at >= m.start_at AND i.created_at < m.end_at
    WHERE i.author_role = 'agent' AND i.is_public AND NOT t.is_deleted
      AND i.created_at >= %(start)s AND i.created_at < %(end)s
    GROUP BY m.i, t.customer_id
),
{LARGEST_REMAINDER_SQL},
support AS (
    SELECT customer_id, sum(cost_cents) AS cost_cents FROM shared
    WHERE customer_id IS NOT NULL GROUP BY customer_id
),
revenue AS (
    SELECT customer_id, sum(amount_paid_minor) AS revenue_minor
    FROM supportops_invoice
    WHERE status = 'paid' AND paid_at >= %(start)s AND paid_at < %(end)s
      AND upper(currency) = upper(%(currency)s) AND customer_id IS NOT NULL
    GROUP BY customer_id
),
margins AS (
    SELECT c.id, c.name, coalesce(r.revenue_minor, 0) - coalesce(s.cost_cents, 0) AS margin_cents,
           coalesce(s.cost_cents, 0) > coalesce(r.revenue_minor, 0) AS unprofitable
    FROM support s FULL JOIN revenue r USING (customer_id)
    JOIN supportops_customer c ON c.id = customer_id
    WHERE coalesce(s.cost_cents, 0) <> 0 OR coalesce(r.revenue_minor, 0) <> 0
)
SELECT count(*) OVER () AS count,
       count(*) FILTER (WHERE unprofitable) OVER () AS unprofitable_customers,
       margin_cents / 100.0 AS margin
FROM margins
ORDER BY margin_cents, name COLLATE "C", id
LIMIT {MARGIN_PAGE_SIZE}
"""


def margin_sql_figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    figures = {
        "count": rows[0]["count"],
        "unprofitable_customers": rows[0]["unprofitable_customers"],
    }
    figures.update({f"margin {n}": row["margin"] for n, row in enumerate(rows, 1)})
    return figures


register(
    Entry(
        name="support vs revenue",
        run=lambda ctx: ctx.api(
            "/api/v1/metrics/support-vs-revenue/",
            start=str(ctx.months(3)[0]),
            end=str(ctx.month),
            page_size=MARGIN_PAGE_SIZE,
        ),
        figures=lambda ctx, data: {
            "count": data["count"],
            "unprofitable_customers": data["unprofitable_customers"],
            **{f"margin {n}": row["margin"] for n, row in enumerate(data["rows"], 1)},
        },
        sql=SUPPORT_REVENUE_SQL,
        params=lambda ctx: {**trend_params(ctx, 3), "currency": reporting_currency()},
        sql_figures=margin_sql_figures,
    )
)


def reporting_currency() -> str:
    from supportops.models import MetricSettings

    return MetricSettings.load().currency


# --- the cost page: the trend, the allocation and the margins ----------------------------------

register(
    Entry(
        name="cost page (12 months)",
        run=lambda ctx: ctx.page("/cost/"),
        figures=page_figures,
        sql=trend_sql(12),
        params=trend_params,
        sql_figures=lambda rows: {
            **trend_sql_figures(rows),
            "page chart found": 1,
            "page chart matches": 1,
        },
        # The page also shows where the month's cost goes (by channel) and support cost vs
        # revenue over the 3 months ending with it.
        more_sql=(
            (ALLOCATION_SQL, lambda ctx: trend_params(ctx, 1)),
            (
                SUPPORT_REVENUE_SQL,
                lambda ctx: {**trend_params(ctx, 3), "currency": reporting_currency()},
            ),
        ),
    )
)


# --- support cohorts (window variant) ----------------------------------------------------------

# Every figure the endpoint returns for a 3-month window (retention is not known yet for the
# last complete months): each customer signed up by the window's end, in the support cohort when
# it filed a ticket in the window; its mean monthly API calls over the window's months from the
# month it signed up in; active above the threshold; converted when a subscription of it has
# paid by the window's end.
COHORTS_SQL = """
WITH customers AS (
    SELECT c.id,
           EXISTS (
               SELECT FROM supportops_ticket t
               WHERE t.customer_id = c.id AND NOT t.is_deleted
                 AND t.created_at >= %(start)s AND t.created_at < %(end)s
           ) AS support,
           EXISTS (
               SELECT FROM supportops_subscription s
               WHERE s.customer_id = c.id AND s.list_mrr_minor > 0 AND s.started_at < %(end)s
                 AND (s.trial_end_at IS NULL OR s.trial_end_at < %(end)s)
                 AND ((s.ended_at IS NULL AND s.status IN ('active', 'past_due'))
                      OR (s.ended_at > s.started_at
                          AND (s.trial_end_at IS NULL OR s.ended_at > s.trial_end_at)
                          AND s.status <> 'incomplete_expired'))
           ) AS converted,
           CASE WHEN c.signed_up_at < %(start_1)s THEN 3
                WHEN c.signed_up_at < %(start_2)s THEN 2 ELSE 1 END AS months,
           CASE WHEN c.signed_up_at < %(start_1)s THEN %(first_date_0)s::date
                WHEN c.signed_up_at < %(start_2)s THEN %(first_date_1)s::date
                ELSE %(first_date_2)s::date END AS first_month
    FROM supportops_customer c
    WHERE c.signed_up_at < %(end)s
),
calls AS (
    SELECT c.id, sum(u.api_calls) AS calls
    FROM customers c JOIN supportops_usagemonth u
      ON u.customer_id = c.id AND u.month >= c.first_month AND u.month <= %(first_date_2)s::date
    GROUP BY c.id
),
per_customer AS (
    SELECT c.support, c.converted, coalesce(k.calls, 0)::numeric / c.months AS mean
    FROM customers c LEFT JOIN calls k USING (id)
)
SELECT CASE WHEN support THEN 'support' ELSE 'no_support' END AS cohort,
       count(*) AS customers,
       round(avg(mean), 2) AS avg_monthly_api_calls,
       count(*) FILTER (WHERE mean > %(threshold)s) AS active_customers,
       round(avg(mean) FILTER (WHERE mean > %(threshold)s), 2) AS active_avg_monthly_api_calls,
       round(count(*) FILTER (WHERE converted)::numeric / count(*), 4) AS paid_conversion_rate
FROM per_customer
GROUP BY support
"""

COHORT_FIGURES = (
    "customers",
    "avg_monthly_api_calls",
    "active_customers",
    "active_avg_monthly_api_calls",
    "paid_conversion_rate",
)


def cohort_params(ctx: Context) -> dict[str, Any]:
    from supportops.models import MetricSettings

    return {
        **trend_params(ctx, 3),
        "threshold": MetricSettings.load().active_usage_threshold,
    }


def window_bounds(ctx: Context, n: int = 3) -> dict[str, Any]:
    months = ctx.months(n)
    return {"start": months[0].bounds(ctx.tz)[0], "end": months[-1].bounds(ctx.tz)[1]}


register(
    Entry(
        name="cohorts",
        run=lambda ctx: ctx.api(
            "/api/v1/metrics/cohorts/", start=str(ctx.months(3)[0]), end=str(ctx.month)
        ),
        figures=lambda ctx, data: {
            f"{cohort} {key}": data[cohort][key]
            for cohort in ("support", "no_support")
            for key in COHORT_FIGURES
        },
        sql=COHORTS_SQL,
        params=cohort_params,
        sql_figures=lambda rows: {
            f"{row['cohort']} {key}": row[key] for row in rows for key in COHORT_FIGURES
        },
    )
)


# --- LTV's expected lifetime, by hand (supportops/ltv.py) ----------------------------------------

# The months' starts: the 12 complete months before the month of `now` and that month's start.
# A customer pays at an instant when one of its subscriptions does (supportops/paying.py);
# churn is the mean over the months with paying customers of stopped ÷ paying at the start; the
# lifetime 1 ÷ churn to 2 places, capped.
LIFETIME_CTES = """
starts AS (
    SELECT (ord - 1)::int AS i, s FROM unnest(%(churn_starts)s::timestamptz[]) WITH ORDINALITY AS u(s, ord)
),
paying AS (  -- a bit per month start at which the customer pays
    SELECT sub.customer_id, bit_or(1 << st.i) AS mask
    FROM supportops_subscription sub JOIN starts st
      ON sub.started_at <= st.s
     AND (sub.trial_end_at IS NULL OR sub.trial_end_at <= st.s)
     AND ((sub.ended_at IS NULL AND sub.status IN ('active', 'past_due'))
          OR (sub.ended_at > st.s AND sub.status <> 'incomplete_expired'))
    WHERE sub.customer_id IS NOT NULL AND sub.list_mrr_minor > 0
    GROUP BY sub.customer_id
),
per_month AS (
    SELECT st.i,
           count(*) FILTER (WHERE mask & (1 << st.i) <> 0) AS paying,
           count(*) FILTER (WHERE mask & (1 << st.i) <> 0 AND mask & (1 << (st.i + 1)) = 0)
               AS stopped
    FROM paying CROSS JOIN starts st
    WHERE st.i < 12
    GROUP BY st.i
),
lifetime AS (
    SELECT CASE WHEN coalesce(avg(stopped::numeric / paying), 0) = 0
                  OR 1 / avg(stopped::numeric / paying) >= %(ltv_cap)s THEN %(ltv_cap)s::numeric
                ELSE round(1 / avg(stopped::numeric / paying), 2) END AS months
    FROM per_month
    WHERE paying > 0
)"""


def lifetime_params(ctx: Context) -> dict[str, Any]:
    from metrics.periods import Month, last_n_months
    from supportops.models import MetricSettings

    current = Month.containing(ctx.now, ctx.tz)
    months = last_n_months(current, 13)
    return {
        "churn_starts": [month.bounds(ctx.tz)[0] for month in months],
        "ltv_cap": MetricSettings.load().ltv_cap_months,
    }


# --- feature requests (the default pattern) ----------------------------------------------------

TOP = 5

# The default pattern `Requesting integration for (?P<name>.+)` (case-insensitive), the name
# trimmed of spaces and quotes and case-folded; ranked by the customers' MRR in the reporting
# currency (the endpoint ranks by their LTV sum: MRR × one lifetime, so the same order).
FEATURE_REQUESTS_SQL = (
    r"""
WITH requests AS (
    SELECT lower(regexp_replace((regexp_match(subject, 'Requesting integration for (.+)', 'i'))[1],
                                '^[\s"''“”‘’]+|[\s"''“”‘’]+$', '', 'g')) AS name,
           customer_id
    FROM supportops_ticket
    WHERE NOT is_deleted AND created_at >= %(start)s AND created_at < %(end)s
      AND subject ILIKE '%%Requesting integration for%%'
),
named AS (SELECT * FROM requests WHERE name <> ''),"""
    + LIFETIME_CTES
    + r""",
askers AS (SELECT DISTINCT name, customer_id FROM named WHERE customer_id IS NOT NULL),
realized AS (
    SELECT i.customer_id, sum(i.amount_paid_minor) AS paid
    FROM supportops_invoice i JOIN supportops_customer c ON c.id = i.customer_id
    WHERE i.status = 'paid' AND upper(i.currency) = upper(c.currency)
      AND i.customer_id IN (SELECT customer_id FROM askers)
    GROUP BY i.customer_id
),
money AS (
    SELECT d.name,
           sum(c.mrr_minor) AS mrr,
           sum(round(c.mrr_minor / 100.0 * (SELECT months FROM lifetime), 2)) AS ltv,
           sum(coalesce(r.paid, 0)) / 100.0 AS realized
    FROM askers d
    JOIN supportops_customer c ON c.id = d.customer_id AND upper(c.currency) = upper(%(currency)s)
    LEFT JOIN realized r ON r.customer_id = d.customer_id
    GROUP BY d.name
)
SELECT name, count(*) AS tickets, count(DISTINCT customer_id) AS customers,
       coalesce(money.ltv, 0) AS ltv_sum, coalesce(money.realized, 0) AS realized_revenue_sum
FROM named LEFT JOIN money USING (name)
GROUP BY name, money.mrr, money.ltv, money.realized
ORDER BY coalesce(money.ltv, 0) DESC, count(*) DESC, name COLLATE "C"
LIMIT 5
"""
)

REQUEST_FIGURES = ("tickets", "customers", "ltv_sum", "realized_revenue_sum")

register(
    Entry(
        name="feature requests",
        run=lambda ctx: ctx.api(
            "/api/v1/metrics/feature-requests/", start=str(ctx.months(3)[0]), end=str(ctx.month)
        ),
        figures=lambda ctx, data: {
            f"{row['name']} {key}": row[key]
            for row in data["rows"][:TOP]
            for key in REQUEST_FIGURES
        },
        sql=FEATURE_REQUESTS_SQL,
        params=lambda ctx: {
            **window_bounds(ctx),
            **lifetime_params(ctx),
            "currency": reporting_currency(),
        },
        sql_figures=lambda rows: {
            f"{row['name']} {key}": row[key] for row in rows for key in REQUEST_FIGURES
        },
    )
)


# --- bug impact --------------------------------------------------------------------------------

BUG_IMPACT_SQL = f"""
WITH months (i, start_at, end_at, first_date, last_date) AS (VALUES
        {months_values_sql(3)}
),
{MONTH_COSTS_SQL},
{LIFETIME_CTES},
tickets AS (
    SELECT id, source, type, external_id, problem_external_id, tags, customer_id
    FROM supportops_ticket
    WHERE NOT is_deleted AND created_at >= %(start)s AND created_at < %(end)s
),
members AS (
    SELECT 'problem:' || source || ':'
           || CASE WHEN type = 'problem' THEN external_id ELSE problem_external_id END AS key,
           id, customer_id
    FROM tickets
    WHERE type = 'problem' OR problem_external_id <> ''
    UNION ALL
    SELECT 'tag:' || tag, id, customer_id
    FROM tickets CROSS JOIN unnest(%(tags)s::text[]) AS tag
    WHERE type <> 'problem' AND problem_external_id = ''
      AND EXISTS (
          SELECT FROM jsonb_array_elements_text(
              CASE WHEN jsonb_typeof(tags) = 'array' THEN tags ELSE '[]'::jsonb END) AS v(value)
          WHERE lower(v.value) = tag)
),
groups AS (
    SELECT key, count(*) AS tickets, count(DISTINCT customer_id) AS customers
    FROM members GROUP BY key
),
money AS (
    SELECT d.key, sum(c.mrr_minor) FILTER (WHERE lower(c.currency) = lower(%(currency)s)) AS mrr
    FROM (SELECT DISTINCT key, customer_id FROM members WHERE customer_id IS NOT NULL) d
    JOIN supportops_customer c ON c.id = d.customer_id
    GROUP BY d.key
),
replies AS (  -- agent public replies of live tickets, per month of the window
    SELECT m.i, i.ticket_id, count(*) AS n
    FROM months m JOIN supportops_interaction i
      ON i.created_at >= m.start_at AND i.created_at < m.end_at
    WHERE i.author_role = 'agent' AND i.is_public AND i.ticket_id IS NOT NULL
      AND NOT EXISTS (SELECT FROM supportops_ticket t WHERE t.id = i.ticket_id AND t.is_deleted)
    GROUP BY m.i, i.ticket_id
),
month_replies AS (SELECT i, sum(n) AS total FROM replies GROUP BY i),
cost AS (  -- team cost × the group's share of the month's replies, to the cent once
    SELECT mb.key, round(sum(c.team_cost * r.n / t.total), 2) AS support_cost
    FROM members mb JOIN replies r ON r.ticket_id = mb.id
    JOIN month_replies t USING (i) JOIN month_cost c USING (i)
    GROUP BY mb.key
)
SELECT g.key, g.tickets, g.customers, coalesce(m.mrr, 0) / 100.0 AS mrr,
       round(coalesce(m.mrr, 0) / 100.0 * (SELECT months FROM lifetime), 2) AS ltv_sum,
       coalesce(k.support_cost, 0) AS support_cost
FROM groups g LEFT JOIN money m USING (key) LEFT JOIN cost k USING (key)
ORDER BY coalesce(m.mrr, 0) DESC, g.tickets DESC, g.key COLLATE "C"
LIMIT 5
"""

BUG_FIGURES = ("tickets", "customers", "mrr", "ltv_sum", "support_cost")


def bug_params(ctx: Context) -> dict[str, Any]:
    from metrics.bug_groups import bug_tags
    from supportops.models import MetricSettings

    settings = MetricSettings.load()
    return {
        **trend_params(ctx, 3),
        **lifetime_params(ctx),
        "currency": settings.currency,
        "tags": list(bug_tags(settings)),
    }


register(
    Entry(
        name="bug impact",
        run=lambda ctx: ctx.api(
            "/api/v1/metrics/bug-impact/", start=str(ctx.months(3)[0]), end=str(ctx.month)
        ),
        figures=lambda ctx, data: {
            f"{row['key']} {key}": row[key] for row in data["rows"][:TOP] for key in BUG_FIGURES
        },
        sql=BUG_IMPACT_SQL,
        params=bug_params,
        sql_figures=lambda rows: {
            f"{row['key']} {key}": row[key] for row in rows for key in BUG_FIGURES
        },
    )
)


# --- support operations ------------------------------------------------------------------------

# By product (the endpoint's default). Medians by percentile_cont over whole seconds (exact in
# double precision), an independent path from the endpoint's ROW_NUMBER windows; GROUPING SETS
# give the total over every ticket.
SUPPORT_OPS_SQL = """
WITH enterprise AS (
    SELECT id FROM supportops_product WHERE is_enterprise_group ORDER BY name, id LIMIT 1
),
t AS (
    SELECT t.id, t.created_at, t.solved_at, t.first_reply_minutes, t.full_resolution_minutes,
           t.reopens,
           coalesce(CASE WHEN c.is_enterprise THEN (SELECT id FROM enterprise) END,
                    t.product_id) AS grp,
           t.created_at >= %(start)s AS created_in,
           coalesce(t.solved_at >= %(start)s AND t.solved_at < %(end)s, false) AS solved_in,
           (t.solved_at IS NULL OR t.solved_at >= %(end)s) AS open_end
    FROM supportops_ticket t
    LEFT JOIN supportops_customer c ON c.id = t.customer_id
    WHERE NOT t.is_deleted AND t.created_at < %(end)s
      AND (t.created_at >= %(start)s OR t.solved_at IS NULL OR t.solved_at >= %(start)s)
),
replies AS (
    SELECT i.ticket_id, min(i.created_at) AS first_at, count(*) AS n
    FROM supportops_interaction i
    JOIN t ON t.id = i.ticket_id
    WHERE i.author_role = 'agent' AND i.is_public
    GROUP BY i.ticket_id
),
x AS (
    SELECT t.*, r.n AS agent_replies,
           extract(epoch FROM r.first_at - t.created_at) AS reply_seconds,
           extract(epoch FROM t.solved_at - t.created_at) AS solve_seconds
    FROM t LEFT JOIN replies r ON r.ticket_id = t.id
)
SELECT CASE WHEN grouping(x.grp) = 1 THEN 'Total' ELSE coalesce(min(p.name), 'Unassigned') END
           AS key,
       count(*) FILTER (WHERE created_in) AS created,
       count(*) FILTER (WHERE solved_in) AS solved,
       count(*) FILTER (WHERE open_end) AS backlog_end,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY reply_seconds)
              FILTER (WHERE created_in))::numeric / 60, 1) AS median_first_reply_minutes,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY first_reply_minutes)
              FILTER (WHERE created_in))::numeric, 1) AS vendor_median_first_reply_minutes,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY solve_seconds)
              FILTER (WHERE solved_in))::numeric / 60, 1) AS median_resolution_minutes,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY full_resolution_minutes)
              FILTER (WHERE solved_in))::numeric, 1) AS vendor_median_resolution_minutes,
       round((count(*) FILTER (WHERE solved_in AND agent_replies = 1))::numeric
             / nullif(count(*) FILTER (WHERE solved_in), 0), 4) AS one_touch_rate,
       sum(reopens) FILTER (WHERE solved_in) AS reopens
FROM x
LEFT JOIN supportops_product p ON p.id = x.grp
GROUP BY GROUPING SETS ((x.grp), ())
"""

SUPPORT_OPS_FIGURES = (
    "created",
    "solved",
    "backlog_end",
    "median_first_reply_minutes",
    "vendor_median_first_reply_minutes",
    "median_resolution_minutes",
    "vendor_median_resolution_minutes",
    "one_touch_rate",
    "reopens",
)

register(
    Entry(
        name="support ops",
        run=lambda ctx: ctx.api("/api/v1/metrics/support-ops/", month=str(ctx.month)),
        figures=lambda ctx, data: {
            f"{row['key']} {key}": row[key]
            for row in [*data["rows"], data["total"]]
            for key in SUPPORT_OPS_FIGURES
        },
        sql=SUPPORT_OPS_SQL,
        params=lambda ctx: ctx.month_bounds(ctx.month),
        sql_figures=lambda rows: {
            f"{row['key']} {key}": row[key] for row in rows for key in SUPPORT_OPS_FIGURES
        },
    )
)

# --- coverage and the hiring forecast ----------------------------------------------------------

# The enterprise group is the first product flagged as it (by name); tickets of enterprise
# customers count there whatever their product.
COVERAGE_TICKETS_CTES = """
ent AS (
    SELECT id FROM supportops_product WHERE is_enterprise_group ORDER BY name, id LIMIT 1
),
grouped AS (
    SELECT CASE WHEN c.is_enterprise AND EXISTS (SELECT FROM ent) THEN (SELECT id FROM ent)
                ELSE t.product_id END AS product_id,
           t.created_at
    FROM supportops_ticket t LEFT JOIN supportops_customer c ON c.id = t.customer_id
    WHERE NOT t.is_deleted AND t.created_at >= %(start)s AND t.created_at < %(end)s
),
products AS (SELECT id, name FROM supportops_product UNION ALL SELECT NULL, 'Unassigned')"""

COVERAGE_SQL = f"""
WITH {COVERAGE_TICKETS_CTES},
tickets AS (SELECT product_id, count(*) AS n FROM grouped GROUP BY product_id),
covers AS (
    SELECT teammember_id, count(*) AS k FROM supportops_teammember_products GROUP BY teammember_id
),
assigned AS (  -- FTE / groups covered × the share of the month employed
    SELECT tp.product_id,
           sum(m.fte * greatest(least(coalesce(m.end_date, %(last_date)s), %(last_date)s)
                                - greatest(m.start_date, %(first_date)s) + 1, 0)
               / (%(last_date)s - %(first_date)s + 1) / cv.k) AS engineers
    FROM supportops_teammember m
    JOIN supportops_teammember_products tp ON tp.teammember_id = m.id
    JOIN covers cv ON cv.teammember_id = m.id
    WHERE m.start_date <= %(last_date)s AND (m.end_date IS NULL OR m.end_date >= %(first_date)s)
    GROUP BY tp.product_id
)
SELECT p.name AS product, coalesce(t.n, 0) AS tickets,
       round(coalesce(a.engineers, 0), 2) AS assigned_engineers
FROM products p
LEFT JOIN tickets t ON t.product_id IS NOT DISTINCT FROM p.id
LEFT JOIN assigned a ON a.product_id = p.id
"""

COVERAGE_FIGURES = ("tickets", "assigned_engineers")

register(
    Entry(
        name="coverage",
        run=lambda ctx: ctx.api("/api/v1/metrics/coverage/", month=str(ctx.month)),
        figures=lambda ctx, data: {
            f"{row['product']} {key}": row[key] for row in data["rows"] for key in COVERAGE_FIGURES
        },
        sql=COVERAGE_SQL,
        params=lambda ctx: ctx.month_bounds(ctx.month),
        sql_figures=lambda rows: {
            f"{row['product']} {key}": row[key] for row in rows for key in COVERAGE_FIGURES
        },
    )
)

# The forecast's database part: each group's tickets in the 6 complete months before the
# current one (the projection is arithmetic on those).
FORECAST_SQL = f"""
WITH {COVERAGE_TICKETS_CTES}
SELECT p.name AS product, to_char(g.created_at AT TIME ZONE %(tz)s, 'YYYY-MM') AS month,
       count(*) AS tickets
FROM grouped g JOIN products p ON p.id = g.product_id
GROUP BY p.name, 2
"""


def forecast_params(ctx: Context) -> dict[str, Any]:
    months = ctx.months(6)
    return {
        "start": months[0].bounds(ctx.tz)[0],
        "end": months[-1].bounds(ctx.tz)[1],
        "tz": str(ctx.tz),
    }


register(
    Entry(
        name="coverage forecast",
        run=lambda ctx: ctx.api("/api/v1/metrics/coverage/forecast/", months=6),
        figures=lambda ctx, data: {
            f"{group['product']} {point['month']}": point["tickets"]
            for group in data["groups"]
            for point in group["history"]
            if point["tickets"]
        },
        sql=FORECAST_SQL,
        params=forecast_params,
        sql_figures=lambda rows: {
            f"{row['product']} {row['month']}": row["tickets"] for row in rows
        },
    )
)


# --- customers: the stale high-value accounts ---------------------------------------------------

STALE_DAYS = 60

# Paying customers nobody has talked to in 60 days (or ever), highest MRR first, a page of 50
# with each one's LTV and realized revenue (paid invoices in its own currency, all time).
STALE_CUSTOMERS_SQL = f"""
WITH {LIFETIME_CTES},
page AS (
    SELECT id, name, mrr_minor, currency, count(*) OVER () AS count
    FROM supportops_customer
    WHERE is_paying AND (last_contact_at IS NULL OR last_contact_at <= %(stale_before)s)
    ORDER BY mrr_minor DESC, name, id
    LIMIT 50
)
SELECT p.id, p.count, p.mrr_minor / 100.0 AS mrr,
       round(p.mrr_minor / 100.0 * (SELECT months FROM lifetime), 2) AS ltv,
       coalesce((SELECT sum(i.amount_paid_minor) FROM supportops_invoice i
                 WHERE i.customer_id = p.id AND i.status = 'paid'
                   AND upper(i.currency) = upper(p.currency)), 0) / 100.0 AS realized_revenue
FROM page p
ORDER BY p.mrr_minor DESC, p.name, p.id
"""


def stale_figures(rows: list[dict[str, Any]], *, count: int) -> dict[str, Any]:
    figures: dict[str, Any] = {"count": count}
    for n, row in enumerate(rows[:TOP], 1):
        figures[f"{n} id"] = row["id"]
        figures[f"{n} realized_revenue"] = row["realized_revenue"]
        figures[f"{n} ltv"] = row["ltv"]
    return figures


register(
    Entry(
        name="customers: stale high-value",
        run=lambda ctx: ctx.api(
            "/api/v1/customers/", paying="yes", stale_days=STALE_DAYS, order="-mrr"
        ),
        figures=lambda ctx, data: stale_figures(data["results"], count=data["count"]),
        sql=STALE_CUSTOMERS_SQL,
        params=lambda ctx: {
            **lifetime_params(ctx),
            "stale_before": ctx.now - timedelta(days=STALE_DAYS),
        },
        sql_figures=lambda rows: stale_figures(rows, count=rows[0]["count"] if rows else 0),
    )
)


# --- one customer's timeline (the customer with the most tickets) ------------------------------

# Every event of the customer, newest first; on the same instant the later kind first (the
# rank of metrics.timeline.KINDS), then the newer row; the first page of 50 and the count.
TIMELINE_SQL = """
WITH events (at, rank, kind, row_id) AS (
    SELECT created_at, 10, 'ticket_opened', id FROM supportops_ticket
    WHERE customer_id = %(customer)s AND NOT is_deleted
    UNION ALL
    SELECT solved_at, 12, 'ticket_solved', id FROM supportops_ticket
    WHERE customer_id = %(customer)s AND NOT is_deleted AND solved_at IS NOT NULL
    UNION ALL
    SELECT i.created_at, 11, 'ticket_replied', i.id
    FROM supportops_interaction i JOIN supportops_ticket t ON t.id = i.ticket_id
    WHERE t.customer_id = %(customer)s AND NOT t.is_deleted AND i.is_public
      AND i.author_role = 'agent'
    UNION ALL
    SELECT started_at, 4, 'subscription_started', id FROM supportops_subscription
    WHERE customer_id = %(customer)s
    UNION ALL
    SELECT canceled_at, 7, 'subscription_canceled', id FROM supportops_subscription
    WHERE customer_id = %(customer)s AND canceled_at IS NOT NULL
    UNION ALL
    SELECT CASE WHEN status = 'paid' THEN coalesce(paid_at, created_at) ELSE created_at END,
           CASE WHEN status = 'paid' THEN 5 ELSE 6 END,
           CASE WHEN status = 'paid' THEN 'invoice_paid' ELSE 'invoice_failed' END, id
    FROM supportops_invoice WHERE customer_id = %(customer)s AND status IN ('paid', 'failed')
    UNION ALL
    SELECT created_at, 1, 'opportunity_opened', id FROM supportops_opportunity
    WHERE customer_id = %(customer)s AND NOT is_deleted
    UNION ALL
    SELECT close_date::timestamp AT TIME ZONE %(tz)s, CASE WHEN is_won THEN 2 ELSE 3 END,
           CASE WHEN is_won THEN 'opportunity_won' ELSE 'opportunity_lost' END, id
    FROM supportops_opportunity
    WHERE customer_id = %(customer)s AND NOT is_deleted AND is_closed AND close_date IS NOT NULL
    UNION ALL
    SELECT occurred_at, CASE WHEN kind = 'task' THEN 8 ELSE 9 END, 'crm_' || kind, id
    FROM supportops_crmactivity
    WHERE customer_id = %(customer)s AND NOT is_deleted AND kind IN ('task', 'event')
    UNION ALL
    SELECT month::timestamp AT TIME ZONE %(tz)s, 0, 'usage', id FROM supportops_usagemonth
    WHERE customer_id = %(customer)s
)
SELECT at, kind, count(*) OVER () AS count FROM events
ORDER BY at DESC, rank DESC, row_id DESC
LIMIT 50
"""


def heaviest_customer(ctx: Context) -> int:
    if "heaviest" not in ctx.memo:
        from supportops.models import Customer

        ctx.memo["heaviest"] = Customer.objects.order_by("-ticket_count", "id").first().pk
    return ctx.memo["heaviest"]


def timeline_figures(count: int, events: list[tuple[str, str]]) -> dict[str, Any]:
    """The count and the first 10 events, each a key "n instant kind" (any difference in the
    order, the instant or the kind is a key only one side has)."""
    figures: dict[str, Any] = {"count": count}
    figures.update({f"{n} {at} {kind}": 1 for n, (at, kind) in enumerate(events[:10], 1)})
    return figures


def _iso(at) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


register(
    Entry(
        name="customer timeline",
        run=lambda ctx: ctx.api(
            f"/api/v1/customers/{heaviest_customer(ctx)}/timeline/", page_size=50
        ),
        figures=lambda ctx, data: timeline_figures(
            data["count"],
            [
                (_iso(datetime.fromisoformat(e["occurred_at"].replace("Z", "+00:00"))), e["kind"])
                for e in data["events"]
            ],
        ),
        sql=TIMELINE_SQL,
        params=lambda ctx: {"customer": heaviest_customer(ctx), "tz": str(ctx.tz)},
        sql_figures=lambda rows: timeline_figures(
            rows[0]["count"] if rows else 0, [(_iso(r["at"]), r["kind"]) for r in rows]
        ),
    )
)


# --- customers' support cost to date (stored by metrics.customer_costs) ------------------------

# Every month from the first cost input through the one in progress (cut at the start of today:
# team cost through yesterday, replies before today), each customer's largest-remainder cents.
# Written independently of metrics/customer_costs.py: months by date_trunc in the reporting time
# zone, team cost from the member and expense rows, the remainder ranked as LARGEST_REMAINDER_SQL.
COST_TO_DATE_SQL = f"""
WITH inputs AS ({COST_INPUTS_SQL}),
months AS (
    SELECT m::date AS first_date, (m + interval '1 month')::date - 1 AS last_date,
           least((m + interval '1 month')::date - 1, %(today)s::date - 1) AS through
    FROM generate_series(date_trunc('month', (SELECT min(start_date) FROM inputs)),
                         %(current)s::date, interval '1 month') AS m
),
month_cost AS (
    SELECT m.first_date AS i,
           round(coalesce(sum(x.monthly * greatest(least(coalesce(x.end_date, m.through),
                                                          m.through)
                                             - greatest(x.start_date, m.first_date) + 1, 0)), 0)
                 / (m.last_date - m.first_date + 1), 2) AS team_cost
    FROM months m
    LEFT JOIN inputs x ON x.start_date <= m.through
                      AND (x.end_date IS NULL OR x.end_date >= m.first_date)
    GROUP BY m.first_date, m.last_date
),
weights AS (
    SELECT date_trunc('month', i.created_at AT TIME ZONE %(tz)s)::date AS i,
           coalesce(t.customer_id::text, 'unlinked') AS key, t.customer_id, count(*) AS n
    FROM supportops_interaction i JOIN supportops_ticket t ON t.id = i.ticket_id
    WHERE i.author_role = 'agent' AND i.is_public AND NOT t.is_deleted
      AND i.created_at < %(today_at)s
      AND i.created_at >= (SELECT min(first_date) FROM months)::timestamp AT TIME ZONE %(tz)s
    GROUP BY 1, t.customer_id
),
{LARGEST_REMAINDER_SQL},
per_customer AS (
    SELECT customer_id, sum(cost_cents) AS cents FROM shared
    WHERE customer_id IS NOT NULL AND (%(customer)s::bigint IS NULL OR customer_id = %(customer)s)
    GROUP BY customer_id
)
SELECT count(*) AS customers, coalesce(sum(cents), 0) AS cents,
       coalesce(sum(customer_id * cents), 0) AS weighted_cents, coalesce(max(cents), 0) AS most
FROM per_customer
"""


def cost_to_date_params(ctx: Context, customer: int | None = None) -> dict[str, Any]:
    today = ctx.now.astimezone(ctx.tz).date()
    today_at = datetime.combine(today, datetime.min.time(), tzinfo=ctx.tz)
    return {
        "tz": str(ctx.tz),
        "today": today,
        "today_at": today_at,
        "current": today.replace(day=1),
        "customer": customer,
    }


def cost_to_date_refresh(ctx: Context):
    """A refresh from scratch: the stored version is cleared first so it is not a no-op."""
    from metrics.customer_costs import customer_costs_refresh
    from supportops.models import CustomerCostState

    CustomerCostState.objects.update(data_version=None)
    return customer_costs_refresh(now=ctx.now)


def cost_to_date_figures(ctx: Context, outcome) -> dict[str, Any]:
    """The same figures from the stored rows (untimed)."""
    return first_row(run_sql(STORED_COSTS_SQL, {}))


STORED_COSTS_SQL = """
SELECT count(*) AS customers, coalesce(sum(cents), 0) AS cents,
       coalesce(sum(customer_id * cents), 0) AS weighted_cents, coalesce(max(cents), 0) AS most
FROM (SELECT customer_id, sum(cost_cents) AS cents FROM supportops_customermonthcost
      GROUP BY customer_id) AS stored
"""


register(
    Entry(
        name="customer costs refresh",
        run=cost_to_date_refresh,
        figures=cost_to_date_figures,
        sql=COST_TO_DATE_SQL,
        params=cost_to_date_params,
        sql_figures=first_row,
    )
)


def fresh_customer_costs(ctx: Context) -> int:
    """The heaviest customer, with the stored costs brought up to date (untimed)."""
    from metrics.customer_costs import customer_costs_refresh

    customer_costs_refresh(now=ctx.now)
    return heaviest_customer(ctx)


register(
    Entry(
        name="customer support cost read",
        run=lambda ctx: ctx.api(f"/api/v1/customers/{heaviest_customer(ctx)}/"),
        figures=lambda ctx, data: {
            "cents": Decimal(data["support_cost_to_date"]["amount"]) * 100,
            "stale": data["support_cost_to_date"]["stale"],
        },
        sql=COST_TO_DATE_SQL,
        params=lambda ctx: cost_to_date_params(ctx, fresh_customer_costs(ctx)),
        sql_figures=lambda rows: {"cents": rows[0]["cents"], "stale": False},
    )
)


# --- the runner --------------------------------------------------------------------------------


def as_number(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    return Decimal(str(value))


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    problems = []
    for key in sorted(set(expected) | set(actual)):
        if key not in expected or key not in actual:
            problems.append(f"{key}: only in {'SQL' if key in actual else 'endpoint'}")
            continue
        a, b = as_number(expected[key]), as_number(actual[key])
        if a is None or b is None:
            if a != b:
                problems.append(f"{key}: endpoint {a} vs SQL {b}")
            continue
        exact = a == a.to_integral_value() and b == b.to_integral_value()
        exact = exact and isinstance(expected[key], int) and isinstance(actual[key], int)
        if (a != b) if exact else abs(a - b) > Decimal("0.01"):
            problems.append(f"{key}: endpoint {a} vs SQL {b}")
    return problems


def run_sql(sql: str, params: dict) -> list[dict[str, Any]]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def explain(entry: Entry, ctx: Context) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print(f"\n=== {entry.name}: the endpoint's queries")
    with CaptureQueriesContext(connection) as captured:
        entry.run(ctx)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
    for q in queries:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:150]}")
    for q in queries[:1]:
        print(
            f"\n--- EXPLAIN ANALYZE of the slowest ({float(q['time']) * 1000:.0f} ms):\n{q['sql']}"
        )
        for (line,) in run_sql_plain(f"EXPLAIN (ANALYZE, BUFFERS) {q['sql']}"):
            print("   ", line)
    print(f"\n--- EXPLAIN ANALYZE of the SQL twin of {entry.name}:")
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN (ANALYZE, BUFFERS) {entry.sql}", entry.params(ctx))
        for (line,) in cur.fetchall():
            print("   ", line)


def run_sql_plain(sql: str):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(sql.replace("%", "%%"), [])
        return cur.fetchall()


def make_context() -> Context:
    from zoneinfo import ZoneInfo

    from django.contrib.auth import get_user_model
    from django.test import Client

    from metrics.periods import Month
    from supportops.api_tokens import issue_token
    from supportops.models import MetricSettings

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "email": "bench@example.com"}
    )
    token, _ = issue_token(user)
    page_client = Client()
    page_client.force_login(user)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    tz = ZoneInfo(MetricSettings.load().reporting_timezone)
    now = metrics_data.DATA_NOW
    month = Month.containing(now, tz).shift(-1)
    assert str(month) == metrics_data.LAST_COMPLETE_MONTH, month
    return Context(now=now, tz=tz, month=month, page_client=page_client, api_client=api_client)


def freeze_time(now: datetime) -> None:
    from django.utils import timezone

    timezone.now = lambda: now


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M tickets (default)")
    parser.add_argument("--reload", action="store_true", help="reload the data set")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--only", action="append", help="entries whose name contains this")
    parser.add_argument("--explain", action="store_true", help="print the plans")
    parser.add_argument("--strict", action="store_true", help=f"fail on a ratio above {GOAL}")
    args = parser.parse_args()

    metrics_data.load(scale=args.scale, reload=args.reload)
    from django.db import connection

    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60  # as production.py
    freeze_time(metrics_data.DATA_NOW)
    ctx = make_context()
    entries = [e for e in REGISTRY if not args.only or any(o in e.name for o in args.only)]
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM supportops_ticket")
        tickets = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM supportops_interaction")
        interactions = cur.fetchone()[0]
        cur.execute("SHOW work_mem")
        work_mem = cur.fetchone()[0]
    print(
        f"\n{tickets:,} tickets, {interactions:,} interactions; now = {ctx.now:%Y-%m-%d %H:%M} "
        f"UTC (frozen), month = {ctx.month}, {ctx.tz}; work_mem {work_mem}; "
        f"warm-up + median of {args.runs}; load average {os.getloadavg()[0]:.1f} on "
        f"{os.cpu_count()} CPUs\n"
    )
    rows, failed = [], False
    width = max(len(e.name) for e in entries)
    print(f"{'endpoint':<{width}} | endpoint ms |   SQL ms | ratio | figures")
    print(f"{'-' * width}-+-------------+----------+-------+--------")
    for entry in entries:
        params = entry.params(ctx)
        endpoint_ms, sql_ms = [], []
        try:
            result = entry.run(ctx)  # warm-up
            rows_sql = entry.run_twin(ctx, params)
            for _ in range(args.runs):
                ms, result = timed(lambda entry=entry: entry.run(ctx))
                endpoint_ms.append(ms)
                ms, rows_sql = timed(lambda e=entry, p=params: e.run_twin(ctx, p))
                sql_ms.append(ms)
            problems = compare(entry.figures(ctx, result), entry.sql_figures(rows_sql))
        except Exception as exc:  # one broken entry must not hide the others
            print(f"{entry.name:<{width}} | FAILED: {type(exc).__name__}: {exc}")
            failed = True
            continue
        e, s = statistics.median(endpoint_ms), statistics.median(sql_ms)
        ratio = e / s if s else float("inf")
        verdict = "agree" if not problems else f"{len(problems)} DIFFER"
        mark = "" if ratio <= GOAL else f"  (> {GOAL})"
        print(f"{entry.name:<{width}} | {e:11.1f} | {s:8.1f} | {ratio:5.2f} | {verdict}{mark}")
        for problem in problems[:20]:
            print(f"{'':<{width}}     {problem}")
        failed = failed or bool(problems)
        rows.append((entry, ratio))
    if args.explain:
        for entry in entries:
            explain(entry, ctx)
    if failed:
        sys.exit(1)
    if args.strict and any(ratio > GOAL for _, ratio in rows):
        sys.exit(2)


if __name__ == "__main__":
    main()
