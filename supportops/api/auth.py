"""Token sign-in for API clients (django-rest-knox; supportops/api_tokens.py).

POST {"username", "password"} → {"token", "expiry"}: a new token each time, stored as a digest
only, valid for API_TOKEN_TTL_HOURS. DELETE with `Authorization: Token <token>` revokes that
token (204). Wrong passwords count towards the sign-in lockout (supportops/lockout.py).
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from supportops.api_tokens import TokenAuthentication, issue_token
from supportops.lockout import locked_out, lockout_message, lockout_response

TokenSerializer = inline_serializer(
    "Token",
    {
        "token": serializers.CharField(help_text="Send it as `Authorization: Token <token>`."),
        "expiry": serializers.DateTimeField(help_text="It stops working at this time."),
    },
)
Detail = inline_serializer("TokenDetail", {"detail": serializers.CharField()})


class TokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme for our tokens: `Authorization: Token <token>`."""

    target_class = "supportops.api_tokens.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.authenticate_header(None)
        )
        scheme["description"] = (
            "`Token <token>`, the token from POST /api/v1/auth/token/; it expires (`expiry`) "
            "and is revoked by DELETE /api/v1/auth/token/ or a password change."
        )
        return scheme


class TokenView(APIView):
    def _revoking(self) -> bool:
        request = getattr(self, "request", None)  # None while the schema is generated
        return request is not None and request.method == "DELETE"

    def get_authenticators(self):
        # Signing in takes no authentication on the way in: a stale `Authorization` header or
        # a browser session (which would demand a CSRF token) must not stand between a client
        # and a new token. Revoking takes the very token to revoke.
        return [TokenAuthentication()] if self._revoking() else []

    def get_permissions(self):
        return [IsAuthenticated()] if self._revoking() else [AllowAny()]

    def get_serializer(self, *args, **kwargs):
        return AuthTokenSerializer(*args, context={"request": self.request}, **kwargs)

    @extend_schema(
        request=AuthTokenSerializer,
        responses={
            200: TokenSerializer,
            400: OpenApiResponse(description="Missing or wrong username or password."),
            429: OpenApiResponse(Detail, description=lockout_message()),
        },
    )
    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if locked_out(request):
            return lockout_response(request)
        if not valid:
            raise serializers.ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        token, instance = issue_token(user)
        user_logged_in.send(sender=user.__class__, request=request, user=user)
        expiry = serializers.DateTimeField().to_representation(instance.expiry)
        return Response({"token": token, "expiry": expiry})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


token_view = TokenView.as_view()
