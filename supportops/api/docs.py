"""The API's documentation page: Swagger UI over our schema, served from our own static files
(drf-spectacular-sidecar, `SWAGGER_UI_DIST = "SIDECAR"`), with the schema download on it."""

from django.contrib.auth.views import redirect_to_login
from drf_spectacular.views import SpectacularSwaggerView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated


class ApiDocsView(SpectacularSwaggerView):
    permission_classes = [IsAuthenticated]
    url_name = "api:schema"
    template_name = "api/docs.html"

    def handle_exception(self, exc):
        # LoginRequiredMiddleware leaves /api/ to DRF, but this is a page for people: a visitor
        # who sent no credentials is sent to sign in like on every other page. Credentials that
        # fail (a bad token) still get DRF's 401.
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)
