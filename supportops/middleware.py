"""Every page needs a signed-in user, so a forgotten decorator cannot expose data."""

import csv
import io

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render

from .text import UNSTORABLE, describe_unstorable, escape_unstorable

# The API answers 401/403 itself (DRF), the admin has its own login, and these must be
# reachable to sign in at all.
PUBLIC_PREFIXES = ("/accounts/login/", "/api/", "/admin/", "/static/", "/healthz")


class LoginRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated or request.path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)


class UnstorableInputMiddleware:
    """A NUL (or a lone surrogate) in a query parameter or a form field is a 400 naming the
    parameter, before a view hands it to PostgreSQL (whose DataError would be a 500).

    JSON under /api/ (CSV for `?format=csv`, as the metric endpoints refuse parameters), the
    site's 400 page elsewhere. API bodies are the API parsers' job (supportops/api/parsers.py):
    reading them here would take the parsing (and its errors) away from DRF.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        sources = [request.GET] if api or request.method != "POST" else [request.GET, request.POST]
        for source in sources:
            for name, values in source.lists():
                for text in (name, *values):
                    if UNSTORABLE.search(text):
                        return self._refuse(request, api, name, describe_unstorable(text))
        return self.get_response(request)

    @staticmethod
    def _refuse(request, api, name, problem):
        name = escape_unstorable(name)
        if not api:
            context = {"message": f'The parameter "{name}" holds {problem}.'}
            return render(request, "400.html", context, status=400)
        message = f"Holds {problem}."
        if request.GET.get("format") == "csv":
            out = io.StringIO()
            csv.writer(out).writerows([["parameter", "error"], [name, message]])
            return HttpResponse(out.getvalue(), status=400, content_type="text/csv; charset=utf-8")
        return JsonResponse({name: [message]}, status=400)


# Where a write can mean something: the API and admin check permissions per view; these sign
# people in and out.
WRITABLE_PREFIXES = ("/api/", "/admin/", "/accounts/login/", "/accounts/logout/")
READ_METHODS = ("GET", "HEAD", "OPTIONS")


class ReadOnlyPagesMiddleware:
    """Pages only show data: a POST, PUT, PATCH or DELETE to one is a 405, not the page again,
    so no page can become a write that skips the permission checks the API and admin make."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in READ_METHODS or request.path.startswith(WRITABLE_PREFIXES):
            return self.get_response(request)
        return HttpResponseNotAllowed(["GET", "HEAD"])
