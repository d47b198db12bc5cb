"""The metric settings over the API (`/api/v1/settings/`), validated as admin validates them,
and the Enterprise plan pattern applied to billing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from supportops.billing import customer_billing_refresh
from supportops.models import Customer, MetricSettings, Plan, Subscription

pytestmark = pytest.mark.django_db

URL = "/api/v1/settings/"
STORED = {
    "reporting_timezone": "Europe/Berlin",
    "currency": "EUR",
    "active_usage_threshold": 750,
    "tickets_per_engineer_day": 12,
    "enterprise_capacity_factor": "0.40",
    "holiday_country": "DE",
    "enterprise_plan_pattern": "^(Ent|Big)",
    "feature_request_patterns": [r"Integrate with (?P<name>\w+)"],
    "bug_tags": ["bug", "defect"],
    "ltv_cap_months": 48,
    "retention_months": 6,
}


@pytest.fixture
def stored(db):
    return MetricSettings.objects.create(pk=1, **STORED)


def test_a_viewer_reads_every_setting_as_stored(analyst_client, stored):
    response = analyst_client.get(URL)
    assert response.status_code == 200
    assert response.json() == STORED


def test_defaults_when_nothing_is_stored(analyst_client):
    body = analyst_client.get(URL).json()
    assert body["enterprise_plan_pattern"] == "enterprise"
    assert body["currency"] == "USD" and body["holiday_country"] == "US"
    assert body["feature_request_patterns"] == [r"Requesting integration for (?P<name>.+)"]


def test_anonymous_is_refused(anon_client):
    assert anon_client.get(URL).status_code in (401, 403)


def test_a_viewer_cannot_change_settings(analyst_client, stored):
    response = analyst_client.patch(URL, {"currency": "USD"}, format="json")
    assert response.status_code == 403
    assert MetricSettings.load().currency == "EUR"


def test_staff_changes_settings(staff_client, stored):
    change = {
        "currency": "GBP",
        "holiday_country": "GB",
        "enterprise_plan_pattern": "enterprise|business",
        "bug_tags": ["crash"],
        "feature_request_patterns": [r"(?i)support for (?P<name>.+)", r"(?P<name>\w+) sync"],
        "retention_months": 2,
    }
    response = staff_client.patch(URL, change, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == STORED | change
    row = MetricSettings.load()
    assert (row.currency, row.holiday_country, row.retention_months) == ("GBP", "GB", 2)
    assert row.feature_request_patterns == change["feature_request_patterns"]
    assert row.reporting_timezone == "Europe/Berlin"  # untouched


def test_put_is_not_offered(staff_client, stored):
    assert staff_client.put(URL, STORED, format="json").status_code == 405


BAD = [
    ("reporting_timezone", "Mars/Olympus"),
    ("currency", "usd"),
    ("currency", "EU"),
    ("holiday_country", "XX"),
    ("enterprise_plan_pattern", "(ent"),
    ("feature_request_patterns", ["Requesting (?P<name>.+"]),
    ("feature_request_patterns", ["Requesting integration for (.+)"]),
    ("feature_request_patterns", "not a list"),
    ("feature_request_patterns", [3]),
    ("bug_tags", ["bug", " "]),
    ("bug_tags", "bug"),
    ("enterprise_capacity_factor", "0"),
]


def _admin_form(**change) -> dict:
    data = STORED | change
    for field in ("feature_request_patterns", "bug_tags"):
        data[field] = json.dumps(data[field])
    return data


def _admin_errors(admin_client, field, value) -> list[str]:
    """What the admin change form says about the value."""
    response = admin_client.post(
        reverse("admin:supportops_metricsettings_change", args=[1]), _admin_form(**{field: value})
    )
    assert response.status_code == 200  # refused, shown again
    return list(response.context["adminform"].form.errors[field])


@pytest.mark.parametrize(("field", "value"), BAD)
def test_a_bad_value_is_a_400_with_the_admin_message(
    staff_client, admin_client, stored, field, value
):
    response = staff_client.patch(URL, {field: value}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert errors[field] == _admin_errors(admin_client, field, value)
    assert staff_client.get(URL).json() == STORED  # nothing changed


def test_the_messages_name_the_bad_pattern(staff_client, stored):
    errors = staff_client.patch(
        URL, {"feature_request_patterns": ["ok (?P<name>.+)", "no group (.+)"]}, format="json"
    ).json()
    assert errors == {
        "feature_request_patterns": [
            "The pattern 'no group (.+)' needs a named group (?P<name>...) for the integration."
        ]
    }
    errors = staff_client.patch(URL, {"enterprise_plan_pattern": "(ent"}, format="json").json()
    assert errors["enterprise_plan_pattern"][0].startswith(
        "'(ent' is not a valid regular expression: missing ), unterminated subpattern"
    )


def test_admin_saves_good_settings(admin_client, stored):
    response = admin_client.post(
        reverse("admin:supportops_metricsettings_change", args=[1]), _admin_form(currency="JPY")
    )
    assert response.status_code == 302
    assert MetricSettings.load().currency == "JPY"


# --- the Enterprise plan pattern in billing --------------------------------------------------

JAN = datetime(2025, 1, 1, tzinfo=UTC)


def _customer_on(name: str, plan: Plan) -> Customer:
    customer = Customer.objects.create(name=name)
    Subscription.objects.create(
        source="stripe",
        external_id=f"sub_{name}",
        customer=customer,
        plan=plan,
        status="active",
        mrr_minor=10000,
        list_mrr_minor=10000,
        started_at=JAN,
    )
    return customer


@pytest.fixture
def plans(db):
    def plan(external_id, name, product_name):
        return Plan.objects.create(
            source="stripe", external_id=external_id, name=name, product_name=product_name
        )

    return {
        "ent": _customer_on("Ent", plan("price_ent", "Enterprise monthly", "")),
        "pro": _customer_on("Pro", plan("price_pro", "Pro", "Pro")),
        "big": _customer_on("Big", plan("price_big", "monthly", "Big Co bundle")),
        "product": _customer_on("Product", plan("price_p", "yearly", "ENTERPRISE")),
    }


def _enterprise() -> set[str]:
    return set(Customer.objects.filter(is_enterprise=True).values_list("name", flat=True))


def test_the_default_pattern_matches_enterprise_anywhere_case_insensitive(plans):
    customer_billing_refresh()
    assert _enterprise() == {"Ent", "Product"}  # price nickname or product name


def test_a_custom_pattern_set_over_the_api_is_applied(staff_client, plans):
    customer_billing_refresh()
    assert _enterprise() == {"Ent", "Product"}
    response = staff_client.patch(URL, {"enterprise_plan_pattern": "^(Ent|Big)"}, format="json")
    assert response.status_code == 200
    assert _enterprise() == {"Ent", "Big", "Product"}  # re-derived at once
    customer_billing_refresh()  # and by the next billing sync
    assert _enterprise() == {"Ent", "Big", "Product"}

    customer_billing_refresh(enterprise_pattern="^pro$")
    assert _enterprise() == {"Pro"}


def test_a_plan_that_stopped_counting_is_not_enterprise(plans):
    Subscription.objects.filter(customer=plans["ent"]).update(status="canceled", mrr_minor=0)
    customer_billing_refresh()
    assert _enterprise() == {"Product"}
