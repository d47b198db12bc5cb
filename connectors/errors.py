"""Failures a sync reports to a person: each carries a one-line reason."""

from supportops.redact import redact


class ConnectorError(Exception):
    """A sync cannot go on; str(error) is the one-line reason shown to the user.

    The reason is redacted as the error is made: it goes to SyncRun rows, logs, admin and
    command output, and may quote a URL with a password or a credential a vendor echoed back.
    """

    def __init__(self, *args):
        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


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
