"""schemathesis over every operation of the OpenAPI schema: no server error, and every answer
(status, content type, body, headers) is one the schema documents.

The requests go to the real WSGI application (every middleware, the URLconf, DRF), in-process,
so each test's data is rolled back with it. The schema is the one drf-spectacular serves
(`test_the_schema_tested_is_the_one_served` keeps them equal); a superuser signs in through the
token endpoint, as a client does, so every write is tried too; a small dataset gives the lists
and the metrics rows and the detail routes real objects. Examples are bounded and derandomized,
so CI runs the same requests every time, in about a minute on two cores.
"""

import json
from datetime import UTC, date, datetime

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from supportops.models import (
    Customer,
    CustomerIdentity,
    Expense,
    Plan,
    Product,
    ProductRemap,
    ProductRule,
    TeamMember,
)
from tests.factories import message_create, ticket_create

PASSWORD = "schemathesis-pass-8412"
MAX_EXAMPLES = 10

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def _generated_schema() -> dict:
    """What /api/v1/schema/?format=json serves, as plain JSON (no lazy strings)."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(generated, renderer_context={}))


# Bounded: MAX_EXAMPLES generated cases per operation (positive and negative), plus the coverage
# phase's boundary cases for reads; for writes (a dozen fields each) that phase alone would send
# ~200 requests per operation, so writes get the generated cases only.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {"coverage": {"unexpected-methods": []}},
        "operations": [
            {
                "include-method-regex": "^(POST|PUT|PATCH)$",
                "phases": {"coverage": {"enabled": False}},
            }
        ],
    }
)

app = WSGIHandler()
schema = schemathesis.openapi.from_dict(_generated_schema(), config=CONFIG)
schema.app = app


@pytest.fixture
def in_test_transaction(db):
    """Requests share the test's connection and transaction, as the test client's do: Django
    would otherwise close the connection after each request (outside autocommit) and lose it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def api_token(username: str, password: str) -> str:
    """A token the way a client gets one: POST the credentials to the token endpoint (through
    the same WSGI application: Django's test client would re-connect the signal above)."""
    response = Client(app).post(
        "/api/v1/auth/token/", json={"username": username, "password": password}
    )
    assert response.status_code == 200, response.get_data()
    return response.get_json()["token"]


@pytest.fixture
def dataset(in_test_transaction):
    """A little of everything, so lists have rows and metrics have something to compute."""
    plan = Plan.objects.create(source="stripe", external_id="price_pro", name="Pro")
    acme = Customer.objects.create(
        name="Acme",
        domains=["acme.io"],
        plan=plan,
        is_paying=True,
        mrr_minor=19900,
        signed_up_at=datetime(2024, 5, 1, tzinfo=UTC),
    )
    globex = Customer.objects.create(name="Globex", domains=["globex.com"])
    CustomerIdentity.objects.create(source="zendesk", external_id="42", customer=acme)
    CustomerIdentity.objects.create(source="stripe", external_id="cus_A", customer=acme)
    CustomerIdentity.objects.create(source="intercom", external_id="u-9", customer=None)
    ticket = ticket_create(
        acme,
        "t-1",
        datetime(2025, 3, 3, 9, tzinfo=UTC),
        solved_at=datetime(2025, 3, 4, 9, tzinfo=UTC),
    )
    message_create(ticket, "m-1", datetime(2025, 3, 3, 10, tzinfo=UTC))
    api, _ = Product.objects.get_or_create(name="API")
    Product.objects.get_or_create(name="Enterprise", defaults={"is_enterprise_group": True})
    rule = ProductRule.objects.create(product=api, kind="tag", value="api")
    member = TeamMember.objects.create(name="Ada", annual_salary=90000, start_date=date(2024, 1, 1))
    member.products.add(api)
    expense = Expense.objects.create(
        name="Helpdesk seats", kind="tool", monthly_amount=400, start_date=date(2024, 1, 1)
    )
    remap = ProductRemap.objects.create(requested_at=datetime(2025, 3, 5, tzinfo=UTC))
    return {
        "customers": [acme.pk, globex.pk],
        "products": [api.pk],
        "product-rules": [rule.pk],
        "team-members": [member.pk],
        "expenses": [expense.pk],
        "product-remaps": [remap.pk],
    }


@pytest.fixture
def token(dataset, django_user_model):
    django_user_model.objects.create_superuser("fuzz", "fuzz@example.com", PASSWORD)
    return api_token("fuzz", PASSWORD)


def _existing(case, dataset) -> None:
    """Point a generated id at a seeded object (a random integer alone would only ever find
    404s), or, for a negative one, at an id that does not exist."""
    collection = case.operation.path.removeprefix("/api/v1/").split("/")[0]
    for name, value in case.path_parameters.items():
        ids = dataset.get(collection)
        if ids and isinstance(value, int) and name in ("id", "customer_id"):
            case.path_parameters[name] = ids[value % len(ids)] if value >= 0 else 0


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_keeps_to_its_schema(case, token, dataset):
    _existing(case, dataset)
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)


def test_the_schema_tested_is_the_one_served(token):
    response = Client(app).get(
        "/api/v1/schema/?format=json", headers={"Authorization": f"Token {token}"}
    )
    assert response.status_code == 200
    assert response.get_json() == _generated_schema()
