import pytest
from knox.models import AuthToken

from .conftest import PASSWORD

PROTECTED = [
    ("get", "/api/v1/"),
    ("get", "/api/v1/team-members/"),
    ("post", "/api/v1/team-members/"),
    ("get", "/api/v1/team-members/1/"),
    ("put", "/api/v1/team-members/1/"),
    ("patch", "/api/v1/team-members/1/"),
    ("delete", "/api/v1/team-members/1/"),
    ("get", "/api/v1/expenses/"),
    ("post", "/api/v1/expenses/"),
    ("get", "/api/v1/expenses/1/"),
    ("delete", "/api/v1/expenses/1/"),
    ("get", "/api/v1/metrics/cost/?month=2016-01"),
    ("get", "/api/v1/schema/"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_anonymous_gets_401_with_the_token_scheme(anon_client, method, url):
    response = getattr(anon_client, method)(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_a_bad_token_is_refused(anon_client, method, url):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert getattr(anon_client, method)(url).status_code == 401


def test_obtain_a_token_then_use_it(anon_client, analyst, settings_row):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "expiry"}
    token = body["token"]
    stored = AuthToken.objects.get(user=analyst)
    assert token.startswith(stored.token_key) and token not in stored.digest  # a digest only

    anon_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon_client.get("/api/v1/team-members/").status_code == 200
    assert anon_client.get("/api/v1/metrics/cost/?month=2016-01").status_code == 200

    # Asking again gives another token; the first one still works.
    again = anon_client.post(
        "/api/v1/auth/token/", {"username": "analyst", "password": PASSWORD}, format="json"
    )
    assert again.json()["token"] != token
    assert AuthToken.objects.filter(user=analyst).count() == 2
    assert anon_client.get("/api/v1/team-members/").status_code == 200


def test_bad_credentials_are_a_400_with_drfs_message(anon_client, analyst):
    response = anon_client.post(
        "/api/v1/auth/token/", {"username": "analyst", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert not AuthToken.objects.exists()


def test_missing_credentials_are_a_400(anon_client, db):
    response = anon_client.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_session_users_can_use_the_api(client, analyst, settings_row):
    client.force_login(analyst)
    assert client.get("/api/v1/metrics/cost/?month=2016-01").status_code == 200


def test_schema_is_served_to_signed_in_users(analyst_client):
    response = analyst_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/metrics/cost/" in paths
    assert "/api/v1/team-members/" in paths
    assert "/api/v1/expenses/" in paths
    assert "/api/v1/auth/token/" in paths
    assert "/api/v1/customers/" in paths and "/api/v1/customers/unmatched/" in paths


def test_schema_validates_without_warnings(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "openapi: 3" in out.read_text()
