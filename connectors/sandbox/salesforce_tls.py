"""An HTTPS sandbox serving the Salesforce vendor, and a certificate authority clients can trust.

Salesforce clients (simple-salesforce) only speak HTTPS, so this wraps the shared SandboxServer's
listening socket in TLS and mounts ``SalesforceApi`` on its router; dispatch, faults and the
request log are the shared ones. The certificate comes from a throw-away CA (``trustme``, a
dev/test dependency) written as PEM files; point ``REQUESTS_CA_BUNDLE`` at ``bundle.pem`` (the
sandbox CA plus the usual public roots, so other HTTPS calls keep working).

Demo: ``python -m connectors.sandbox.salesforce_tls --port 8766 --cert-dir var/sandbox-tls``.
"""

from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from .company import build_company
from .model import Company
from .salesforce import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REFRESH_TOKEN,
    SalesforceApi,
)
from .server import SandboxServer


class SandboxCertificate:
    """A CA and a server certificate for localhost / 127.0.0.1, written under ``directory``."""

    def __init__(self, directory: Path | str) -> None:
        import trustme  # dev dependency: only the sandbox needs it

        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._ca = trustme.CA(organization_name="SupportOps sandbox")
        self._cert = self._ca.issue_cert("localhost", "127.0.0.1", "::1")
        self.ca_path = self.directory / "ca.pem"
        self.bundle_path = self.directory / "bundle.pem"
        self._ca.cert_pem.write_to_path(str(self.ca_path))
        self.bundle_path.write_bytes(_public_roots() + b"\n" + self._ca.cert_pem.bytes())

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._cert.configure_cert(context)
        return context


class SalesforceSandbox:
    """``SandboxServer`` over TLS with the Salesforce vendor mounted; use as a context manager."""

    def __init__(
        self,
        company: Company | None = None,
        *,
        cert_dir: Path | str,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
        verbose: bool = False,
        **credentials: str,
    ) -> None:
        self.server = SandboxServer(company, host=host, port=port, clock=clock, verbose=verbose)
        self.salesforce = SalesforceApi(self.server.company, clock=self.server.clock, **credentials)
        self.server.router.register(self.salesforce)
        self.certificate = SandboxCertificate(cert_dir)
        httpd = self.server._httpd
        # The handshake runs on the handler thread's first read, so a slow client cannot stall
        # the accept loop.
        httpd.socket = self.certificate.server_context().wrap_socket(
            httpd.socket, server_side=True, do_handshake_on_connect=False
        )

    @property
    def org(self):
        return self.salesforce.org

    @property
    def faults(self):
        return self.server.faults

    @property
    def requests(self):
        return self.server.requests

    @property
    def login_url(self) -> str:
        return f"https://{self.server.host}:{self.server.port}"

    def start(self) -> SalesforceSandbox:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> SalesforceSandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _public_roots() -> bytes:
    try:
        import certifi
    except ImportError:  # pragma: no cover - requests always brings certifi
        return b""
    return Path(certifi.where()).read_bytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.sandbox.salesforce_tls")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=int, default=250)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--cert-dir", default="var/sandbox-tls")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    company = build_company(seed=args.seed, customers=args.customers, months=args.months)
    sandbox = SalesforceSandbox(
        company, cert_dir=args.cert_dir, host=args.host, port=args.port, verbose=args.verbose
    )
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    sandbox.start()
    print(
        f"salesforce sandbox serving {sandbox.login_url} "
        f"REQUESTS_CA_BUNDLE={sandbox.certificate.bundle_path} "
        f"client_id={DEFAULT_CLIENT_ID} client_secret={DEFAULT_CLIENT_SECRET} "
        f"refresh_token={DEFAULT_REFRESH_TOKEN}",
        flush=True,
    )
    try:
        stopping.wait()
    finally:
        sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
