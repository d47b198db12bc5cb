"""Admins enter cost inputs in Django admin; bad input is refused with a readable message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from supportops.models import Expense, SyncRun, TeamMember

pytestmark = pytest.mark.django_db


def member_form(**overrides):
    data = {
        "name": "Ada",
        "role": "Support Engineer",
        "annual_salary": "80000",
        "annual_benefits": "10000",
        "fte": "1",
        "start_date": "2024-01-01",
        "end_date": "",
    }
    return data | overrides


def test_admin_adds_a_team_member(admin_client):
    response = admin_client.post(reverse("admin:supportops_teammember_add"), member_form())
    assert response.status_code == 302
    assert TeamMember.objects.get().annual_salary == 80000


def test_negative_salary_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("admin:supportops_teammember_add"), member_form(annual_salary="-5")
    )
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0" in response.content.decode()
    assert not TeamMember.objects.exists()


def test_end_before_start_is_refused_with_a_message(admin_client):
    response = admin_client.post(
        reverse("admin:supportops_teammember_add"),
        member_form(start_date="2024-05-01", end_date="2024-04-30"),
    )
    assert "The end date cannot be before the start date." in response.content.decode()
    assert not TeamMember.objects.exists()


def test_expense_with_negative_amount_is_refused(admin_client):
    response = admin_client.post(
        reverse("admin:supportops_expense_add"),
        {"name": "Zendesk", "kind": "tool", "monthly_amount": "-1", "start_date": "2024-01-01"},
    )
    assert response.status_code == 200
    assert "greater than or equal to 0" in response.content.decode()
    assert not Expense.objects.exists()


def test_database_refuses_negative_money_even_without_the_form():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        TeamMember.objects.create(name="X", annual_salary=-1, start_date="2024-01-01", fte=1)


def test_sync_runs_are_visible_but_read_only(admin_client):
    from django.utils import timezone

    run = SyncRun.objects.create(source="zendesk", started_at=timezone.now(), error="boom")
    listing = admin_client.get(reverse("admin:supportops_syncrun_changelist") + "?q=boom")
    assert listing.status_code == 200 and "boom" in listing.content.decode()
    assert admin_client.get(reverse("admin:supportops_syncrun_add")).status_code == 403
    detail = admin_client.get(reverse("admin:supportops_syncrun_change", args=[run.pk]))
    assert detail.status_code == 200
    assert (
        admin_client.post(reverse("admin:supportops_syncrun_delete", args=[run.pk])).status_code
        == 403
    )


@pytest.mark.parametrize(
    "name",
    ["ticket", "interaction", "customer", "customeridentity", "contact", "subscription", "invoice"],
)
def test_synced_data_lists_render(admin_client, name):
    url = reverse(f"admin:supportops_{name}_changelist")
    assert admin_client.get(url + "?q=x").status_code == 200
