"""Input the API (and the pages) cannot use is a clear 4xx, never a 500 (issue #10, "api-input").

Bodies: JSON nested deeper than the parser allows, NUL or lone surrogates in strings, numbers
out of range, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE. Query parameters and form fields: a NUL,
which PostgreSQL's text cannot hold (a DataError there, so these also run on PostgreSQL in CI).
Every error under /api/ is JSON, whatever raised it; pages keep the site's HTML error pages.
"""

import csv
import io
import json

import pytest
from django.test import Client

from supportops.api.parsers import MAX_DEPTH
from supportops.models import Customer
from tests.auth_tokens import token_client

pytestmark = pytest.mark.django_db

PASSWORD = "api-input-pass-5521"
NUL_MESSAGE = "Holds a NUL character (\\u0000), which cannot be stored."


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture
def api(superuser):
    return token_client(superuser)


@pytest.fixture
def anon():
    return Client(raise_request_exception=False)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def _assert_json(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body, dict)
    assert "Traceback" not in response.content.decode()
    return body


# JSON bodies


def test_deep_nesting_to_the_token_endpoint_is_a_400_naming_the_limit(anon, caplog):
    body = _nested(1000)  # 2,000 bytes: a RecursionError (500) before the parser counted
    assert len(body) == 2000
    response = anon.post("/api/v1/auth/token/", body, content_type="application/json")
    detail = _assert_json(response, 400)["detail"]
    assert detail == (
        f"JSON parse error - nested deeper than {MAX_DEPTH} levels of arrays and objects."
    )
    assert "RecursionError" not in caplog.text


def test_deep_nesting_is_refused_by_every_json_endpoint(api):
    body = '{"name": ' + _nested(100) + "}"
    response = api.post("/api/v1/team-members/", body, content_type="application/json")
    assert "nested deeper than 64" in _assert_json(response, 400)["detail"]


def test_nesting_up_to_the_limit_reaches_the_serializer(api):
    # 64 levels parse; the serializer then says what is wrong with the value.
    body = '{"name": ' + _nested(MAX_DEPTH - 1) + "}"
    response = api.post("/api/v1/team-members/", body, content_type="application/json")
    errors = _assert_json(response, 400)
    assert "detail" not in errors and "name" in errors


def test_brackets_inside_strings_are_not_nesting(api):
    name = "[" * 500
    response = api.post(
        "/api/v1/expenses/",
        {"name": name[:255], "kind": "tool", "monthly_amount": "1.00", "start_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (
            '{"name": "a\\u0000b", "kind": "tool"}',
            'JSON parse error - "name" holds a NUL character (\\u0000), which cannot be stored.',
        ),
        (
            '{"products": ["API", "\\ud800"]}',
            'JSON parse error - "products[1]" holds a lone surrogate (\\ud800), which is not '
            "valid Unicode.",
        ),
        ('{"fte": 1e999}', 'JSON parse error - "fte" holds a number out of range.'),
        (
            '{"a\\u0000": 1}',
            "JSON parse error - a member name holds a NUL character (\\u0000), which cannot be "
            "stored.",
        ),
    ],
)
def test_values_that_cannot_be_stored_are_a_400_naming_the_member(api, body, detail):
    response = api.post("/api/v1/team-members/", body, content_type="application/json")
    assert _assert_json(response, 400) == {"detail": detail}


def test_an_integer_of_5000_digits_is_a_400(api):
    body = '{"annual_salary": ' + "9" * 5000 + "}"
    response = api.post("/api/v1/team-members/", body, content_type="application/json")
    assert _assert_json(response, 400)["detail"].startswith("JSON parse error - ")


def test_a_body_that_is_not_utf8_is_a_400(api):
    response = api.post(
        "/api/v1/team-members/", b'{"name": "\xff"}', content_type="application/json"
    )
    assert _assert_json(response, 400)["detail"].startswith("JSON parse error - ")


def test_a_nul_in_a_form_body_is_a_400_naming_the_field(api):
    response = api.post(
        "/api/v1/expenses/",
        "name=a%00b&kind=tool",
        content_type="application/x-www-form-urlencoded",
    )
    assert _assert_json(response, 400) == {
        "detail": 'Form parse error - "name" holds a NUL character (\\u0000), which cannot be '
        "stored."
    }


# Query parameters and form fields (NUL)


def test_a_nul_in_the_api_search_is_a_400_naming_it(api):
    Customer.objects.create(name="Acme")
    response = api.get("/api/v1/customers/?search=a%00b")
    assert _assert_json(response, 400) == {"search": [NUL_MESSAGE]}


def test_a_nul_in_a_parameter_name_is_named_escaped(api):
    response = api.get("/api/v1/customers/?se%00arch=1")
    assert _assert_json(response, 400) == {"se\\u0000arch": [NUL_MESSAGE]}


def test_a_nul_is_refused_before_sign_in_is_checked_too(anon):
    response = anon.get("/api/v1/customers/?search=%00")
    assert _assert_json(response, 400) == {"search": [NUL_MESSAGE]}


def test_a_nul_in_a_metric_csv_request_is_a_csv_400(api):
    response = api.get("/api/v1/metrics/cost/?month=2025-01%00&format=csv")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["parameter", "error"], ["month", NUL_MESSAGE]]


def test_a_nul_in_the_customers_page_search_is_the_400_page(client, superuser):
    client.force_login(superuser)
    response = client.get("/customers/?search=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "We could not read that request" in html
    assert (
        'The parameter "search" holds a NUL character (\\u0000), which cannot be stored.'
        in html.replace("&quot;", '"')
    )


@pytest.mark.parametrize(
    "url",
    [
        "/customers/?plan=%00",
        "/customers/export.csv?search=%00",
        "/customers/unmatched/?search=%00",
        "/feature-requests/request/?pattern=%00",
        "/bugs/group/?key=%00",
    ],
)
def test_a_nul_in_any_page_parameter_is_the_400_page(client, superuser, url):
    client.force_login(superuser)
    response = client.get(url)
    assert response.status_code == 400
    assert "holds a NUL character" in response.content.decode()


def test_a_nul_in_a_form_field_is_the_400_page(anon):
    response = anon.post("/accounts/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert 'The parameter "username" holds a NUL' in response.content.decode().replace(
        "&quot;", '"'
    )


# Every error under /api/ is JSON


def test_a_10_mb_body_is_a_json_413_naming_the_limit(anon, settings):
    body = json.dumps({"username": "x" * (10 * 1024 * 1024), "password": "y"})
    response = anon.post("/api/v1/auth/token/", body, content_type="application/json")
    assert _assert_json(response, 413) == {
        "detail": f"The request body is larger than the limit of "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    }


def test_a_10_mb_form_body_is_a_json_413(api):
    response = api.post(
        "/api/v1/expenses/",
        "name=" + "x" * (10 * 1024 * 1024),
        content_type="application/x-www-form-urlencoded",
    )
    assert "larger than the limit" in _assert_json(response, 413)["detail"]


def test_too_many_fields_is_a_json_400(api, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"f{i}=1" for i in range(20))
    response = api.get(f"/api/v1/customers/?{query}")
    assert _assert_json(response, 400) == {"detail": "The request has more than 10 fields."}


@pytest.mark.parametrize(
    ("method", "url", "kwargs", "status"),
    [
        ("get", "/api/v1/customers/", {}, 401),
        ("get", "/api/v1/no-such-endpoint/", {}, 404),
        ("get", "/api/v1/customers/0/", {}, 404),
        ("get", "/api/v1/customers/?page=99", {}, 404),
        ("delete", "/api/v1/customers/", {}, 405),
        ("get", "/api/v1/customers/", {"HTTP_ACCEPT": "text/csv"}, 406),
        ("post", "/api/v1/expenses/", {"data": "x", "content_type": "text/plain"}, 415),
    ],
)
def test_every_status_is_a_json_detail(api, anon, method, url, kwargs, status):
    client = anon if status == 401 else api
    response = getattr(client, method)(url, **kwargs)
    body = _assert_json(response, status)
    assert set(body) == {"detail"}


def test_an_unknown_format_is_a_400_naming_the_parameter(api):
    # DRF's answer was a bare 404, as if the endpoint did not exist.
    response = api.get("/api/v1/metrics/cost/?month=2025-01&format=xml")
    assert _assert_json(response, 400) == {"format": ["Not a format: pick one of csv, json."]}


def test_forbidden_is_a_json_detail(django_user_model):
    plain = django_user_model.objects.create_user("plain", password=PASSWORD, is_staff=True)
    response = token_client(plain).post("/api/v1/expenses/", {}, format="json")
    assert set(_assert_json(response, 403)) == {"detail"}


def test_browsers_get_json_too(api):
    response = api.get("/api/v1/no-such-endpoint/", HTTP_ACCEPT="text/html")
    assert _assert_json(response, 404) == {"detail": "Not found."}
    response = api.get("/api/v1/customers/", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response["Content-Type"].startswith("application/json")


def test_a_server_error_in_a_view_is_json_without_the_traceback(superuser, monkeypatch):
    from supportops.api.customers import CustomerViewSet

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(CustomerViewSet, "list", broken)
    client = token_client(superuser)
    client.raise_request_exception = False
    response = client.get("/api/v1/customers/")
    assert _assert_json(response, 500) == {"detail": "A server error occurred."}
    assert b"boom" not in response.content


def test_pages_keep_their_html_error_pages(client, superuser):
    client.force_login(superuser)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
