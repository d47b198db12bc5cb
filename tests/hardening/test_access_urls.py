"""Every URL of the project, asked by people who must be refused (issue #10, access).

The URL list is not written down here: it is walked from the resolver, nested includes and
all, so an endpoint added tomorrow is checked tomorrow. Each pattern's converters and regex
groups get a plausible value (an existing row's id, a month, a format) and the path is
resolved back to the same pattern, so a value that misses its pattern fails loudly.

- Anonymous: every method on every URL is refused (401/403/405 or a redirect to sign in),
  except the public ones (PUBLIC).
- Signed in without permissions, staff or not: every write (POST/PUT/PATCH/DELETE) is refused,
  except the ones anyone signed in may do to themselves (SELF_SERVICE) and admin pages that
  answer any method by only showing something (ADMIN_READ_ONLY). Pages are read-only: 405.
- The permission is what decides: the same writes succeed for staff holding it.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.views.generic import RedirectView

from supportops.models import (
    Customer,
    Expense,
    MetricSettings,
    Product,
    ProductRemap,
    ProductRule,
    TeamMember,
)
from tests.auth_tokens import token_for

WRITES = ("post", "put", "patch", "delete")
METHODS = ("get", *WRITES)

# Reachable without signing in, by design: signing in (both forms and the API's), signing
# out, and the load balancer's health check.
PUBLIC = {"login", "logout", "admin:login", "admin:logout", "healthz", "api:token"}
# Writes a signed-in user makes to themselves: sign out, change their own password, ask for
# or revoke their own API token.
SELF_SERVICE = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "api:token",
}
# Admin views that show staff the same page whatever the method and change nothing (and each
# object's history, and the redirects from an object's bare URL to its change page, which is
# checked under its own name).
ADMIN_READ_ONLY = {
    "admin:index",
    "admin:jsi18n",
    "admin:password_change_done",
    "admin:view_on_site",
}


def _admin_read_only(name, pattern) -> bool:
    if name in ADMIN_READ_ONLY or (name or "").endswith("_history"):
        return True
    return getattr(pattern.callback, "view_class", None) is RedirectView


LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def _walk(patterns, prefix=(), namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, (*prefix, pattern.pattern), ns)
        else:
            assert isinstance(pattern, URLPattern)
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield (*prefix, pattern.pattern), name, pattern


ROUTE_PART = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>[^>]+)>")
# Values by converter where the converter decides the form; else by parameter name.
BY_CONVERTER = {"drf_format_suffix": ".json"}
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?:[^()\\]|\\.|\([^()]*\))*\)")


def _fill(pieces, values) -> str:
    path = ""
    for piece in pieces:
        if isinstance(piece, RoutePattern):
            path += ROUTE_PART.sub(
                lambda m: str(BY_CONVERTER.get(m["converter"]) or values[m["parameter"]]),
                str(piece),
            )
        else:
            assert isinstance(piece, RegexPattern), piece
            text = REGEX_GROUP.sub(lambda m: str(values[m["name"]]), str(piece))
            text = text.lstrip("^").rstrip("$").replace("/?", "/").replace("\\.", ".")
            assert not re.search(r"[()\[\]*+?\\]", text), f"cannot fill {piece!r}: {text}"
            path += text
    return "/" + path


def _admin_model(name):
    match = re.fullmatch(r"admin:(\w+?)_([a-z]+)_\w+", name or "")
    try:
        return apps.get_model(match[1], match[2]) if match else None
    except LookupError:
        return None


def _urls(rows):
    """(name, path, pattern) for every URL pattern of the project, filled with `rows`."""
    found = []
    for pieces, name, pattern in _walk(get_resolver().url_patterns):
        model = _admin_model(name)
        obj = model.objects.first() if model else None
        values = {
            "pk": rows.get(name.split(":")[-1].rsplit("-", 1)[0], 1) if name else 1,
            "object_id": obj.pk if obj else 1,
            "id": obj.pk if obj else 1,
            "content_type_id": rows["customer_type"],
            "customer_id": rows["customer"],
            "month": "2016-04",
            "name": "overview",
            "format": "json",
            "app_label": "supportops",
            "url": "no-such-page/",
        }
        path = _fill(pieces, values)
        try:
            matched = resolve(path)
        except Resolver404:
            pytest.fail(f"{path}, filled in for {name}, resolves to nothing")
        assert matched.func == pattern.callback or matched.url_name == pattern.name, (
            f"{path} resolves to {matched.view_name}, not {name}"
        )
        found.append((name, path, pattern))
    return found


@pytest.fixture
def rows(db):
    customer = Customer.objects.create(name="Acme")
    product = Product.objects.create(name="API")
    member = TeamMember.objects.create(
        name="Ann", role="Support", annual_salary=Decimal(100000), fte=1, start_date="2016-01-01"
    )
    expense = Expense.objects.create(
        name="Desk", kind="tool", monthly_amount=Decimal(100), start_date="2016-01-01"
    )
    rule = ProductRule.objects.create(product=product, kind="tag", value="api")
    remap = ProductRemap.objects.create(requested_at=datetime(2016, 5, 1, tzinfo=UTC), reason="x")
    MetricSettings.load()
    return {
        "team-member": member.pk,
        "expense": expense.pk,
        "customer": customer.pk,
        "product": product.pk,
        "product-rule": rule.pk,
        "product-remap": remap.pk,
        "customer_type": ContentType.objects.get_for_model(Customer).pk,
    }


def _refused(response, path) -> bool:
    if response.status_code in (401, 403, 405):
        return True
    if response.status_code == 404 and path.startswith("/admin/"):
        return True  # admin hides an app the user may not see
    if response.status_code == 302:
        return urlparse(response["Location"]).path in LOGIN_PATHS
    return False


def _ask(client, method, path):
    return getattr(client, method)(path, data={}, content_type="application/json")


def _signed_in(user) -> Client:
    client = Client(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    client.force_login(user)
    return client


def test_the_walk_finds_every_kind_of_url(rows):
    names = {name for name, _, _ in _urls(rows)}
    assert len(names) > 100
    assert {"api:token", "api:team-member-detail", "admin:supportops_expense_change"} <= names
    assert {"customer-detail", "report-chart", "api:customer-timeline", "healthz"} <= names


def test_anonymous_is_refused_everywhere_but_the_public_urls(rows):
    client = Client()
    wrong = []
    for name, path, _ in _urls(rows):
        for method in METHODS:
            response = _ask(client, method, path)
            assert response.status_code < 500, (method, path)
            if name not in PUBLIC and not _refused(response, path):
                wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("is_staff", [False, True], ids=["viewer", "staff-without-permissions"])
def test_users_without_permissions_cannot_write_anywhere(rows, django_user_model, is_staff):
    user = django_user_model.objects.create_user("nobody", password="pw", is_staff=is_staff)
    client = _signed_in(user)
    before = _snapshot()
    wrong = []
    for name, path, pattern in _urls(rows):
        if name in SELF_SERVICE or (is_staff and _admin_read_only(name, pattern)):
            continue
        for method in WRITES:
            response = _ask(client, method, path)
            assert response.status_code < 500, (method, path)
            if path.startswith("/admin/") and method != "post":
                continue  # admin acts on POST only; any other method reads (and the rows stay)
            if not _refused(response, path):
                wrong.append(f"{method.upper()} {path} ({name}): {response.status_code}")
    assert not wrong, "\n".join(wrong)
    assert _snapshot() == before


def _snapshot():
    models = (TeamMember, Expense, Product, ProductRule, Customer)
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models} | {
        "settings": list(MetricSettings.objects.values())
    }


WRITE_CASES = [
    ("post", "/api/v1/team-members/", "add_teammember", 201),
    ("patch", "/api/v1/team-members/{team-member}/", "change_teammember", 200),
    ("delete", "/api/v1/team-members/{team-member}/", "delete_teammember", 204),
    ("post", "/api/v1/expenses/", "add_expense", 201),
    ("patch", "/api/v1/expenses/{expense}/", "change_expense", 200),
    ("delete", "/api/v1/expenses/{expense}/", "delete_expense", 204),
    ("post", "/api/v1/products/", "add_product", 201),
    ("patch", "/api/v1/products/{product}/", "change_product", 200),
    ("delete", "/api/v1/products/{product}/", "delete_product", 204),
    ("post", "/api/v1/product-rules/", "add_productrule", 201),
    ("patch", "/api/v1/product-rules/{product-rule}/", "change_productrule", 200),
    ("delete", "/api/v1/product-rules/{product-rule}/", "delete_productrule", 204),
    ("patch", "/api/v1/settings/", "change_metricsettings", 200),
]
BODIES = {
    "team-members": {
        "name": "Bo",
        "role": "Support",
        "annual_salary": "1.00",
        "annual_benefits": "0.00",
        "fte": "1.00",
        "start_date": "2016-01-01",
    },
    "expenses": {
        "name": "Bo",
        "kind": "tool",
        "monthly_amount": "1.00",
        "start_date": "2016-01-01",
    },
    "products": {"name": "Dashboard"},
    "product-rules": {"product": "API", "kind": "tag", "value": "dash"},
    "settings": {"currency": "EUR"},
}


@pytest.mark.parametrize(("method", "url", "codename", "ok"), WRITE_CASES)
def test_each_write_needs_its_model_permission(rows, django_user_model, method, url, codename, ok):
    """Staff alone is not enough; staff with another model's permission is not enough either;
    staff with exactly this permission (or a superuser) writes."""
    url = url.format(**rows)
    body = BODIES[url.split("/")[3]]
    other = Permission.objects.filter(content_type__app_label="supportops").exclude(
        codename=codename
    )
    staff = django_user_model.objects.create_user("staff", password="pw", is_staff=True)
    staff.user_permissions.set(other)
    response = getattr(_signed_in(staff), method)(url, body, content_type="application/json")
    assert response.status_code == 403, response.content

    holder = django_user_model.objects.create_user("holder", password="pw", is_staff=True)
    holder.user_permissions.add(Permission.objects.get(codename=codename))
    response = getattr(_signed_in(holder), method)(url, body, content_type="application/json")
    assert response.status_code == ok, response.content


def test_a_permission_without_staff_status_is_not_enough(rows, django_user_model):
    """Admin refuses a non-staff user whatever they hold; so does the API."""
    user = django_user_model.objects.create_user("outsider", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="add_expense"))
    response = _signed_in(user).post(
        "/api/v1/expenses/", BODIES["expenses"], content_type="application/json"
    )
    assert response.status_code == 403


def test_a_superuser_writes_without_explicit_permissions(rows, django_user_model):
    boss = django_user_model.objects.create_superuser("boss", password="pw")
    response = _signed_in(boss).post(
        "/api/v1/expenses/", BODIES["expenses"], content_type="application/json"
    )
    assert response.status_code == 201


def test_reads_stay_open_to_anyone_signed_in(rows, django_user_model):
    client = _signed_in(django_user_model.objects.create_user("viewer", password="pw"))
    for url in ("/api/v1/team-members/", "/api/v1/expenses/", "/api/v1/products/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/v1/settings/").status_code == 200
    # Rules are admin configuration: admin shows them only with the view permission.
    assert client.get("/api/v1/product-rules/").status_code == 403
