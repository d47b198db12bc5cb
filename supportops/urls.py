from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from metrics.api import urls as metrics_api_urls
from supportops.api import urls as core_api_urls

# One `api` namespace under /api/v1/ over the core's endpoints and the metric endpoints, which
# live beside the metrics (metrics/api/) so the core never imports the read side. Wiring them
# together here is what this module is for (an allowed import in pyproject's contracts).
api_v1 = ([*core_api_urls.urlpatterns, *metrics_api_urls.urlpatterns], "api")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


# JSON under /api/, the site's error pages elsewhere (supportops/api/errors.py).
handler400 = "supportops.api.errors.bad_request"
handler403 = "supportops.api.errors.permission_denied"
handler404 = "supportops.api.errors.page_not_found"
handler500 = "supportops.api.errors.server_error"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("", include("metrics.urls")),
]
