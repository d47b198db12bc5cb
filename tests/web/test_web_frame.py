"""The page frame every page shares: navigation, data freshness, styled error pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from supportops.models import Customer, SyncRun

from .conftest import PASSWORD


@pytest.fixture
def zendesk_configured(settings):
    settings.ZENDESK_URL = "http://127.0.0.1:9"
    settings.ZENDESK_EMAIL = "a@b.c"
    settings.ZENDESK_API_TOKEN = "t"
    settings.ZENDESK_SYNC_MINUTES = 15


def _run(status, minutes_ago, error=""):
    finished_at = timezone.now() - timedelta(minutes=minutes_ago)
    SyncRun.objects.create(
        source="zendesk",
        status=status,
        started_at=finished_at - timedelta(minutes=1),
        finished_at=finished_at,
        error=error,
    )


PAGES = ["/", "/cost/", "/customers/", "/customers/unmatched/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_shows_freshness(signed_in, zendesk_configured, path):
    _run("succeeded", 12)
    html = signed_in.get(path).content.decode()
    assert 'aria-label="Data freshness"' in html
    assert 'data-source="zendesk"' in html and "12 min ago" in html
    assert "freshness-warning" not in html


def test_a_failed_sync_warns_in_the_frame(signed_in, zendesk_configured):
    _run("succeeded", 200)
    _run("failed", 3, error="Zendesk answered 401: check ZENDESK_API_TOKEN")
    html = signed_in.get("/customers/").content.decode()
    assert "The last Zendesk sync failed: Zendesk answered 401: check ZENDESK_API_TOKEN" in html
    assert "See its sync runs" not in html  # the admin link is for staff only


def test_a_late_sync_warns_and_staff_get_a_link(client, django_user_model, zendesk_configured):
    staff = django_user_model.objects.create_user("ops", password=PASSWORD, is_staff=True)
    client.force_login(staff)
    _run("succeeded", 31)
    html = client.get("/customers/").content.decode()
    assert "Zendesk last synced 31 min ago, more than twice its 15 min schedule" in html
    assert "/admin/supportops/syncrun/?source__exact=zendesk" in html


def test_no_source_configured_says_so(signed_in):
    html = signed_in.get("/customers/").content.decode()
    assert "No data source is configured yet" in html


def test_account_menu_holds_admin_api_docs_and_sign_out(signed_in):
    html = signed_in.get("/customers/").content.decode()
    nav = html[html.index('<nav class="site-nav"') : html.index("</nav>")]
    assert "API" not in nav  # the API documentation link is in the account menu
    menu = html[html.index('<details class="user-menu"') : html.index("</details>")]
    assert 'href="/api/v1/docs/"' in menu and 'action="/accounts/logout/"' in menu


def test_a_missing_customer_is_a_styled_404_in_the_frame(signed_in, db):
    missing = (Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    response = signed_in.get(f"/customers/{missing}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html and "No such customer." in html
    assert 'class="site-header"' in html and "/static/css/app.css" in html
    assert 'aria-label="Data freshness"' in html


def test_an_unknown_address_is_a_styled_404(signed_in):
    response = signed_in.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We could not find that page" in html and "Resolver404" not in html


def test_a_refused_form_is_a_styled_403(viewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(viewer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "That form has expired" in html and 'class="site-header"' in html


def test_403_and_500_pages_render_in_the_frame(rf, viewer):
    from django.core.exceptions import PermissionDenied
    from django.views.defaults import permission_denied, server_error

    request = rf.get("/")
    request.user = viewer
    denied = permission_denied(request, PermissionDenied("Only staff may do that."))
    assert denied.status_code == 403
    assert "Your account cannot open this page" in denied.content.decode()
    assert "Only staff may do that." in denied.content.decode()
    failed = server_error(request)  # rendered without a request context: no database needed
    assert failed.status_code == 500
    html = failed.content.decode()
    assert "Something went wrong on our side" in html and "/static/css/app.css" in html
