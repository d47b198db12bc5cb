"""A real SMTP server on loopback (aiosmtpd) for the delivery tests.

`replies` scripts the server: a reply to RCPT TO such as "451 4.3.0 try later" refuses the
recipient (the default accepts everything). Received messages are kept as raw bytes.
"""

from __future__ import annotations

import socket
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Handler:
    rcpt_reply: str = ""  # e.g. "451 4.3.0 try later"; empty: accept
    messages: list[Received] = field(default_factory=list)
    refused: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply:
            self.refused += 1
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content)
        )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


@contextmanager
def smtp_server(settings, *, rcpt_reply: str = ""):
    """Serve on a free loopback port and point Django's SMTP backend at it."""
    handler = Handler(rcpt_reply=rcpt_reply)
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield handler
    finally:
        controller.stop()
