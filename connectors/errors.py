"""Failures a sync reports to a person: each carries a one-line reason."""


class ConnectorError(Exception):
    """A sync cannot go on; str(error) is the one-line reason shown to the user."""


class NotConfigured(ConnectorError):
    pass


class AuthenticationFailed(ConnectorError):
    pass


class RateLimitExhausted(ConnectorError):
    pass


class UpstreamUnavailable(ConnectorError):
    pass


class MalformedResponse(ConnectorError):
    pass
