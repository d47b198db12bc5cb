"""Admin forms and the API refuse the same bad cost inputs and settings with the same message
on the field, and store nothing (issue #10: currency "ZZZ", holiday country "ZZ", a pattern
"(" and dates like 0001-01-01 used to be accepted, or are pinned here so they stay refused)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from supportops.models import Expense, MetricSettings, TeamMember

pytestmark = pytest.mark.django_db

DATE_MESSAGE = "Enter a date from 1970-01-01 to 2100-12-31."
SETTINGS = {
    "reporting_timezone": "Europe/Berlin",
    "currency": "EUR",
    "active_usage_threshold": 750,
    "tickets_per_engineer_day": 12,
    "enterprise_capacity_factor": "0.40",
    "holiday_country": "DE",
    "enterprise_plan_pattern": "^(Ent|Big)",
    "feature_request_patterns": [r"Integrate with (?P<name>\w+)"],
    "bug_tags": ["bug"],
    "ltv_cap_months": 48,
    "retention_months": 6,
}
MEMBER = {
    "name": "Ada",
    "role": "Support engineer",
    "annual_salary": "80000.00",
    "annual_benefits": "10000.00",
    "fte": "1.00",
    "start_date": "2024-01-01",
    "end_date": None,
}
EXPENSE = {
    "name": "Zendesk",
    "kind": "tool",
    "monthly_amount": "500.00",
    "start_date": "2024-01-01",
    "end_date": None,
}
ADD = {TeamMember: "admin:supportops_teammember_add", Expense: "admin:supportops_expense_add"}
API = {TeamMember: "/api/v1/team-members/", Expense: "/api/v1/expenses/"}
BODY = {TeamMember: MEMBER, Expense: EXPENSE}


@pytest.fixture
def api(admin_user):
    """A superuser on the API: only validation can refuse, whatever the permission scheme."""
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


@pytest.fixture
def stored(db):
    return MetricSettings.objects.create(pk=1, **SETTINGS)


def _form(data: dict) -> dict:
    """The body a browser posts: JSON fields as text, no value as an empty string."""
    return {
        key: json.dumps(value) if isinstance(value, list) else ("" if value is None else value)
        for key, value in data.items()
    }


def _admin_refuses(admin_client, url: str, data: dict) -> dict[str, list[str]]:
    response = admin_client.post(url, _form(data))
    assert response.status_code == 200, "admin accepted it"  # the form shown again
    return {k: list(v) for k, v in response.context["adminform"].form.errors.items()}


# --- metric settings -------------------------------------------------------------------------

SETTINGS_CASES = [
    ("currency", "ZZZ", "Unknown currency 'ZZZ': use an ISO 4217 code like USD, EUR or JPY."),
    ("currency", "XAU", "Unknown currency 'XAU': use an ISO 4217 code like USD, EUR or JPY."),
    (
        "holiday_country",
        "ZZ",
        "Unknown holiday country 'ZZ': use a 2-letter country code the holidays package "
        "knows, like US or DE.",
    ),
    (
        "feature_request_patterns",
        ["("],
        "The pattern '(' is not a valid regular expression: missing ), unterminated subpattern "
        "at position 0.",
    ),
    (
        "retention_months",
        2147483647,  # was a server error on the cohorts page and API
        "Retention is measured at most 120 months after a cohort.",
    ),
    (
        "enterprise_plan_pattern",
        "(",
        "'(' is not a valid regular expression: missing ), unterminated subpattern at position 0.",
    ),
]


@pytest.mark.parametrize(("field", "value", "message"), SETTINGS_CASES)
def test_bad_settings_are_refused_alike_by_admin_and_the_api(
    admin_client, api, stored, field, value, message
):
    url = reverse("admin:supportops_metricsettings_change", args=[1])
    assert _admin_refuses(admin_client, url, SETTINGS | {field: value}) == {field: [message]}

    response = api.patch("/api/v1/settings/", {field: value}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}

    assert MetricSettings.load().currency == "EUR"
    assert api.get("/api/v1/settings/").json() == SETTINGS


def test_a_long_retention_is_refused_before_the_cohorts_break(api, stored):
    response = api.patch("/api/v1/settings/", {"retention_months": 120}, format="json")
    assert response.status_code == 200
    assert api.get("/api/v1/metrics/cohorts/").status_code == 200
    assert api.patch("/api/v1/settings/", {"retention_months": 121}, format="json").json() == {
        "retention_months": ["Retention is measured at most 120 months after a cohort."]
    }


def test_a_known_currency_is_still_saved(admin_client, stored):
    url = reverse("admin:supportops_metricsettings_change", args=[1])
    assert admin_client.post(url, _form(SETTINGS | {"currency": "JPY"})).status_code == 302
    assert MetricSettings.load().currency == "JPY"


def test_a_badly_shaped_currency_gets_one_message(api, stored):
    response = api.patch("/api/v1/settings/", {"currency": "usd"}, format="json")
    assert response.json() == {
        "currency": ["The currency must be a 3-letter ISO 4217 code in capitals, like USD."]
    }


# --- dates of team members and expenses ------------------------------------------------------

DATE_CASES = [
    ({"start_date": "0001-01-01"}, "start_date"),
    ({"start_date": "1969-12-31"}, "start_date"),
    ({"end_date": "9999-12-31"}, "end_date"),
    ({"end_date": "2101-01-01"}, "end_date"),
]


@pytest.mark.parametrize("model", [TeamMember, Expense], ids=lambda m: m.__name__)
@pytest.mark.parametrize(("change", "field"), DATE_CASES, ids=repr)
def test_dates_out_of_range_are_refused_alike_by_admin_and_the_api(
    admin_client, api, model, change, field
):
    data = BODY[model] | change
    assert _admin_refuses(admin_client, reverse(ADD[model]), data) == {field: [DATE_MESSAGE]}

    response = api.post(API[model], data, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [DATE_MESSAGE]}
    assert not model.objects.exists()


@pytest.mark.parametrize("model", [TeamMember, Expense], ids=lambda m: m.__name__)
def test_a_partial_update_to_a_date_out_of_range_is_refused(api, model):
    created = api.post(API[model], BODY[model], format="json")
    assert created.status_code == 201, created.json()
    url = f"{API[model]}{created.json()['id']}/"

    response = api.patch(url, {"end_date": "0001-01-01"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"end_date": [DATE_MESSAGE]}
    assert model.objects.get().end_date is None


@pytest.mark.parametrize("model", [TeamMember, Expense], ids=lambda m: m.__name__)
def test_the_range_ends_are_accepted(admin_client, api, model):
    data = BODY[model] | {"start_date": "1970-01-01", "end_date": "2100-12-31"}
    assert admin_client.post(reverse(ADD[model]), _form(data)).status_code == 302
    assert api.post(API[model], data, format="json").status_code == 201
    assert model.objects.count() == 2
