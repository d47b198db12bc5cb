"""Sample cost inputs and product rules for the demo company (the sandbox's data).

The base team and expenses run from `start_date`. On top of them a short story, dated relative
to `today` so it always falls inside the dashboard's 12-month chart (which ends with the last
complete month): a hire, a tool added, a leaver and a raise. Months are counted back from the
month of `today`:

    8 months back, 1st      Noor Haddad joins (Support Engineer)
    6 months back, 1st      Conversation QA reviews tool starts
    5 months back, last day Jonas Weber's last day
    3 months back, 16th     Tomás Ortega's raise (Senior Support Engineer); that month prorated
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from .models import Expense, MetricSettings, Product, ProductRule, TeamMember

# The sandbox files a "Product" dropdown in custom field 360001; these map its values.
PRODUCT_FIELD_ID = "360001"
# The sandbox tags bugs per product area (connectors/sandbox/vocab.py BUG_TAGS); the generic
# "bug" tag rides along on most of them, so the demo groups by the specific ones.
BUG_TAGS = [
    "bug-webhooks",
    "bug-export",
    "bug-charts",
    "bug-invoices",
    "bug-login",
    "bug-push",
    "bug-sync",
]
PRODUCTS = {
    "API": "api",
    "Dashboard": "dashboard",
    "Billing": "billing",
    "Mobile app": "mobile",
    "Integrations": "integrations",
}

TEAM = [
    # name, role, salary, benefits, fte, products
    ("Maya Lindqvist", "Head of Support", "118000", "26000", "1", ["API", "Dashboard"]),
    ("Tomás Ortega", "Support Engineer", "82000", "18000", "1", ["API"]),
    (
        "Priya Raman",
        "Support Engineer",
        "80000",
        "17500",
        "1",
        ["API", "Integrations", "Enterprise"],
    ),
    ("Jonas Weber", "Support Engineer", "76000", "16500", "1", ["Dashboard", "Enterprise"]),
    ("Amara Okafor", "Support Engineer", "76000", "16500", "1", ["Billing", "Enterprise"]),
    ("Lena Fischer", "Support Engineer", "74000", "16000", "0.5", ["Mobile app"]),
    ("Sam Carter", "Enterprise Support", "96000", "21000", "1", ["Enterprise"]),
    ("Ivy Chen", "Support Operations", "70000", "15000", "0.8", ["Integrations", "Enterprise"]),
]

EXPENSES = [
    ("Zendesk Suite licences", Expense.Kind.TOOL, "1380.00"),
    ("Intercom seats", Expense.Kind.TOOL, "890.00"),
    ("Status page & monitoring", Expense.Kind.TOOL, "240.00"),
    ("Office & equipment share", Expense.Kind.OVERHEAD, "3200.00"),
    ("Contract translators", Expense.Kind.VARIABLE, "650.00"),
]


# The story, on top of the base team and expenses (dates from `story_dates`).
HIRE = ("Noor Haddad", "Support Engineer", "78000", "17000", "1", ["Dashboard", "Enterprise"])
TOOL = ("Conversation QA reviews", Expense.Kind.TOOL, "600.00")
LEAVER = "Jonas Weber"
RAISE = ("Tomás Ortega", "Senior Support Engineer", "91000", "20000", "1", ["API", "Enterprise"])


@dataclass(frozen=True)
class StoryDates:
    hire_date: date  # first day employed
    tool_date: date  # first day billed
    leaver_end_date: date  # last day employed
    raise_date: date  # first day at the new salary


def story_dates(*, today: date) -> StoryDates:
    """Counted back from the month of `today`, so all four fall in the chart's 12 months."""

    def day_of(months_back: int, day: int | None = None) -> date:
        index = today.year * 12 + today.month - 1 - months_back
        year, month = index // 12, index % 12 + 1
        return date(year, month, day or calendar.monthrange(year, month)[1])

    return StoryDates(
        hire_date=day_of(8, 1),
        tool_date=day_of(6, 1),
        leaver_end_date=day_of(5),
        raise_date=day_of(3, 16),
    )


@transaction.atomic
def demo_inputs_load(*, start_date: date, today: date) -> None:
    """Idempotent: safe to run on every demo start (members are found by name and role).

    A raise is two rows for the same person: the old row ends the day before the raise and a
    new one starts on it with the new salary and role. TeamMember holds one annual salary, and
    ending a row is how an admin records a change of pay or FTE without rewriting the months
    already reported; the role tells the two rows apart in admin. Name and role are the lookup
    key, so a rerun on a later day finds the rows instead of adding a second story.
    """
    story = story_dates(today=today)
    if start_date >= story.hire_date:
        raise ValueError(f"start_date must be before {story.hire_date}, the story's first event")
    settings = MetricSettings.load()
    if settings.bug_tags == ["bug"]:  # still the default: an admin's choice is kept
        settings.bug_tags = BUG_TAGS
        settings.save(update_fields=["bug_tags"])
    _capacity_load(settings)
    products = _products_load()
    end_dates = {LEAVER: story.leaver_end_date, RAISE[0]: story.raise_date - timedelta(days=1)}
    for row in TEAM:
        _member_load(row, start_date=start_date, end_date=end_dates.get(row[0]), products=products)
    _member_load(HIRE, start_date=story.hire_date, end_date=None, products=products)
    _member_load(RAISE, start_date=story.raise_date, end_date=None, products=products)
    for name, kind, amount in EXPENSES:
        _expense_load(name, kind, amount, start_date=start_date)
    _expense_load(*TOOL, start_date=story.tool_date)


# The demo company's capacity inputs. Its enterprise accounts write most of its tickets (the
# sandbox's story), so most of the team shares the Enterprise group; with the model's defaults
# (10 tickets a day, enterprise at half speed) Enterprise would need more engineers than the
# company has, which no head of support would be running.
DEMO_TICKETS_PER_ENGINEER_DAY = 8
DEMO_ENTERPRISE_CAPACITY_FACTOR = Decimal("0.8")


def _capacity_load(settings: MetricSettings) -> None:
    """Set the demo's capacity inputs where they are still the model's defaults (an admin's
    choice is kept)."""
    fields = MetricSettings._meta
    changed = []
    if settings.tickets_per_engineer_day == fields.get_field("tickets_per_engineer_day").default:
        settings.tickets_per_engineer_day = DEMO_TICKETS_PER_ENGINEER_DAY
        changed.append("tickets_per_engineer_day")
    factor = fields.get_field("enterprise_capacity_factor").default
    if settings.enterprise_capacity_factor == factor:
        settings.enterprise_capacity_factor = DEMO_ENTERPRISE_CAPACITY_FACTOR
        changed.append("enterprise_capacity_factor")
    if changed:
        settings.save(update_fields=changed)


def _products_load() -> dict[str, Product]:
    products = {}
    for name, value in PRODUCTS.items():
        product, _ = Product.objects.get_or_create(name=name)
        ProductRule.objects.get_or_create(
            product=product,
            kind=ProductRule.Kind.FIELD,
            field_id=PRODUCT_FIELD_ID,
            value=value,
        )
        products[name] = product
    products["Enterprise"], _ = Product.objects.get_or_create(
        name="Enterprise", defaults={"is_enterprise_group": True}
    )
    return products


def _member_load(row, *, start_date: date, end_date: date | None, products) -> None:
    name, role, salary, benefits, fte, covered = row
    member, _ = TeamMember.objects.get_or_create(
        name=name,
        role=role,
        defaults={
            "annual_salary": Decimal(salary),
            "annual_benefits": Decimal(benefits),
            "fte": Decimal(fte),
            "start_date": start_date,
            "end_date": end_date,
        },
    )
    member.products.set([products[p] for p in covered])


def _expense_load(name: str, kind: str, amount: str, *, start_date: date) -> None:
    Expense.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "monthly_amount": Decimal(amount), "start_date": start_date},
    )
