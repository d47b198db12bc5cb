"""Django admin reads the way an admin thinks: sections, money as money, words for labels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from supportops.admin.display import duration, money
from supportops.admin.forms import DomainListField
from supportops.models import (
    Customer,
    Expense,
    Invoice,
    MetricSettings,
    Product,
    Subscription,
    SyncRun,
    TeamMember,
)
from tests.factories import ticket_create

pytestmark = pytest.mark.django_db

AT = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
SECTIONS = [
    "Cost inputs",
    "Customers and identities",
    "Synced data (read-only)",
    "Syncs",
    "Monthly report",
    "Access",
]


def html(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def changelist(admin_client, name, query=""):
    return admin_client.get(reverse(f"admin:supportops_{name}_changelist") + query)


# Sections


def test_the_index_lists_sections_in_the_order_an_admin_thinks(admin_client):
    response = admin_client.get(reverse("admin:index"))

    page = html(response)
    sections = response.context["app_list"]
    assert [section["name"] for section in sections] == SECTIONS
    models = {section["name"]: [m["name"] for m in section["models"]] for section in sections}
    assert models["Cost inputs"] == ["Team members", "Expenses", "Products", "Metric settings"]
    assert models["Customers and identities"] == ["Customers", "Customer identities", "Contacts"]
    assert models["Synced data (read-only)"][:2] == ["Tickets", "Interactions"]
    assert "CRM activities" in models["Synced data (read-only)"]
    assert models["Syncs"] == ["Sync runs", "Sync states", "Product re-maps"]
    assert models["Monthly report"] == [
        "Report schedule",
        "Report recipients",
        "Monthly reports",
        "Report deliveries",
    ]
    assert models["Access"] == [
        "Users",
        "Groups",
        "Auth tokens",
        "Access attempts",
        "Access failures",
        "Access logs",
    ]
    positions = [page.index(f">{name}</a>") for name in SECTIONS]
    assert positions == sorted(positions)
    assert ">Supportops</a>" not in page and "Authentication and Authorization" not in page


def test_the_sidebar_shows_the_same_sections_and_app_pages_still_work(admin_client):
    response = changelist(admin_client, "teammember")
    assert [app["name"] for app in response.context["available_apps"]] == SECTIONS

    app_page = admin_client.get(reverse("admin:app_list", args=["supportops"]))
    assert "Team members" in html(app_page)


def test_synced_data_is_read_only(admin_client):
    response = changelist(admin_client, "crmactivity")
    assert html(response)
    assert admin_client.get(reverse("admin:supportops_crmactivity_add")).status_code == 403


def test_admin_pages_declare_an_icon_so_browsers_do_not_ask_for_favicon_ico(admin_client):
    customer = Customer.objects.create(name="Acme")
    pages = [
        reverse("admin:index"),
        reverse("admin:supportops_teammember_changelist"),
        reverse("admin:supportops_teammember_add"),
        reverse("admin:supportops_customer_change", args=[customer.pk]),
    ]
    for url in pages:
        assert '<link rel="icon" href="data:,">' in html(admin_client.get(url)), url


# Money


def test_salaries_and_expenses_show_as_money_in_the_reporting_currency(admin_client):
    TeamMember.objects.create(
        name="Ada", annual_salary=Decimal("118000"), annual_benefits=Decimal("9500.5"),
        fte=1, start_date="2024-01-01",
    )  # fmt: skip
    Expense.objects.create(
        name="Zendesk", kind="tool", monthly_amount=Decimal("1250.5"), start_date="2024-01-01"
    )

    members = html(changelist(admin_client, "teammember"))
    assert "118,000.00 USD" in members and "9,500.50 USD" in members
    assert ">Annual salary<" in members and ">FTE<" in members and "Fte" not in members
    assert "1,250.50 USD" in html(changelist(admin_client, "expense"))

    MetricSettings.objects.create(pk=1, currency="EUR")
    assert "118,000.00 EUR" in html(changelist(admin_client, "teammember"))


def test_mrr_shows_in_major_units_with_its_currency(admin_client):
    customer = Customer.objects.create(name="Acme", mrr_minor=1050000, currency="usd")
    Customer.objects.create(name="Tokyo KK", mrr_minor=1050000, currency="jpy")

    listing = html(changelist(admin_client, "customer"))
    assert "10,500.00 USD" in listing and "1,050,000 JPY" in listing
    assert ">MRR<" in listing

    detail = html(admin_client.get(reverse("admin:supportops_customer_change", args=[customer.pk])))
    assert "10,500.00 USD" in detail
    assert "1050000" not in detail and "MRR minor" not in detail and "Mrr" not in detail


def test_billing_amounts_show_as_money(admin_client):
    customer = Customer.objects.create(name="Acme")
    subscription = Subscription.objects.create(
        source="stripe", external_id="sub_1", customer=customer, status="active",
        mrr_minor=19900, currency="usd", started_at=AT,
    )  # fmt: skip
    Invoice.objects.create(
        source="stripe", external_id="in_1", customer=customer, status="paid",
        amount_due_minor=1234567, amount_paid_minor=1234567, currency="eur", created_at=AT,
    )  # fmt: skip

    assert "199.00 USD" in html(changelist(admin_client, "subscription"))
    invoices = html(changelist(admin_client, "invoice"))
    assert "12,345.67 EUR" in invoices and ">Amount paid<" in invoices
    detail = html(
        admin_client.get(reverse("admin:supportops_subscription_change", args=[subscription.pk]))
    )
    assert "199.00 USD" in detail and "19900" not in detail


def test_money_formatting():
    assert money(Decimal("118000"), "usd") == "118,000.00 USD"
    assert money(Decimal("0.5"), "EUR") == "0.50 EUR"
    assert money(Decimal("1050000"), "jpy") == "1,050,000 JPY"
    assert money(None, "usd") is None


# Domains


def test_domains_are_edited_as_a_comma_separated_list(admin_client):
    customer = Customer.objects.create(name="Acme", domains=["acme.com", "acme.io"])
    url = reverse("admin:supportops_customer_change", args=[customer.pk])

    page = html(admin_client.get(url))
    assert 'value="acme.com, acme.io"' in page and "[&quot;acme.com" not in page

    inline = {"identities-TOTAL_FORMS": "0", "identities-INITIAL_FORMS": "0"}
    response = admin_client.post(url, {"name": "Acme", "domains": "a.com, B.com, a.com"} | inline)
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.domains == ["a.com", "b.com"]

    refused = admin_client.post(url, {"name": "Acme", "domains": "a.com, not a domain"} | inline)
    assert "Not a domain name: “not a domain”." in html(refused)
    customer.refresh_from_db()
    assert customer.domains == ["a.com", "b.com"]


def test_the_domain_field_cleans_and_validates():
    field = DomainListField(required=False)
    assert field.clean("a.com, B.com") == ["a.com", "b.com"]
    assert field.clean(" Acme.IO ;acme.io\nacme.de ") == ["acme.io", "acme.de"]
    assert field.clean("") == []
    assert field.prepare_value(["a.com", "b.com"]) == "a.com, b.com"
    for bad in ["not a domain", "localhost", "bob@acme.com", "-acme.com", "acme..com"]:
        with pytest.raises(Exception, match="Not a domain name"):
            field.clean(bad)


# Durations, ordering, filters


def test_sync_run_durations_are_rounded_to_seconds(admin_client):
    SyncRun.objects.create(
        source="zendesk", status="succeeded", started_at=AT,
        finished_at=AT + timedelta(hours=1, minutes=2, seconds=3, microseconds=400000),
        records_read=12345,
    )  # fmt: skip
    SyncRun.objects.create(
        source="stripe", status="succeeded", started_at=AT,
        finished_at=AT + timedelta(seconds=41, microseconds=600000),
    )  # fmt: skip

    page = html(changelist(admin_client, "syncrun"))
    assert "1:02:03" in page and "42 s" in page and "12,345" in page
    assert "1:02:03.4" not in page and "0:00:41" not in page
    assert duration(None) is None and duration(timedelta(seconds=60)) == "0:01:00"


def test_tickets_are_listed_newest_first(admin_client):
    for n, days in enumerate([3, 1, 2]):
        ticket_create(None, f"t{n}", AT + timedelta(days=days))

    response = changelist(admin_client, "ticket")

    assert [t.external_id for t in response.context["cl"].result_list] == ["t0", "t2", "t1"]


def filter_choices(response, title):
    spec = next(s for s in response.context["cl"].filter_specs if s.title == title)
    return [choice["display"] for choice in spec.choices(response.context["cl"])]


def test_filters_offer_only_values_that_exist(admin_client):
    billing = Product.objects.create(name="Billing")
    Product.objects.create(name="Never used")
    ticket_create(None, "1", AT, source="zendesk", product=billing)
    ticket_create(None, "2", AT, source="intercom")

    response = changelist(admin_client, "ticket")

    assert filter_choices(response, "source") == ["All", "Zendesk", "Intercom"]
    assert filter_choices(response, "product") == ["All", "Billing", "-"]
    assert filter_choices(response, "deleted") == ["All", "No"]


def test_filter_links_keep_djangos_query_parameters(admin_client):
    SyncRun.objects.create(source="zendesk", status="failed", started_at=AT)
    SyncRun.objects.create(source="stripe", status="succeeded", started_at=AT)

    response = changelist(admin_client, "syncrun", "?source__exact=zendesk")

    assert [run.source for run in response.context["cl"].result_list] == ["zendesk"]
    assert filter_choices(response, "status") == ["All", "Succeeded", "Failed"]
    assert "?source__exact=stripe" in html(response)
