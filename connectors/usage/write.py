"""Write validated usage: account identities, customer links, then UsageMonth rows in batches.

Every usage account is an account-level identity (source "usage", external_id = account_key =
account_id), linked by `identities_resolve`: the cross-system ids of the input are explicit
evidence (the customer of the named Zendesk organization, Stripe customer, Salesforce account
or Intercom company), as is a shared account key; then e-mail domain. A usage account with no
evidence, or whose ids point at two customers, stays unmatched for an admin (its months keep
customer=None until it is linked); an admin's manual link is never touched.

UsageMonth rows are upserted on (account_id, month) with one INSERT ... ON CONFLICT per batch,
writing only rows that are new or differ, so re-importing the same input changes nothing.
A usage account's creation time, as usage reports it, is its first month (00:00 UTC); from it
and the other sources' creation times the customers' signup dates are recomputed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import transaction
from django.db.models import DateTimeField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from supportops.identity import identities_resolve
from supportops.models import CustomerIdentity, UsageMonth
from supportops.signup import customer_signup_refresh

from .rows import CROSS_IDS, SOURCES, Account, UsageRow, ValidatedUsage

SOURCE = "usage"
BATCH_SIZE = 2000
CHUNK = 500  # ids per IN (...) lookup, well under SQLite's parameter limit


@dataclass(frozen=True)
class ImportResult:
    rows_read: int
    created: int
    updated: int
    unchanged: int
    accounts: int
    accounts_linked: int
    """Linked to a customer: by an explicit id, e-mail domain or an admin."""
    accounts_unmatched: int
    """Linked to no customer yet (no evidence, or conflicting evidence): an admin decides."""

    @property
    def written(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        return (
            f"{self.rows_read} rows read: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged; {self.accounts} accounts: "
            f"{self.accounts_linked} linked, {self.accounts_unmatched} unmatched"
        )


@transaction.atomic
def usage_write(
    usage: ValidatedUsage, *, source: str, batch_size: int = BATCH_SIZE
) -> ImportResult:
    """Write a validated input; rows without a `source` value get `source`."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    accounts = usage.accounts
    _identities_upsert(accounts.values())
    identities_resolve(source=SOURCE)
    links = _identity_links(accounts)
    created = updated = unchanged = 0
    rows = iter(usage)
    while batch := list(islice(rows, batch_size)):
        new, changed, same = _usage_upsert(batch, links=links, source=source)
        created, updated, unchanged = created + new, updated + changed, unchanged + same
    _usage_relink(account_id for account_id, customer_id in links.items() if customer_id)
    if created or updated:
        _first_months_refresh(accounts)
    customer_signup_refresh()
    linked = sum(1 for customer_id in links.values() if customer_id is not None)
    return ImportResult(
        rows_read=len(usage),
        created=created,
        updated=updated,
        unchanged=unchanged,
        accounts=len(accounts),
        accounts_linked=linked,
        accounts_unmatched=len(accounts) - linked,
    )


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def _identities_upsert(accounts: Iterable[Account]) -> None:
    """Insert or refresh one identity per account; a value the input lacks is left alone."""
    now = timezone.now()
    groups: dict[tuple[str, ...], list[CustomerIdentity]] = defaultdict(list)
    for account in accounts:
        fields = ["account_key", "synced_at"]
        fields += ["name"] if account.name else []
        fields += ["domains"] if account.domains else []
        fields += ["extra", "references"] if account.ids else []
        groups[tuple(fields)].append(
            CustomerIdentity(
                source=SOURCE,
                external_id=account.account_id,
                name=account.name,
                domains=list(account.domains),
                account_key=account.account_id,
                extra=dict(account.ids),
                references=_references(account),
                synced_at=now,
            )
        )
    # customer and match_method belong to identity resolution and admins.
    for fields, identities in groups.items():
        for chunk in _chunks(identities):
            CustomerIdentity.objects.bulk_create(
                chunk,
                update_conflicts=True,
                unique_fields=["source", "external_id"],
                update_fields=list(fields),
            )


def _references(account: Account) -> list[list[str]]:
    """The other systems' records the input names for this account: explicit evidence."""
    return [[CROSS_IDS[column], external_id] for column, external_id in account.ids.items()]


def _identity_links(accounts: dict[str, Account]) -> dict[str, int | None]:
    """account_id → customer id of its usage identity (None while unmatched)."""
    links = {}
    for chunk in _chunks(accounts):
        links.update(
            CustomerIdentity.objects.filter(source=SOURCE, external_id__in=chunk).values_list(
                "external_id", "customer_id"
            )
        )
    return links


def _usage_upsert(
    batch: list[UsageRow], *, links: dict[str, int | None], source: str
) -> tuple[int, int, int]:
    """Upsert one batch; returns (created, updated, unchanged)."""
    months = [row.month for row in batch]
    existing = {
        (account_id, month): (api_calls, row_source, customer_id)
        for account_id, month, api_calls, row_source, customer_id in UsageMonth.objects.filter(
            account_id__in={row.account_id for row in batch},
            month__range=(min(months), max(months)),
        ).values_list("account_id", "month", "api_calls", "source", "customer_id")
    }
    created = unchanged = 0
    writes = []
    for row in batch:
        customer_id = links[row.account_id]
        values = (row.api_calls, row.source or source, customer_id)
        before = existing.get((row.account_id, row.month))
        if before == values:
            unchanged += 1
            continue
        created += before is None
        writes.append(
            UsageMonth(
                account_id=row.account_id,
                month=row.month,
                api_calls=row.api_calls,
                source=row.source or source,
                customer_id=customer_id,
            )
        )
    if writes:
        UsageMonth.objects.bulk_create(
            writes,
            update_conflicts=True,
            unique_fields=["account_id", "month"],
            update_fields=["api_calls", "source", "customer"],
        )
    return created, len(writes) - created, unchanged


def _first_months_refresh(account_ids: Iterable[str]) -> None:
    """Set each account's `source_created_at` to its first month, 00:00 UTC (set-based)."""
    first = UsageMonth.objects.filter(account_id=OuterRef("external_id")).order_by("month")
    created_at = Cast(Subquery(first.values("month")[:1]), DateTimeField())
    for chunk in _chunks(account_ids):
        CustomerIdentity.objects.filter(source=SOURCE, external_id__in=chunk).update(
            source_created_at=created_at
        )


def _usage_relink(account_ids: Iterable[str]) -> None:
    """Move months the input did not mention to their (linked) account's current customer.

    An account linked since its earlier months were written, by a key another source shared
    later, say. (Admin links and merges move usage rows themselves: supportops.customers.)
    """
    current = CustomerIdentity.objects.filter(
        source=SOURCE, external_id=OuterRef("account_id")
    ).values("customer_id")[:1]
    for chunk in _chunks(account_ids):
        UsageMonth.objects.filter(account_id__in=chunk).annotate(current=Subquery(current)).exclude(
            customer_id=F("current")
        ).update(customer_id=Subquery(current))
