"""API tokens (issue #10, access): stored hashed, expiring, revocable by their owner, dropped
when the password changes, and never shown in admin."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

PASSWORD = "correct horse battery staple"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TTL = timedelta(hours=720)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", password=PASSWORD)


def _sign_in(username="ada", password=PASSWORD):
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _client(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _works(token) -> bool:
    status = _client(token).get("/api/v1/products/").status_code
    assert status in (200, 401), status
    return status == 200


def _stored_text() -> str:
    return json.dumps(list(AuthToken.objects.values()), default=str)


def test_only_a_digest_is_stored(ada):
    token = _sign_in()["token"]
    stored = _stored_text()
    assert token not in stored
    assert token[:15] in stored  # knox finds a token by its first characters, then the digest
    assert _works(token)


def test_a_token_expires(ada):
    with time_machine.travel(T0, tick=False):
        body = _sign_in()
        assert datetime.fromisoformat(body["expiry"]) == T0 + TTL
        assert _works(body["token"])
    with time_machine.travel(T0 + TTL - timedelta(seconds=1), tick=False):
        assert _works(body["token"])
    with time_machine.travel(T0 + TTL + timedelta(seconds=1), tick=False):
        response = _client(body["token"]).get("/api/v1/products/")
        assert response.status_code == 401
        assert response.json() == {"detail": "Invalid token."}
    assert not AuthToken.objects.exists()  # the expired one is gone


def test_the_owner_revokes_the_token_they_use(ada):
    first, second = _sign_in()["token"], _sign_in()["token"]
    response = _client(first).delete("/api/v1/auth/token/")
    assert response.status_code == 204
    assert not _works(first)
    assert _works(second)  # only the token used
    assert _client(first).delete("/api/v1/auth/token/").status_code == 401


def test_revoking_needs_a_token(ada):
    _sign_in()
    assert APIClient().delete("/api/v1/auth/token/").status_code == 401
    browser = Client()
    browser.force_login(ada)  # a session is not a token: nothing to revoke
    assert browser.delete("/api/v1/auth/token/").status_code == 401
    assert AuthToken.objects.count() == 1


@pytest.mark.parametrize("how", ["set_password", "set_unusable_password", "admin_form"])
def test_a_password_change_drops_every_token(ada, django_user_model, how):
    tokens = [_sign_in()["token"], _sign_in()["token"]]
    django_user_model.objects.create_user("bob", password=PASSWORD)
    bobs = _sign_in("bob")["token"]
    if how == "admin_form":
        boss = django_user_model.objects.create_superuser("boss", password=PASSWORD)
        admin = Client()
        admin.force_login(boss)
        response = admin.post(
            f"/admin/auth/user/{ada.pk}/password/",
            {"password1": "an entirely new one 42", "password2": "an entirely new one 42"},
        )
        assert response.status_code == 302
    else:
        getattr(ada, how)(*(["an entirely new one 42"] if how == "set_password" else []))
        ada.save()
    assert not any(_works(t) for t in tokens)
    assert _works(bobs)


def test_saving_the_user_otherwise_keeps_the_tokens(ada):
    token = _sign_in()["token"]
    ada.first_name = "Ada"
    ada.save()
    Client().post("/accounts/login/", {"username": "ada", "password": PASSWORD})  # last_login
    # check_password() re-hashing the same password for a newer hasher is no change either.
    ada.refresh_from_db()
    ada.password = ada.password  # what the re-hash saves, without a new raw password
    ada.save(update_fields=["password"])
    assert _works(token)


def test_admin_never_shows_a_token(ada, django_user_model):
    token = _sign_in()["token"]
    digest = AuthToken.objects.get().digest
    boss = django_user_model.objects.create_superuser("boss", password=PASSWORD)
    admin = Client()
    admin.force_login(boss)
    listing = admin.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert token[:8] in page  # the first characters, to tell tokens apart
    # Neither the token nor the 15 characters knox looks it up by; the row's key is the
    # digest (SHA-512 of the token: it cannot be sent back as one), so it is in the links.
    assert token not in page and token[:15] not in page
    assert "Starts with" in page and "Expiry" in page
    detail = admin.get(f"/admin/knox/authtoken/{digest}/change/")
    assert detail.status_code == 200
    assert token not in detail.content.decode()
    # No token is made in admin (knox's own admin would show it in a message).
    assert admin.get("/admin/knox/authtoken/add/").status_code == 403
    # Deleting the row revokes it.
    response = admin.post(f"/admin/knox/authtoken/{digest}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not _works(token)


def test_the_schema_documents_the_token_scheme(ada):
    client = APIClient()
    client.force_authenticate(ada)
    schema = client.get("/api/v1/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]
    assert scheme["type"] == "apiKey" and scheme["name"] == "Authorization"
    operations = schema["paths"]["/api/v1/auth/token/"]
    assert set(operations["post"]["responses"]["200"]["content"]["application/json"]["schema"])
    assert operations["delete"]["security"] == [{"tokenAuth": []}]
    token = schema["components"]["schemas"]["Token"]
    assert set(token["properties"]) == {"token", "expiry"}


def test_the_lifetime_comes_from_the_environment():
    code = (
        "import django; django.setup(); from knox.settings import knox_settings as k; "
        "print(k.TOKEN_TTL.total_seconds())"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.test",
        "API_TOKEN_TTL_HOURS": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert float(out.stdout.strip().splitlines()[-1]) == 7200.0
