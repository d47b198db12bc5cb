"""The OpenAPI schema documents each operation's error responses (issue #10, "api-input"):
400 everywhere, 401/403 where signing in is needed, 404 where the path names an object or the
list pages, 413/415 where a body is taken, 429 where the endpoint refuses with it."""

import pytest
from drf_spectacular.generators import SchemaGenerator

ERROR_REF = {"$ref": "#/components/schemas/Error"}
VALIDATION_REF = {"$ref": "#/components/schemas/ValidationError"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _schema_of(response):
    return response["content"]["application/json"]["schema"]


def test_the_error_components(schema):
    components = schema["components"]["schemas"]
    assert components["Error"] == {
        "type": "object",
        "description": "Why the request was refused.",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    assert components["ValidationError"]["type"] == "object"


def test_every_operation_documents_its_errors(schema):
    for path, method, operation in _operations(schema):
        responses = operation["responses"]
        label = f"{method} {path}"
        assert _schema_of(responses["400"]) == VALIDATION_REF, label
        public = path == "/api/v1/auth/token/" and method == "POST"
        for code in ("401", "403"):
            assert (code in responses) is not public, (label, code)
            if not public:
                assert _schema_of(responses[code]) == ERROR_REF, (label, code)
        if "{" in path:
            assert _schema_of(responses["404"]) == ERROR_REF, label
        takes_body = method in ("POST", "PUT", "PATCH")
        for code in ("413", "415"):
            assert (code in responses) is takes_body, (label, code)


def test_the_examples_a_reader_looks_for(schema):
    paths = schema["paths"]
    listing = paths["/api/v1/customers/"]["get"]["responses"]
    assert set(listing) == {"200", "400", "401", "403", "404"}  # 404: a page past the last
    metric = paths["/api/v1/metrics/cost/"]["get"]["responses"]
    assert set(metric) == {"200", "400", "401", "403"}
    assert set(metric["400"]["content"]) == {"application/json", "text/csv"}
    create = paths["/api/v1/expenses/"]["post"]["responses"]
    assert set(create) == {"201", "400", "401", "403", "413", "415"}
    token = paths["/api/v1/auth/token/"]["post"]["responses"]
    assert {"200", "400", "413", "415", "429"} <= set(token)
