#!/usr/bin/env python
"""Load the metrics benchmark's data set into PostgreSQL with COPY (not the connectors).

At scale 1: 100,000 customers (plans, paying/free, enterprise, MRR, domains, signups over 3
years), their identities (Zendesk organization, Stripe customer, usage account), ~150,000
subscriptions (trials converting or not, plan changes, churn, win-backs), ~1,000,000 invoices
and ~1.5M usage months over 24 months, 1,000,000 tickets over 24 months (email/web/chat/api,
~1% deleted, ~3% `Requesting integration for "X"`, ~2% bug tags, ~1% incidents linked to
problem tickets, products) and exactly 3 interactions per ticket on average (3,000,000).
A handful of cost inputs (team members, expenses), products and the metric settings are
written through the ORM.

The data's clock is fixed: everything happens before DATA_NOW (2026-11-15 12:00 UTC), the
reporting time zone is America/New_York, and the last complete month is 2026-10.
bench/metrics.py freezes `django.utils.timezone.now` at DATA_NOW so the app sees the same.

Every concrete field of each model gets a column, taken from Django's `_meta`: fields this
loader does not know get `field.get_default()` (or an empty value of their type), so fields
added to the models later do not break it; columns the database does not have yet (a model
change without its migration) are left out with a warning. Seeded and deterministic. A marker
table (`bench_dataset`) records what was loaded; a run that finds the same generation (data
version, seed, scale, columns) skips loading unless `--reload`.

    .venv/bin/python bench/metrics_data.py [--scale 0.1] [--reload]

BENCH_DATABASE_URL names the database (default postgres://postgres@127.0.0.1:54329/
supportops_bench, or supportops_bench_s0_1 etc. for other scales); it is created if missing.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import hashlib
import io
import json
import math
import os
import random
import sys
import time
from array import array
from collections import deque
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# `python bench/x.py` puts bench/ first on sys.path, where bench/metrics.py would shadow the
# project's `metrics` package: the project root comes first, bench/ not at all.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

DATA_VERSION = 1
DEFAULT_SEED = 7
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:54329/"
DATA_NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
REPORTING_TIMEZONE = "America/New_York"
LAST_COMPLETE_MONTH = "2026-10"

NOW = int(DATA_NOW.timestamp())
DAY = 86400
MONTH = int(365.25 / 12 * DAY)
YEAR = int(365.25 * DAY)
SIGNUP_START = NOW - 3 * YEAR
WINDOW_START = int(datetime(2024, 11, 15, 12, 0, tzinfo=UTC).timestamp())  # 24 months
FIRST_SYNC = int(datetime(2025, 3, 1, tzinfo=UTC).timestamp())  # when our database first saw them
NULL = r"\N"
CHUNK_BYTES = 8 << 20

INTEGRATIONS = [
    "Salesforce", "HubSpot", "Slack", "Jira", "Zapier", "Snowflake", "BigQuery", "Shopify",
    "Microsoft Teams", "Okta", "NetSuite", "Pipedrive", "Asana", "GitHub", "Marketo",
    "Mailchimp", "QuickBooks", "Xero", "Notion", "Segment",
]  # fmt: skip
SUBJECTS = [
    "Cannot log in", "Export to CSV fails", "Question about my invoice", "API returns 500",
    "How do I add a user?", "Dashboard loads slowly", "Webhook not firing", "Change billing email",
    "SSO configuration", "Rate limit exceeded", "Data missing from report", "Cancel my plan",
    "Upgrade to annual", "Mobile app crashes on start", "Password reset email not received",
    "Charts show wrong totals", "Import stuck at 99%", "Need a DPA signed", "Refund request",
    "Timezone wrong in reports",
]  # fmt: skip
TAGS = [
    "billing", "api", "login", "dashboard", "mobile", "export", "sso", "webhooks", "reports",
    "onboarding", "performance", "permissions", "import", "invoices",
]  # fmt: skip
PHRASES = [
    "Thanks for reaching out.", "Could you send a screenshot?", "I have escalated this to the team.",
    "It still does not work after clearing the cache.", "Here is the request id from the logs.",
    "We pushed a fix this morning, can you try again?", "Please find the export attached.",
    "The error appears only for users in the EU workspace.", "That solved it, thank you!",
    "Any update on this?", "I am closing this ticket for now; reply to reopen it.",
    "Our finance team needs the invoice with the VAT number on it.",
    "Internal: reproduced on staging, see the linked issue.", "Following up on my last message.",
]  # fmt: skip
WORDS = [
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent",
    "Tyrell", "Cyberdyne", "Wonka", "Aperture", "Massive", "Dunder", "Pied", "Blue", "North",
    "Bright", "Quantum", "Silver", "Rapid", "Green", "Atlas", "Nimbus", "Orbit", "Vertex",
]  # fmt: skip
SUFFIXES = ["Labs", "Inc", "GmbH", "Ltd", "Systems", "Analytics", "Cloud", "Works", "Group"]
PRODUCTS = ["API", "Dashboard", "Integrations", "Billing", "Mobile"]
BUG_TAGS = ["bug", "defect"]
# (key, name, monthly price in cents, interval); Enterprise prices are per customer.
PLANS = [
    ("free", "Free", 0, "month"),
    ("starter_m", "Starter", 4900, "month"),
    ("team_m", "Team", 19900, "month"),
    ("business_m", "Business", 49900, "month"),
    ("starter_y", "Starter (annual)", 49000, "year"),
    ("team_y", "Team (annual)", 199000, "year"),
    ("business_y", "Business (annual)", 499000, "year"),
    ("enterprise", "Enterprise", 250000, "month"),
]
PAID_LADDER = ["starter", "team", "business"]


# --- the database ------------------------------------------------------------------------------


def database_url(scale: float) -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    name = "supportops_bench" if scale == 1 else f"supportops_bench_s{scale:g}".replace(".", "_")
    return DEFAULT_SERVER + name


def ensure_database(url: str) -> None:
    """Create the database named by `url` on its server when it does not exist."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            print(f"creating database {name}", flush=True)
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()


def setup_django(url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "supportops.settings.test"
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()


# --- COPY text ---------------------------------------------------------------------------------


def ts(seconds: int | float) -> str:
    """A UTC timestamp in COPY text."""
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(int(seconds)))


def copy_text(value) -> str:
    if value is None:
        return NULL
    if isinstance(value, bool):
        text = "t" if value else "f"
    elif isinstance(value, dict | list):
        text = json.dumps(value)
    elif isinstance(value, datetime):
        text = value.isoformat()
    else:
        text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def has_field(model, name: str) -> bool:
    from django.core.exceptions import FieldDoesNotExist

    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _fallback(field):
    """A value for a NOT NULL field that has no default and that the loader does not set."""
    from django.db import models

    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.DateTimeField):
        return DATA_NOW
    if isinstance(field, models.DateField):
        return DATA_NOW.date()
    if isinstance(field, models.DurationField):
        return "0"
    if isinstance(field, models.DecimalField | models.IntegerField | models.FloatField):
        return 0
    return ""


def default_value(field):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return DATA_NOW
    value = field.get_default()
    if value is None and not field.null:
        value = _fallback(field)
        print(f"  note: {field.model.__name__}.{field.name} has no default; loading {value!r}")
    return value


class Table:
    """COPY rows of one model: the loader's values for `provided` fields (by attname, already
    in COPY text), every other concrete field its default. Names in `provided` that the model
    or the database does not have are ignored."""

    def __init__(self, model, provided: tuple[str, ...], db_columns: set[str]):
        self.model = model
        self.name = model._meta.db_table
        self.provided = provided
        index = {name: i for i, name in enumerate(provided)}
        parts, self.columns, self.defaulted, self.skipped = [], [], [], []
        for field in model._meta.concrete_fields:
            if field.column not in db_columns:
                self.skipped.append(field.column)
                continue
            self.columns.append(field.column)
            if field.attname in index:
                parts.append(f"{{{index[field.attname]}}}")
            else:
                self.defaulted.append(field.column)
                parts.append(copy_text(default_value(field)).replace("{", "{{").replace("}", "}}"))
        if self.skipped:
            print(f"  warning: {self.name} lacks columns {self.skipped} (unapplied migration?)")
        unknown = sorted(db_columns - set(self.columns))
        if unknown:
            print(f"  warning: {self.name} has columns the model does not: {unknown}")
        self.column_list = ", ".join(f'"{column}"' for column in self.columns)
        self.row = ("\t".join(parts) + "\n").format
        self.rows = 0

    @property
    def signature(self) -> list[str]:
        return [c + ("=default" if c in self.defaulted else "") for c in self.columns]


class Copier:
    """Per-table text buffers, flushed into COPY every CHUNK_BYTES so memory stays flat."""

    def __init__(self, connection, tables: list[Table]):
        self.connection = connection
        self.tables = {t.model: t for t in tables}
        self.buffers = {t.model: io.StringIO() for t in tables}
        self.copy_seconds = 0.0

    def add(self, model, *values) -> None:
        table = self.tables[model]
        buffer = self.buffers[model]
        buffer.write(table.row(*values))
        table.rows += 1
        if buffer.tell() > CHUNK_BYTES:
            self.flush(model)

    def flush(self, model=None) -> None:
        for each in [model] if model else list(self.buffers):
            buffer = self.buffers[each]
            if not buffer.tell():
                continue
            table = self.tables[each]
            buffer.seek(0)
            started = time.perf_counter()
            with self.connection.cursor() as cur:
                cur.copy_expert(f"COPY {table.name} ({table.column_list}) FROM STDIN", buffer)
            self.copy_seconds += time.perf_counter() - started
            self.buffers[each] = io.StringIO()


class Progress:
    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.started = self.last = time.perf_counter()

    def tick(self, done: int) -> None:
        now = time.perf_counter()
        if now - self.last >= 10:
            self.last = now
            rate = done / (now - self.started)
            eta = (self.total - done) / rate if rate else 0
            print(f"  {self.label}: {done:,}/{self.total:,} ({rate:,.0f}/s, ~{eta:,.0f} s left)",
                  flush=True)  # fmt: skip

    def done(self, extra: str = "") -> float:
        seconds = time.perf_counter() - self.started
        print(f"  {self.label}: done in {seconds:,.1f} s {extra}", flush=True)
        return seconds


# --- generation --------------------------------------------------------------------------------


def lognormal_clip(rng: random.Random, median: float, sigma: float, low: float, high: float):
    return min(max(median * math.exp(rng.gauss(0, sigma)), low), high)


class Generator:
    def __init__(self, scale: float, seed: int):
        self.scale = scale
        self.seed = seed
        self.n_customers = max(100, round(100_000 * scale))
        self.n_tickets = max(1000, round(1_000_000 * scale)) // 2 * 2  # interactions go in pairs
        self.rng = random.Random(seed)

    # ---- small tables, through the ORM ----

    def small_tables(self) -> None:
        from supportops.models import (
            Expense,
            MetricSettings,
            Plan,
            Product,
            ProductRule,
            TeamMember,
        )

        rng = random.Random(self.seed + 1)
        plans = []
        for currency in ("usd", "eur"):
            for key, name, amount, interval in PLANS:
                plans.append(
                    Plan(
                        source="stripe",
                        external_id=f"price_{key}_{currency}",
                        name=name,
                        product_name=name.split(" ")[0],
                        unit_amount_minor=amount,
                        currency=currency,
                        interval=interval,
                        synced_at=DATA_NOW,
                    )
                )
        Plan.objects.bulk_create(plans)
        self.plans = {(p.external_id.split("_", 1)[1].rsplit("_", 1)[0], p.currency): p
                      for p in plans}  # fmt: skip

        products = [Product(name=name) for name in PRODUCTS]
        products.append(Product(name="Enterprise", is_enterprise_group=True))
        Product.objects.bulk_create(products)
        self.product_ids = [p.pk for p in products[: len(PRODUCTS)]]
        ProductRule.objects.bulk_create(
            ProductRule(product=p, kind="tag", value=p.name.lower(), position=10 * i)
            for i, p in enumerate(products[: len(PRODUCTS)])
        )

        members, covers = [], []
        n_members = max(5, round(220 * self.scale))
        for i in range(n_members):
            start = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1700))
            end = None
            if rng.random() < 0.2:
                end = start + timedelta(days=rng.randrange(60, 900))
            members.append(
                TeamMember(
                    name=f"Agent {i + 1:03d}",
                    role=rng.choice(["Support engineer", "Support lead", "Support specialist"]),
                    annual_salary=Decimal(rng.randrange(55_000, 130_000, 500)),
                    annual_benefits=Decimal(rng.randrange(8_000, 30_000, 250)),
                    fte=Decimal(rng.choice(["1", "1", "1", "0.8", "0.5"])),
                    start_date=min(start, DATA_NOW.date()),
                    end_date=end if end and end <= DATA_NOW.date() else None,
                )
            )
        TeamMember.objects.bulk_create(members)
        through = TeamMember.products.through
        for member in members:
            for product in rng.sample(products, rng.choice([1, 1, 2])):
                covers.append(through(teammember_id=member.pk, product_id=product.pk))
        through.objects.bulk_create(covers)
        Expense.objects.bulk_create(
            Expense(
                name=name,
                kind=kind,
                monthly_amount=Decimal(amount) * Decimal(max(self.scale, 0.01)),
                start_date=start,
                end_date=end,
            )
            for name, kind, amount, start, end in [
                ("Zendesk seats", "tool", 18_000, date(2022, 1, 1), None),
                ("Intercom", "tool", 6_500, date(2023, 5, 1), None),
                ("Office share", "overhead", 25_000, date(2022, 1, 1), None),
                ("Old chat tool", "tool", 3_000, date(2022, 1, 1), date(2025, 6, 15)),
                ("Contractors", "variable", 40_000, date(2025, 9, 1), None),
                ("Training", "overhead", 2_000, date(2024, 1, 1), date(2026, 12, 31)),
            ]
        )
        settings = MetricSettings.load()
        settings.reporting_timezone = REPORTING_TIMEZONE
        settings.bug_tags = BUG_TAGS
        settings.save()

    # ---- customers and billing ----

    def _subscriptions(self, rng, signup, enterprise, currency):
        """One customer's subscriptions, oldest first: [(plan key, status, quantity, MRR,
        MRR whatever the status, started, trial end, canceled, ended)] (times in seconds)."""
        subs = []
        t = signup + rng.randrange(0, 20 * DAY)
        if t >= NOW:
            return subs
        if enterprise:
            tier = "enterprise"
        elif rng.random() < 0.22:
            tier = "free"
        else:
            tier = rng.choices(PAID_LADDER, weights=[55, 33, 12])[0]
        trial_end = None
        if tier in PAID_LADDER and rng.random() < 0.6:
            trial_end = t + 14 * DAY
            if rng.random() > 0.72:  # the trial does not convert
                listed = self._monthly(tier + "_m", 1, currency)
                if trial_end > NOW:
                    subs.append((tier + "_m", "trialing", 1, 0, listed, t, trial_end, None, None))
                else:
                    subs.append((tier + "_m", "canceled", 1, 0, listed, t, trial_end,
                                 trial_end - DAY, trial_end))  # fmt: skip
                return subs
        while t < NOW:
            if tier == "enterprise":
                key, qty = "enterprise", 1
            elif tier == "free":
                key, qty = "free", 1
            else:
                annual = rng.random() < 0.15
                key = tier + ("_y" if annual else "_m")
                qty = 1 if tier == "starter" else rng.choice([1, 1, 2, 3, 5, 8])
            list_mrr = self._monthly(key, qty, currency, enterprise_seed=rng)
            mrr = list_mrr * 4 // 5 if list_mrr and rng.random() < 0.1 else list_mrr
            # hazards per month: plan change, churn
            change = 0.065 if tier != "enterprise" else 0.005
            churn = 0.022 if tier != "enterprise" else 0.006
            if tier == "free":
                change, churn = 0.03, 0.0
            wait = rng.expovariate((change + churn) / MONTH)
            end = max(t + int(wait), (trial_end or t) + DAY)
            if end >= NOW:
                if trial_end and trial_end > NOW:
                    status = "trialing"
                else:
                    status = rng.choices(["active", "past_due", "unpaid"], [95, 4, 1])[0]
                counting = status in ("active", "past_due")
                subs.append((key, status, qty, mrr if counting else 0, mrr, t, trial_end,
                             None, None))  # fmt: skip
                return subs
            subs.append((key, "canceled", qty, 0, mrr, t, trial_end, end - rng.randrange(DAY),
                         end))  # fmt: skip
            trial_end = None
            if rng.random() < churn / (change + churn):
                if rng.random() > 0.4:  # gone for good
                    return subs
                t = end + int(rng.expovariate(1 / (6 * MONTH)))
                tier = rng.choices(PAID_LADDER, weights=[55, 33, 12])[0]
            else:
                t = end
                if tier == "free":
                    tier = "starter"
                elif tier in PAID_LADDER:
                    i = PAID_LADDER.index(tier)
                    i = min(i + 1, 2) if rng.random() < 0.75 or i == 0 else i - 1
                    tier = PAID_LADDER[i]
        return subs

    def _monthly(self, key, qty, currency, enterprise_seed=None):
        plan = self.plans[(key, currency)]
        amount = plan.unit_amount_minor
        if key == "enterprise" and enterprise_seed is not None:
            amount = enterprise_seed.randrange(150_000, 600_000, 1000)
        if plan.interval == "year":
            return amount * qty // 12
        return amount * qty

    def customers(self, connection, tables) -> None:
        from supportops.models import (
            Customer,
            CustomerIdentity,
            Invoice,
            Subscription,
            UsageMonth,
        )

        rng = random.Random(self.seed + 2)
        copier = Copier(connection, [tables[m] for m in
                                     (Customer, CustomerIdentity, Subscription, Invoice,
                                      UsageMonth)])  # fmt: skip
        n = self.n_customers
        self.signups = array("d")
        self.weights = array("d")
        identity_id = sub_id = invoice_id = usage_id = 0
        synced = ts(NOW - 3600)
        progress = Progress("customers, identities, subscriptions, invoices, usage", n)
        cumulative = 0.0
        window_month = (2024, 11)
        last_month = (2026, 10)
        for i in range(1, n + 1):
            signup = SIGNUP_START + int((i - 1 + rng.random()) / n * (NOW - 7 * DAY - SIGNUP_START))
            enterprise = rng.random() < 0.03
            billed = enterprise or rng.random() < 0.88
            currency = "eur" if rng.random() < 0.03 else "usd"
            word = rng.choice(WORDS)
            name = f"{word} {rng.choice(WORDS)} {rng.choice(SUFFIXES)} {i}"
            domain = f"{word.lower()}-{i}.example.com"
            domains = json.dumps([domain])
            subs = self._subscriptions(rng, signup, enterprise, currency) if billed else []
            current = [s for s in subs if s[8] is None]
            paying = [s for s in current if s[1] in ("active", "past_due") and s[3] > 0]
            plan_key = (paying or current or [None])[0]
            plan_id = self.plans[(plan_key[0], currency)].pk if plan_key else None
            mrr = sum(s[3] for s in paying)
            created = max(signup, FIRST_SYNC) + rng.randrange(3600)
            zendesk_org = str(360_000_000 + i)
            account = f"acct_{i:06d}"
            stripe_id = f"cus_{i:08d}"
            has_usage = rng.random() < (0.98 if subs else 0.93)
            linked = has_usage and rng.random() > 0.01
            # what each source says about creation; the signup is the earliest (DESIGN §4)
            zendesk_created = signup + rng.randrange(3 * DAY)
            signup_month = time.gmtime(signup)
            usage_created = int(
                datetime(signup_month.tm_year, signup_month.tm_mon, 1, tzinfo=UTC).timestamp()
            )
            signed_up = min([zendesk_created] + [signup] * bool(subs) + [usage_created] * linked)
            copier.add(Customer, i, name, domains, NULL if plan_id is None else plan_id,
                       "t" if paying else "f", "t" if enterprise else "f", mrr, currency,
                       ts(created), ts(created), ts(signed_up))  # fmt: skip
            identity_id += 1
            copier.add(CustomerIdentity, identity_id, "zendesk", zendesk_org, synced, i, name,
                       domains, account, "created", "[]", "{}", ts(zendesk_created))  # fmt: skip
            if subs:
                identity_id += 1
                refs = json.dumps([["zendesk", zendesk_org]])
                copier.add(CustomerIdentity, identity_id, "stripe", stripe_id, synced, i, name,
                           domains, account, "explicit", refs, "{}", ts(signup))  # fmt: skip
            if has_usage:
                identity_id += 1
                copier.add(CustomerIdentity, identity_id, "usage", account, synced,
                           i if linked else NULL, "" if linked else name, "[]", account,
                           "explicit" if linked else "", "[]", "{}",
                           ts(usage_created))  # fmt: skip
            for key, status, qty, s_mrr, list_mrr, started, trial_end, canceled, ended in subs:
                sub_id += 1
                sub_ext = f"sub_{sub_id:08d}"
                plan = self.plans[(key, currency)]
                copier.add(Subscription, sub_id, "stripe", sub_ext, synced, i, stripe_id, plan.pk,
                           status, qty, s_mrr, currency, ts(started),
                           NULL if trial_end is None else ts(trial_end),
                           NULL if canceled is None else ts(canceled),
                           NULL if ended is None else ts(ended), list_mrr)  # fmt: skip
                if status == "trialing":
                    continue
                period = YEAR if plan.interval == "year" else MONTH
                due = list_mrr * (12 if plan.interval == "year" else 1)
                start = trial_end or started
                stop = min(ended or NOW, NOW)
                if start < WINDOW_START:
                    start += (WINDOW_START - start) // period * period
                    if start < WINDOW_START:
                        start += period
                while start < stop:
                    invoice_id += 1
                    roll = rng.random()
                    if start > NOW - 20 * DAY and status == "past_due" and start + period > NOW:
                        inv_status = "open"
                    elif roll < 0.015:
                        inv_status = "uncollectible"
                    elif roll < 0.025:
                        inv_status = "void"
                    else:
                        inv_status = "paid"
                    paid = inv_status == "paid"
                    paid_at = ts(start + rng.randrange(60, 3 * DAY)) if paid else NULL
                    copier.add(Invoice, invoice_id, "stripe", f"in_{invoice_id:09d}", synced, i,
                               stripe_id, sub_ext, inv_status, due, due if paid else 0, currency,
                               ts(start), paid_at, ts(start), ts(start + period))  # fmt: skip
                    start += period
            if has_usage:
                usage_id = self._usage(copier, rng, i, account, signup, subs, enterprise, mrr,
                                       usage_id, window_month, last_month, linked)  # fmt: skip
            weight = 10.0 if enterprise else (2.5 if paying else 1.0)
            cumulative += weight
            self.signups.append(signup)
            self.weights.append(cumulative)
            if i % 1000 == 0:
                progress.tick(i)
        copier.flush()
        counts = ", ".join(f"{t.name.removeprefix('supportops_')} {t.rows:,}"
                           for t in copier.tables.values())  # fmt: skip
        progress.done(f"({counts}; COPY {copier.copy_seconds:,.1f} s)")

    def _usage(self, copier, rng, i, account, signup, subs, enterprise, mrr, usage_id,
               window_month, last_month, linked):  # fmt: skip
        from supportops.models import UsageMonth

        base = (
            lognormal_clip(rng, 40_000, 0.8, 2000, 2_000_000)
            if enterprise
            else lognormal_clip(rng, 1500 if mrr else 300, 1.2, 0, 500_000)
        )
        first = time.gmtime(signup)
        year, month = max((first.tm_year, first.tm_mon), window_month)
        stop = last_month
        if subs and all(s[8] is not None for s in subs) and rng.random() < 0.35:  # gone
            gone = time.gmtime(max(s[8] for s in subs) + rng.randrange(0, 3) * MONTH)
            stop = min(stop, (gone.tm_year, gone.tm_mon))
        growth = 1.0
        while (year, month) <= stop:
            growth *= 1 + rng.uniform(-0.05, 0.08)
            calls = 0 if rng.random() < 0.04 else int(base * growth * rng.uniform(0.6, 1.4))
            usage_id += 1
            copier.add(UsageMonth, usage_id, account, i if linked else NULL,
                       f"{year:04d}-{month:02d}-01", calls, "warehouse")  # fmt: skip
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return usage_id

    # ---- tickets and interactions ----

    def tickets(self, connection, tables) -> None:
        from supportops.models import Interaction, Ticket

        rng = random.Random(self.seed + 3)
        copier = Copier(connection, [tables[Ticket], tables[Interaction]])
        n = self.n_tickets
        growth = 0.6
        span = NOW - WINDOW_START
        synced = ts(NOW - 3600)
        zendesk_id, intercom_id, part_id = 100_000, 7_000_000_000, 500_000_000
        problems: deque[tuple[int, str]] = deque()
        progress = Progress("tickets and interactions", n)
        interaction_id = 0
        signups, weights = self.signups, self.weights
        bodies = [" ".join(rng.sample(PHRASES, k)) for k in (1, 2, 3) for _ in range(30)]
        spread = 0
        for i in range(1, n + 1):
            f = (i - 1 + rng.random()) / n * (1 + growth / 2)
            x = (-1 + math.sqrt(1 + 2 * growth * f)) / growth
            created = WINDOW_START + int(x * span)
            channel = rng.choices(("email", "web", "chat", "api"), (45, 25, 20, 10))[0]
            if channel == "chat":
                source = "intercom"
                intercom_id += rng.randrange(1, 4)
                external = str(intercom_id)
            else:
                source = "zendesk"
                zendesk_id += 1
                external = str(zendesk_id)
            # the customer: weighted among those signed up by then; ~5% unlinked
            customer = None
            if rng.random() > 0.05:
                k = bisect.bisect_right(signups, created)
                if k:
                    customer = bisect.bisect_left(weights, rng.random() * weights[k - 1], 0, k) + 1
            roll = rng.random()
            if roll < 0.03:
                name = rng.choice(INTEGRATIONS)
                form = rng.randrange(5)
                if form == 1:
                    name = name.lower()
                elif form == 2:
                    name = f"“{name}”"
                elif form == 3:
                    name = f" {name.upper()} "
                elif form == 0:
                    name = f'"{name}"'
                subject = f"Requesting integration for {name}"
            else:
                subject = f"{rng.choice(SUBJECTS)} (#{external})"
            tags = rng.sample(TAGS, rng.randrange(0, 3))
            if rng.random() < 0.02:
                tags.append(BUG_TAGS[0] if rng.random() < 0.75 else BUG_TAGS[1])
            kind = rng.choices(("question", "incident", "task", ""), (60, 15, 10, 15))[0]
            problem = ""
            while problems and problems[0][0] < created - 60 * DAY:
                problems.popleft()
            if source == "zendesk":
                roll = rng.random()
                if roll < 0.0012:
                    kind = "problem"
                    problems.append((created, external))
                elif roll < 0.0137 and problems:
                    kind = "incident"
                    problem = problems[rng.randrange(len(problems))][1]
            product = NULL if rng.random() < 0.1 else rng.choice(self.product_ids)
            deleted = rng.random() < 0.01
            # lifetime: most solved within days; the oldest open ones form a backlog
            hours = lognormal_clip(rng, 10, 1.5, 0.05, 24 * 120)
            solved = created + int(hours * 3600)
            if solved > NOW or rng.random() < 0.015:
                solved = None
            # interactions: counts in pairs average exactly 3 per ticket
            if i % 2:
                spread = rng.randrange(-2, 3)
                count = 3 + spread
            else:
                count = 3 - spread
            until = solved if solved is not None else min(NOW, created + int(hours * 7200))
            until = max(until, created + 60)
            times = sorted(created + int(rng.random() * (until - created))
                           for _ in range(count - 1))  # fmt: skip
            times.insert(0, created)
            first_reply = None
            last = created
            for j, at in enumerate(times):
                interaction_id += 1
                part_id += 1
                if j == 0:
                    role, public = "customer", "t"
                else:
                    r = rng.random()
                    if r < 0.02:
                        role, public = "system", "t"
                    elif r < 0.14:
                        role, public = "agent", "f"
                    elif r < 0.62:
                        role, public = "agent", "t"
                    else:
                        role, public = "customer", "t"
                if role == "agent" and public == "t" and first_reply is None:
                    first_reply = at
                orphan = rng.random() < 0.002
                copier.add(Interaction, interaction_id, source, str(part_id), synced,
                           NULL if orphan else i, external,
                           f"u{customer or 0}" if role == "customer" else f"a{part_id % 220}",
                           role, public, ts(at), rng.choice(bodies))  # fmt: skip
                last = max(last, at)
            reply_minutes = NULL
            if first_reply is not None and source == "zendesk":
                reply_minutes = int((first_reply - created) / 60 * rng.uniform(0.85, 1.0))
            resolution = NULL
            if solved is not None and source == "zendesk":
                resolution = int((solved - created) / 60)
            if solved is None:
                status = rng.choice(("new", "open", "open", "pending", "hold"))
            else:
                status = "closed" if solved < NOW - 28 * DAY else "solved"
            org = NULL if customer is None else str(360_000_000 + customer)
            # The vendor's reopen count on solved tickets (8% once, 2% twice), from the
            # ticket number rather than `rng`, so every other generated value stays as it was.
            reopens = NULL
            if solved is not None:
                spin = i * 2_654_435_761 % 100
                reopens = 2 if spin < 2 else 1 if spin < 10 else 0
            custom = "{}"
            if rng.random() < 0.5:
                custom = json.dumps({"area": rng.choice(PRODUCTS).lower()})
            copier.add(Ticket, i, source, external, synced, NULL if customer is None else customer,
                       "" if customer is None else org,
                       f"u{customer or 0}", channel, subject, status, kind,
                       rng.choice(("low", "normal", "normal", "high", "urgent")),
                       json.dumps(tags), product, problem, ts(created),
                       ts(max(last, solved or 0)), NULL if solved is None else ts(solved),
                       reply_minutes, resolution, custom, "t" if deleted else "f",
                       reopens)  # fmt: skip
            if i % 5000 == 0:
                progress.tick(i)
        copier.flush()
        counts = ", ".join(f"{t.name.removeprefix('supportops_')} {t.rows:,}"
                           for t in copier.tables.values())  # fmt: skip
        progress.done(f"({counts}; COPY {copier.copy_seconds:,.1f} s)")


# --- the load ----------------------------------------------------------------------------------

PROVIDED = {
    "Customer": ("id", "name", "domains", "plan_id", "is_paying", "is_enterprise", "mrr_minor",
                 "currency", "created_at", "updated_at", "signed_up_at"),
    "CustomerIdentity": ("id", "source", "external_id", "synced_at", "customer_id", "name",
                         "domains", "account_key", "match_method", "references", "extra",
                         "source_created_at"),
    "Subscription": ("id", "source", "external_id", "synced_at", "customer_id",
                     "customer_external_id", "plan_id", "status", "quantity", "mrr_minor",
                     "currency", "started_at", "trial_end_at", "canceled_at", "ended_at",
                     "list_mrr_minor"),
    "Invoice": ("id", "source", "external_id", "synced_at", "customer_id", "customer_external_id",
                "subscription_external_id", "status", "amount_due_minor", "amount_paid_minor",
                "currency", "created_at", "paid_at", "period_start_at", "period_end_at"),
    "UsageMonth": ("id", "account_id", "customer_id", "month", "api_calls", "source"),
    "Ticket": ("id", "source", "external_id", "synced_at", "customer_id",
               "organization_external_id", "requester_external_id", "channel", "subject",
               "status", "type", "priority", "tags", "product_id", "problem_external_id",
               "created_at", "updated_at", "solved_at", "first_reply_minutes",
               "full_resolution_minutes", "custom_fields", "is_deleted", "reopens"),
    "Interaction": ("id", "source", "external_id", "synced_at", "ticket_id",
                    "ticket_external_id", "author_external_id", "author_role", "is_public",
                    "created_at", "body"),
}  # fmt: skip
# Optional fields the team is adding; loaded when the model has them.
OPTIONAL = {
    ("Customer", "signed_up_at"),
    ("Subscription", "list_mrr_minor"),
    ("CustomerIdentity", "source_created_at"),
}


def copied_models():
    from supportops import models as m

    return [getattr(m, name) for name in PROVIDED]


def build_tables(connection) -> dict:
    tables = {}
    with connection.cursor() as cur:
        for model in copied_models():
            name = model.__name__
            cur.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
                [model._meta.db_table],
            )
            columns = {row[0] for row in cur.fetchall()}
            for model_name, field in OPTIONAL:
                if model_name == name and not has_field(model, field):
                    print(f"  note: {name}.{field} does not exist (yet); not loaded")
            tables[model] = Table(model, PROVIDED[name], columns)
    return tables


GENERATOR_CODE = {"Generator", "ts", "copy_text", "lognormal_clip", "default_value", "_fallback"}


def generator_code() -> str:
    """A digest of the code that decides the rows (module constants, the Generator and its
    helpers; not comments or docstrings): changing it makes a new generation, so a stale data
    set is never benchmarked. DATA_VERSION is for changes this cannot see."""
    tree = ast.parse(Path(__file__).read_text())
    kept = []
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) or (
            isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name in GENERATOR_CODE
        ):
            for inner in ast.walk(node):
                body = getattr(inner, "body", None)
                if (
                    isinstance(inner, ast.ClassDef | ast.FunctionDef)
                    and body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    inner.body = body[1:] or [ast.Pass()]
            kept.append(ast.dump(node))
    return hashlib.sha256("\n".join(kept).encode()).hexdigest()


def signature(scale: float, seed: int, tables: dict) -> str:
    described = {t.name: t.signature for t in tables.values()}
    text = json.dumps([DATA_VERSION, seed, scale, described, generator_code()], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


MARKER_DDL = """CREATE TABLE IF NOT EXISTS bench_dataset (
    name text PRIMARY KEY, signature text NOT NULL, scale double precision NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now(), load_seconds double precision, counts jsonb)"""


def loaded_signature(cur) -> str | None:
    cur.execute(MARKER_DDL)
    cur.execute("SELECT signature FROM bench_dataset WHERE name = 'metrics'")
    row = cur.fetchone()
    return row[0] if row else None


def secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `table` that back no constraint."""
    cur.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid)
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           JOIN pg_class t ON t.oid = x.indrelid
           WHERE t.relname = %s AND NOT EXISTS
               (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)""",
        [table],
    )
    return cur.fetchall()


def check_references(cur) -> None:
    """COPY ran with foreign-key triggers off (session_replication_role = replica): prove that
    every reference the loader wrote points at a row."""
    for model in copied_models():
        for field in model._meta.concrete_fields:
            if not field.is_relation or field.column not in tables_columns(cur, model):
                continue
            parent = field.related_model._meta
            cur.execute(
                f'SELECT count(*) FROM {model._meta.db_table} c WHERE c."{field.column}" IS NOT '
                f"NULL AND NOT EXISTS (SELECT 1 FROM {parent.db_table} p WHERE "
                f'p."{parent.pk.column}" = c."{field.column}")'
            )
            broken = cur.fetchone()[0]
            if broken:
                raise SystemExit(f"{model.__name__}.{field.name}: {broken} dangling references")


def tables_columns(cur, model) -> set[str]:
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s",
        [model._meta.db_table],
    )
    return {row[0] for row in cur.fetchall()}


def load(*, scale: float = 1.0, seed: int = DEFAULT_SEED, reload: bool = False) -> str:
    """Make the database hold this generation of the data (loading it when needed); returns
    the database URL. Django must not be set up yet, or set up on that URL.

    The load is one transaction (truncate, drop the secondary indexes, COPY, recreate them):
    a failed or interrupted load leaves the database as it was.
    """
    url = database_url(scale)
    ensure_database(url)
    from django.conf import settings

    if not settings.configured:
        setup_django(url)
    from django.apps import apps
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.db import connection, transaction

    call_command("migrate", "--noinput", verbosity=0)
    tables = build_tables(connection)
    wanted = signature(scale, seed, tables)
    with connection.cursor() as cur:
        have = loaded_signature(cur)
    if have == wanted and not reload:
        print(f"data: generation {wanted} (scale {scale:g}) already loaded in {url}")
        return url
    print(f"loading generation {wanted} (scale {scale:g}, seed {seed}) into {url}", flush=True)
    started = time.perf_counter()

    models = list(apps.get_app_config("supportops").get_models())
    names = {m._meta.db_table for m in models}
    names |= {f.remote_field.through._meta.db_table for m in models
              for f in m._meta.local_many_to_many}  # fmt: skip
    with transaction.atomic():
        raw = connection.cursor().connection  # the psycopg2 connection, in this transaction
        with connection.cursor() as cur:
            cur.execute("DELETE FROM bench_dataset")
            cur.execute(f"TRUNCATE {', '.join(sorted(names))} RESTART IDENTITY CASCADE")
        generator = Generator(scale, seed)
        generator.small_tables()
        dropped = []
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            cur.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for model in copied_models():
                for name, definition in secondary_indexes(cur, model._meta.db_table):
                    dropped.append(definition)
                    cur.execute(f'DROP INDEX "{name}"')
        generator.customers(raw, tables)
        generator.tickets(raw, tables)
        step = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = DEFAULT")
            for definition in dropped:
                cur.execute(definition)
            for statement in connection.ops.sequence_reset_sql(no_style(), copied_models()):
                cur.execute(statement)
        print(f"  indexes ({len(dropped)}) and sequences: {time.perf_counter() - step:,.1f} s")
        step = time.perf_counter()
        from supportops.contact import customer_contact_refresh

        customer_contact_refresh()  # what the helpdesk syncs keep: last contact, ticket count
        print(f"  last contact and ticket counts: {time.perf_counter() - step:,.1f} s")
        step = time.perf_counter()
        with connection.cursor() as cur:
            check_references(cur)
            counts = {t.name: t.rows for t in tables.values()}
            cur.execute(
                "INSERT INTO bench_dataset (name, signature, scale, load_seconds, counts) "
                "VALUES ('metrics', %s, %s, %s, %s)",
                [wanted, scale, time.perf_counter() - started, json.dumps(counts)],
            )
        print(f"  references checked: {time.perf_counter() - step:,.1f} s", flush=True)
    step = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")  # statistics, and the visibility map index-only scans need
    print(f"  VACUUM ANALYZE: {time.perf_counter() - step:,.1f} s", flush=True)
    seconds = time.perf_counter() - started
    with connection.cursor() as cur:
        cur.execute("UPDATE bench_dataset SET load_seconds = %s", [seconds])
    print(f"loaded in {seconds:,.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M tickets (default)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--reload", action="store_true", help="load even if already loaded")
    args = parser.parse_args()
    load(scale=args.scale, seed=args.seed, reload=args.reload)


if __name__ == "__main__":
    main()
