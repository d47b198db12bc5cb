"""Why a row's recomputed median and the vendor's differ, in a few words for the page.

Vendors report whole minutes (Intercom's seconds are cut to minutes), so under a minute apart is
agreement. Beyond that the likely causes are few and each can be read off the row: the vendor
gave a value for fewer tickets, reopened tickets, or a different idea of the first reply.
No Django: the page (and a report) can call it on any SupportOpsRow.
"""

from __future__ import annotations

from decimal import Decimal

from .support_ops_results import SupportOpsRow

AGREE = Decimal(1)  # minutes


def _apart(ours: Decimal | None, vendor: Decimal | None) -> bool:
    return ours is not None and vendor is not None and abs(ours - vendor) >= AGREE


def first_reply_notes(row: SupportOpsRow) -> tuple[str, ...]:
    notes = []
    if row.vendor_replied != row.replied:
        notes.append(
            f"First reply: the vendor gives a time for {row.vendor_replied} of the "
            f"{row.created} tickets created, we find an agent public reply on {row.replied}."
        )
    ours, vendor = row.median_first_reply_minutes, row.vendor_median_first_reply_minutes
    if _apart(ours, vendor):
        side = "earlier" if vendor < ours else "later"
        notes.append(
            f"First reply: the vendor's median is {abs(ours - vendor)} min {side}. Zendesk "
            "counts the first public comment by any agent (macros and API included), Intercom "
            "from the customer's first message; ours is the first agent public reply synced."
        )
    return tuple(notes)


def resolution_notes(row: SupportOpsRow) -> tuple[str, ...]:
    notes = []
    if row.solved and row.vendor_resolved != row.solved:
        notes.append(
            f"Resolution: the vendor gives a time for {row.vendor_resolved} of the {row.solved} "
            "tickets solved (none for conversations still open at the vendor, or from "
            "imports), so its median stands on fewer tickets."
        )
    ours, vendor = row.median_resolution_minutes, row.vendor_median_resolution_minutes
    if _apart(ours, vendor):
        side = "shorter" if vendor < ours else "longer"
        reopened = (
            f" {row.reopened} of these tickets were reopened: the vendor may time a reopened "
            "ticket to a different solve than the one we hold."
            if row.reopened
            else ""
        )
        notes.append(
            f"Resolution: the vendor's median is {abs(ours - vendor)} min {side}.{reopened}"
        )
    return tuple(notes)


def row_notes(row: SupportOpsRow) -> tuple[str, ...]:
    """Every note for `row`, first reply first; empty when recomputed and vendor agree."""
    return first_reply_notes(row) + resolution_notes(row)
