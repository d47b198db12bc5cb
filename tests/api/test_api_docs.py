"""GET /api/v1/docs/: Swagger UI for API users, from our own static files, with the schema
download on the page."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

URL = "/api/v1/docs/"


def test_route_names():
    assert reverse("api:docs") == URL
    assert reverse("api:schema") == "/api/v1/schema/"
    assert reverse("api:metrics-cost") == "/api/v1/metrics/cost/"


def test_signed_in_users_get_the_page_with_the_schema_download(client, analyst):
    client.force_login(analyst)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a class="button secondary download" href="/api/v1/schema/" download>' in html
    assert 'class="site-header"' in html  # inside the page frame
    assert "Download the OpenAPI schema (YAML)" in html
    assert 'url: "/api/v1/schema/"' in html  # what Swagger UI loads
    assert "SwaggerUIBundle" in html


def test_every_asset_is_served_by_us(client, analyst):
    client.force_login(analyst)
    html = client.get(URL).content.decode()
    assets = re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"', html)
    assert {"swagger-ui.css", "swagger-ui-bundle.js", "app.css"} <= {
        asset.rsplit("/", 1)[-1] for asset in assets
    }
    assert all(asset.startswith("/static/") or asset == "data:," for asset in assets), assets
    assert not re.findall(r"(?:https?:)?//[\w-]+\.[\w.-]+", html)  # no other host, anywhere


def test_the_assets_are_in_our_static_files(client, analyst):
    # What collectstatic gathers, so whitenoise serves it in production.
    client.force_login(analyst)
    html = client.get(URL).content.decode()
    for asset in re.findall(r'<(?:script|link)\b[^>]*\b(?:src|href)="/static/([^"]*)"', html):
        assert finders.find(asset), asset


def test_anonymous_browsers_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/v1/docs/"


@pytest.mark.django_db
def test_a_bad_token_is_refused_not_redirected(anon_client):
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert anon_client.get(URL).status_code == 401


def test_the_page_is_not_in_the_schema(analyst_client):
    paths = analyst_client.get("/api/v1/schema/?format=json").json()["paths"]
    assert URL not in paths
