"""The OpenAPI schema documents each operation's error responses, not only its successes.

Clients (and schemathesis in the suite) read from the schema which statuses an operation can
answer and what the body then is: `{"detail": "..."}` (the `Error` component) or, for a 400,
field errors keyed by parameter or field name (`ValidationError`). Which errors apply follows
from the view: 401/403 where it needs a signed-in user, 404 where the path names an object or
the list is paginated, 413/415 where it takes a body, 429 where it is throttled.
"""

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "What is wrong with the request: `detail`, or a list of messages per "
    "parameter or field (`non_field_errors` for the whole body; nested for nested fields).",
    "additionalProperties": {},
}

DESCRIPTIONS = {
    "400": "Bad request: a parameter or the body is invalid; the body names it.",
    "401": "No valid credentials (a token or a session).",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object, or no such page.",
    "413": "The body is larger than the server accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).",
    "415": "The body's Content-Type is not one this operation reads.",
    "429": "Too many requests: wait for Retry-After seconds.",
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            responses.setdefault(code, self._error_response(code))
        for code, response in responses.items():
            if code.startswith("4") and "content" not in response:
                # An error a view declared by its description alone still has its body.
                response["content"] = self._error_response(code)["content"]
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["400"]
        if self.view.get_authenticators():  # a bad token is a 401 even where none is needed
            codes.append("401")
            if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
                codes.append("403")
        if "{" in self.path or self._paginated():
            codes.append("404")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _paginated(self) -> bool:
        return self.method == "GET" and self._is_list_view() and bool(self._get_paginator())

    def _error_response(self, code: str) -> dict:
        """`Error` for a detail, `ValidationError` for a 400's field errors."""
        name, schema = (
            ("ValidationError", VALIDATION_ERROR_SCHEMA)
            if code == "400"
            else ("Error", ERROR_SCHEMA)
        )
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        media_types = self.map_renderers("media_type") or ["application/json"]
        return {
            "description": DESCRIPTIONS.get(code, ""),
            "content": {media_type: {"schema": component.ref} for media_type in media_types},
        }
