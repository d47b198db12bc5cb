"""Every error under /api/ is a JSON body (`{"detail": …}` or field errors), whatever raised it.

DRF answers its own exceptions in JSON; this adds what it leaves to Django: a body over
DATA_UPLOAD_MAX_MEMORY_SIZE (413, naming the limit), too many fields, and, through the URLconf's
handler400/403/404/500, what happens outside a DRF view (an unknown /api/ URL, a middleware's
refusal, an uncaught exception). Pages keep the site's HTML error pages.
"""

from django.conf import settings
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse
from django.views import defaults
from rest_framework import status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def too_large_detail() -> str:
    return (
        "The request body is larger than the limit of "
        f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    )


def _suspicious_detail(exc: SuspiciousOperation) -> tuple[int, str]:
    if isinstance(exc, RequestDataTooBig):
        return status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, too_large_detail()
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return status.HTTP_400_BAD_REQUEST, f"The request has more than {limit} fields."
    if isinstance(exc, TooManyFilesSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        return status.HTTP_400_BAD_REQUEST, f"The request has more than {limit} files."
    return status.HTTP_400_BAD_REQUEST, "The request could not be read."


def exception_handler(exc, context):
    """DRF's handler, plus Django's refusals of the body (raised while DRF reads it)."""
    if isinstance(exc, SuspiciousOperation):
        code, detail = _suspicious_detail(exc)
        return Response({"detail": detail}, status=code)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # `ValidationError("…")` from a view or a serializer's validate(): an object like
        # every other error body, under the key serializers use for the same thing.
        response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
    return response


def json_error(code: int, detail) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=code)


# The URLconf's handlers (supportops/urls.py): JSON under /api/, the site's pages elsewhere.


def bad_request(request, exception):
    if not is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, SuspiciousOperation):
        return json_error(*_suspicious_detail(exception))
    return json_error(status.HTTP_400_BAD_REQUEST, "The request could not be read.")


def permission_denied(request, exception):
    if not is_api(request):
        return defaults.permission_denied(request, exception)
    return json_error(
        status.HTTP_403_FORBIDDEN, "You do not have permission to perform this action."
    )


def page_not_found(request, exception):
    if not is_api(request):
        return defaults.page_not_found(request, exception)
    return json_error(status.HTTP_404_NOT_FOUND, "Not found.")


def server_error(request):
    if not is_api(request):
        return defaults.server_error(request)
    # The traceback goes to the log (django.request), never to the client.
    return json_error(status.HTTP_500_INTERNAL_SERVER_ERROR, "A server error occurred.")
