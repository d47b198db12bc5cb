"""Token sign-in for API clients: POST {"username", "password"} → {"token"}."""

from rest_framework.authtoken.views import ObtainAuthToken

# No authentication on the way in: a stale `Authorization` header or a browser session
# (which would demand a CSRF token) must not stand between a client and a new token.
obtain_token = ObtainAuthToken.as_view(authentication_classes=())
