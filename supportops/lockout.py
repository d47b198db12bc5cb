"""Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
from one address, that pair is refused for AXES_COOLOFF_MINUTES, whichever door it knocks on
(the sign-in page, admin's, the API token endpoint).

Axes records the failures and logs each lockout (logger `axes.handlers.database`, WARNING,
through the root handler of settings.LOGGING); this module only says it to the person: the
page they signed in on again with the message, or a JSON 429 for the API.
"""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms.utils import ErrorDict, ErrorList
from django.http import JsonResponse
from django.shortcuts import render


def cooloff_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message() -> str:
    minutes = cooloff_minutes()
    return f"Too many failed sign-ins; try again in {minutes} minute{'s' if minutes != 1 else ''}."


class LockoutBackend(AxesStandaloneBackend):
    """Axes' backend, minus its refusal of request-less `authenticate()` calls (the test
    client's `login()`, a shell): with no HTTP request there is no client to lock out, and
    every sign-in over HTTP (login views, the token endpoint) passes its request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _login_page(request, message: str, username: str):
    form = AuthenticationForm(request, initial={"username": username})
    # An unbound form carrying the message as its error: both login templates show
    # non-field errors, and binding it would run authenticate() (and count a failure) again.
    form._errors = ErrorDict({NON_FIELD_ERRORS: ErrorList([message], error_class="nonfield")})
    if request.path.startswith("/admin/"):
        template = "admin/login.html"
        context = {**admin_site.each_context(request), "app_path": request.get_full_path()}
    else:
        template = "registration/login.html"
        context = {"next": request.POST.get("next", "")}
    context.update(form=form, title="Log in", username=username)
    return render(request, template, context, status=429)


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the refusal a locked-out sign-in gets (429, Retry-After)."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        response = _login_page(request, message, username)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response


def locked_out(request) -> bool:
    """Whether axes refused this sign-in (it flags the request it was handed)."""
    return bool(getattr(request, "axes_locked_out", False))
