"""Every page needs a signed-in user, so a forgotten decorator cannot expose data."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login

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
