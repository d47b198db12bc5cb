"""Password guessing is slowed on every door (issue #10, access): the API token endpoint, the
sign-in page and admin's sign-in. After AXES_FAILURE_LIMIT (5) wrong passwords for one
username from one address, even the right password is refused for AXES_COOLOFF_MINUTES (15),
with a message saying so and a log line; after the cool-off the right password works again.
"""

import json
import logging
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client

PASSWORD = "correct horse battery staple"
MESSAGE = "Too many failed sign-ins; try again in 15 minutes."
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user(
        "ada", password=PASSWORD, is_staff=True, is_superuser=True
    )


def _token(client, password, username="ada"):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
    )


def _page(client, password, username="ada"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def _admin(client, password, username="ada"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
    )


def _signed_in(door, response) -> bool:
    if door is _token:
        return response.status_code == 200 and "token" in response.json()
    return response.status_code == 302 and "/login/" not in response["Location"]


DOORS = pytest.mark.parametrize("door", [_token, _page, _admin], ids=["token", "page", "admin"])


@DOORS
def test_fifty_wrong_passwords_then_the_right_one_is_refused(ada, door):
    client = Client()
    with time_machine.travel(T0, tick=False):
        statuses = [door(client, f"guess-{i}").status_code for i in range(50)]
        refused = door(client, PASSWORD)
    # The first four are the ordinary "wrong password"; the fifth locks the pair out.
    assert statuses[:4] == [400] * 4 if door is _token else statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    assert refused.status_code == 429
    assert not _signed_in(door, refused)
    assert refused["Retry-After"] == "900"


@DOORS
def test_the_right_password_works_again_after_the_cool_off(ada, door):
    client = Client()
    with time_machine.travel(T0, tick=False):
        for i in range(50):
            door(client, f"guess-{i}")
    with time_machine.travel(T0 + timedelta(minutes=14, seconds=59), tick=False):
        assert door(client, PASSWORD).status_code == 429
    # The refused right password counted as a failure too: the cool-off runs from it.
    later = T0 + timedelta(minutes=14, seconds=59) + timedelta(minutes=15, seconds=1)
    with time_machine.travel(later, tick=False):
        response = door(client, PASSWORD)
    assert _signed_in(door, response), response.status_code


def test_the_api_says_why_in_json(ada):
    client = Client()
    for i in range(5):
        response = _token(client, f"guess-{i}")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": MESSAGE}


@pytest.mark.parametrize(("door", "path"), [(_page, "/accounts/login/"), (_admin, "/admin/")])
def test_the_sign_in_pages_say_why_on_the_form(ada, door, path):
    client = Client()
    for i in range(5):
        response = door(client, f"guess-{i}")
    assert response.status_code == 429
    page = response.content.decode()
    assert MESSAGE in page
    assert 'name="password"' in page and 'value="ada"' in page  # the form, ready for later


def test_a_lockout_is_logged(ada, caplog):
    client = Client(REMOTE_ADDR="203.0.113.9")
    with caplog.at_level(logging.WARNING):
        for i in range(5):
            _page(client, f"guess-{i}")
    lines = [r for r in caplog.records if r.name.startswith("axes") and "Locking out" in r.message]
    assert len(lines) == 1
    assert "ada" in lines[0].getMessage() and "203.0.113.9" in lines[0].getMessage()
    assert PASSWORD not in caplog.text and "guess-4" not in caplog.text


def test_the_lockout_is_per_username_and_address(ada, django_user_model):
    django_user_model.objects.create_user("bob", password=PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(5):
        _token(attacker, f"guess-{i}")
    assert _token(attacker, PASSWORD).status_code == 429
    # Ada from her own desk, and Bob from the attacker's address, still sign in.
    assert _token(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 200
    assert _token(attacker, PASSWORD, username="bob").status_code == 200


def test_a_success_before_the_limit_starts_the_count_again(ada):
    client = Client()
    for i in range(4):
        _token(client, f"guess-{i}")
    assert _token(client, PASSWORD).status_code == 200
    for i in range(4):
        assert _token(client, f"again-{i}").status_code == 400
    assert _token(client, PASSWORD).status_code == 200


def test_doors_share_one_count(ada):
    """Guessing on the API and then on the page is one run of guesses, not two."""
    client = Client()
    for i in range(3):
        _token(client, f"guess-{i}")
    _page(client, "guess-3")
    assert _admin(client, "guess-4").status_code == 429
    assert _page(client, PASSWORD).status_code == 429


def test_the_limit_and_cool_off_come_from_the_environment():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "import json; print(json.dumps([s.AXES_FAILURE_LIMIT, "
        "s.AXES_COOLOFF_TIME.total_seconds()]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "supportops.settings.test",
        "AXES_FAILURE_LIMIT": "7",
        "AXES_COOLOFF_MINUTES": "2",
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [7, 120.0]


def test_request_less_sign_ins_still_work(ada):
    """The test client's login() and a shell's authenticate() carry no request to lock out."""
    assert Client().login(username="ada", password=PASSWORD)
