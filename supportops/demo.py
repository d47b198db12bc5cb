"""Sample cost inputs and product rules for the demo company (the sandbox's data)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from .models import Expense, MetricSettings, Product, ProductRule, TeamMember

# The sandbox files a "Product" dropdown in custom field 360001; these map its values.
PRODUCT_FIELD_ID = "360001"
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
    ("Priya Raman", "Support Engineer", "80000", "17500", "1", ["API", "Integrations"]),
    ("Jonas Weber", "Support Engineer", "76000", "16500", "1", ["Dashboard"]),
    ("Amara Okafor", "Support Engineer", "76000", "16500", "1", ["Billing", "Mobile app"]),
    ("Lena Fischer", "Support Engineer", "74000", "16000", "0.5", ["Mobile app"]),
    ("Sam Carter", "Enterprise Support", "96000", "21000", "1", ["Enterprise"]),
    ("Ivy Chen", "Support Operations", "70000", "15000", "0.8", ["Integrations"]),
]

EXPENSES = [
    ("Zendesk Suite licences", Expense.Kind.TOOL, "1380.00"),
    ("Intercom seats", Expense.Kind.TOOL, "890.00"),
    ("Status page & monitoring", Expense.Kind.TOOL, "240.00"),
    ("Office & equipment share", Expense.Kind.OVERHEAD, "3200.00"),
    ("Contract translators", Expense.Kind.VARIABLE, "650.00"),
]


@transaction.atomic
def demo_inputs_load(*, start_date: date) -> None:
    """Idempotent: safe to run on every demo start."""
    MetricSettings.load()
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
    for name, role, salary, benefits, fte, covered in TEAM:
        member, _ = TeamMember.objects.get_or_create(
            name=name,
            defaults={
                "role": role,
                "annual_salary": Decimal(salary),
                "annual_benefits": Decimal(benefits),
                "fte": Decimal(fte),
                "start_date": start_date,
            },
        )
        member.products.set([products[p] for p in covered])
    for name, kind, amount in EXPENSES:
        Expense.objects.get_or_create(
            name=name,
            defaults={"kind": kind, "monthly_amount": Decimal(amount), "start_date": start_date},
        )
