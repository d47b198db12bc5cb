"""Team members and expenses over the API."""

import pytest

from supportops.models import Expense, TeamMember

MEMBER = {
    "name": "Ann",
    "role": "Support engineer",
    "annual_salary": "300000.00",
    "annual_benefits": "60000.00",
    "fte": "1.00",
    "start_date": "2016-01-01",
    "end_date": None,
}
EXPENSE = {
    "name": "Zendesk",
    "kind": "tool",
    "monthly_amount": "5000.00",
    "start_date": "2016-01-01",
    "end_date": None,
}


def test_staff_can_create_update_and_delete_a_team_member(staff_client):
    response = staff_client.post("/api/v1/team-members/", MEMBER, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body == {"id": body["id"], **MEMBER, "products": [], "capacity_override": None}

    url = f"/api/v1/team-members/{body['id']}/"
    response = staff_client.patch(url, {"fte": "0.5", "end_date": "2016-06-30"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["fte"] == "0.50"
    assert TeamMember.objects.get().end_date.isoformat() == "2016-06-30"

    assert staff_client.delete(url).status_code == 204
    assert not TeamMember.objects.exists()


def test_staff_can_create_and_list_expenses(staff_client):
    response = staff_client.post("/api/v1/expenses/", EXPENSE, format="json")
    assert response.status_code == 201, response.json()
    listing = staff_client.get("/api/v1/expenses/").json()
    assert listing["count"] == 1
    assert listing["results"][0]["monthly_amount"] == "5000.00"
    assert listing["results"][0]["kind"] == "tool"


def test_non_staff_can_read_but_not_write(analyst_client, staff_client):
    member_id = staff_client.post("/api/v1/team-members/", MEMBER, format="json").json()["id"]
    expense_id = staff_client.post("/api/v1/expenses/", EXPENSE, format="json").json()["id"]

    assert analyst_client.get("/api/v1/team-members/").json()["count"] == 1
    assert analyst_client.get(f"/api/v1/team-members/{member_id}/").status_code == 200
    assert analyst_client.get(f"/api/v1/expenses/{expense_id}/").status_code == 200

    response = analyst_client.post("/api/v1/team-members/", MEMBER, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Changing this needs a staff user with the Django permission for it, "
        "or a superuser."
    }
    assert analyst_client.post("/api/v1/expenses/", EXPENSE, format="json").status_code == 403
    member_url = f"/api/v1/team-members/{member_id}/"
    assert analyst_client.patch(member_url, {"fte": "0.5"}, format="json").status_code == 403
    assert analyst_client.delete(f"/api/v1/expenses/{expense_id}/").status_code == 403
    assert TeamMember.objects.get().fte == 1
    assert Expense.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"annual_salary": "-1"}, "annual_salary", "The annual salary cannot be negative."),
        (
            {"annual_benefits": "-0.01"},
            "annual_benefits",
            "The annual benefits cannot be negative.",
        ),
        ({"fte": "0"}, "fte", "FTE must be more than 0 and at most 1."),
        ({"fte": "1.5"}, "fte", "FTE must be more than 0 and at most 1."),
        ({"fte": "-0.5"}, "fte", "FTE must be more than 0 and at most 1."),
        (
            {"start_date": "2016-02-01", "end_date": "2016-01-31"},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"annual_salary": "lots"}, "annual_salary", "A valid number is required."),
        ({"start_date": "January"}, "start_date", None),
    ],
)
def test_bad_team_member_is_a_400_with_the_message(staff_client, change, field, message):
    response = staff_client.post("/api/v1/team-members/", {**MEMBER, **change}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    if message:
        assert errors[field] == [message]
    assert not TeamMember.objects.exists()


def test_a_partial_update_is_checked_against_the_stored_dates(staff_client):
    member_id = staff_client.post("/api/v1/team-members/", MEMBER, format="json").json()["id"]
    response = staff_client.patch(
        f"/api/v1/team-members/{member_id}/", {"end_date": "2015-12-31"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"end_date": ["The end date cannot be before the start date."]}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"monthly_amount": "-5"}, "monthly_amount", "The monthly amount cannot be negative."),
        (
            {"start_date": "2016-02-01", "end_date": "2016-01-01"},
            "end_date",
            "The end date cannot be before the start date.",
        ),
        ({"kind": "snacks"}, "kind", '"snacks" is not a valid choice.'),
    ],
)
def test_bad_expense_is_a_400_with_the_message(staff_client, change, field, message):
    response = staff_client.post("/api/v1/expenses/", {**EXPENSE, **change}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Expense.objects.exists()


def test_list_query_budget(analyst_client, staff_client, django_assert_max_num_queries):
    for i in range(20):
        staff_client.post("/api/v1/team-members/", {**MEMBER, "name": f"M{i}"}, format="json")
    # token lookup, count, page, the page's products
    with django_assert_max_num_queries(4):
        response = analyst_client.get("/api/v1/team-members/")
    assert response.json()["count"] == 20
