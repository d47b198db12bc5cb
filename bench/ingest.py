#!/usr/bin/env python
"""`make bench`: the Zendesk and the Stripe sync side by side, in one run, on PostgreSQL.

Zendesk: bench/sync_zendesk.py (tickets + comments). Stripe: bench/sync_stripe.py (customers,
subscriptions, invoices). Each size syncs into a flushed database from a server that replays
pre-rendered pages, in a fresh process (so peak memory is that size's own), and is compared
with PostgreSQL's COPY of the very rows it wrote (bench/copy_baseline.py). The goals of issue
#11 are checked at the end: ≥ 5,000 tickets/s and ≥ 15% of COPY speed at 100,000, peak memory
under 300 MB at every size, and the last pages of the biggest sync no slower than its first.

    .venv/bin/python bench/ingest.py [--zendesk 10000,100000,1000000] [--stripe 10000,100000]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import sync_zendesk  # noqa: E402

GOAL_TICKETS_PER_S = 5_000
GOAL_COPY_SHARE = 0.15
GOAL_PEAK_MB = 300


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zendesk", default="10000,100000,1000000", help="ticket counts")
    parser.add_argument("--stripe", default="10000,100000", help="invoice counts")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", sync_zendesk.DEFAULT_DB)
    sync_zendesk.database_create(database_url)
    zendesk = [sync_zendesk.zendesk_bench(database_url, int(n)) for n in _sizes(args.zendesk)]
    stripe = []
    if _sizes(args.stripe):
        from bench import sync_stripe

        # A database of its own: the Stripe bench drops and re-creates it for every size.
        stripe_url = os.environ.get("BENCH_STRIPE_DATABASE_URL", sync_stripe.DEFAULT_URL)
        stripe = [
            sync_stripe.stripe_bench(stripe_url, int(n), resync=int(n) == 100_000)
            for n in _sizes(args.stripe)
        ]
        for figures in stripe:
            print(sync_stripe.report(figures), flush=True)
    print()
    print(sync_zendesk.table(zendesk))
    if stripe:
        print()
        print(sync_stripe.table(stripe))
    print()
    print(verdicts(zendesk, stripe))


def _sizes(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def verdicts(zendesk: list[dict], stripe: list[dict]) -> str:
    lines = ["goals (issue #11; before: 803 tickets/s, 3% of COPY)"]

    def check(ok: bool, text: str) -> None:
        lines.append(f"  [{'met' if ok else 'MISSED'}] {text}")

    for name, results, rate_key, unit in (
        ("Zendesk", zendesk, "tickets_per_s", "tickets/s"),
        ("Stripe", stripe, "invoices_per_s", "invoices/s"),
    ):
        if not results:
            continue
        at = next((r for r in results if r["size"] == 100_000), results[-1])
        if name == "Zendesk":
            check(
                at[rate_key] >= GOAL_TICKETS_PER_S,
                f"{name} {at['size']:,}: {at[rate_key]:,.0f} {unit} (goal ≥ {GOAL_TICKETS_PER_S:,}; "
                f"COPY itself loads {at['tickets'] / at['copy_s']:,.0f} {unit} on this machine)",
            )
        check(
            at["copy_ratio"] >= GOAL_COPY_SHARE,
            f"{name} {at['size']:,}: {at['copy_ratio']:.1%} of COPY speed (goal ≥ 15%)",
        )
        peaks = ", ".join(f"{r['size']:,}: {r['peak_mb']:,.0f} MB" for r in results)
        check(all(r["peak_mb"] < GOAL_PEAK_MB for r in results), f"{name} peak memory {peaks}")
        big = max(results, key=lambda r: r["size"])
        stream = "tickets" if name == "Zendesk" else "invoices"
        first, last = big.get(f"{stream}_first10_ms"), big.get(f"{stream}_last10_ms")
        if first and last:
            check(
                last <= first * 1.5,
                f"{name} {big['size']:,}: {stream} pages first 10 {first:,.0f} ms, "
                f"last 10 {last:,.0f} ms",
            )
        for r in results:
            if "resync_unchanged" in r:
                check(r["resync_unchanged"], f"{name} {r['size']:,}: a re-sync changed nothing")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
