"""``python -m connectors.sandbox``: serve the demo company until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from .company import build_company
from .server import SandboxServer
from .usage import write_usage_csv
from .zendesk import DEFAULT_EMAIL, DEFAULT_TOKEN


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m connectors.sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--customers", type=int, default=250)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--tickets-per-month", type=int, default=None)
    parser.add_argument("--rate-limit", type=int, default=None, help="requests/minute per family")
    parser.add_argument("--email", default=DEFAULT_EMAIL)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    parser.add_argument("--usage-csv", help="also write the company's monthly usage CSV here")
    args = parser.parse_args(argv)

    company = build_company(
        seed=args.seed,
        customers=args.customers,
        months=args.months,
        tickets_per_month=args.tickets_per_month,
    )
    server = SandboxServer(
        company,
        host=args.host,
        port=args.port,
        zendesk_email=args.email,
        zendesk_token=args.token,
        rate_limit=args.rate_limit,
        verbose=args.verbose,
    )
    if args.usage_csv:
        write_usage_csv(company, Path(args.usage_csv))
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server.start()
    print(
        f"sandbox serving {server.url} zendesk_email={args.email} zendesk_token={args.token} "
        f"tickets={len(company.tickets)} customers={len(company.customers)} "
        f"stripe_api_base={server.url} stripe_key=sk_test_sandbox "
        f"intercom_url={server.url}/intercom intercom_token=sandbox-intercom-token",
        flush=True,
    )
    try:
        stopping.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
