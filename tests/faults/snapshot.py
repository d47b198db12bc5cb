"""The database as a clean sync would leave it, comparable across two different databases.

A faulted sync "recovered" when every canonical row equals the row a clean sync of the same
vendor data writes. Surrogate ids and wall-clock stamps differ between any two syncs, so they
are left out, and every foreign key is replaced by the natural key of the row it points at:
(source, external_id) for a vendor record, the set of its identities for a customer.

Interface (shared by the fault tests of every connector; keep it stable):
    canonical_rows(models=None) -> {model name: sorted list of tuples}
    synced_data_forget()          deletes what syncs write, so the next sync is a first one
    rows_diff(a, b) -> str        a short human-readable difference, for assertion messages
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db import models as m

from supportops.models import (
    Charge,
    Contact,
    CrmActivity,
    Customer,
    CustomerIdentity,
    Interaction,
    Invoice,
    Opportunity,
    Plan,
    Product,
    SourceLock,
    Subscription,
    SyncRun,
    SyncState,
    Ticket,
    UsageMonth,
)
from supportops.models.sources import SourceRecord

CANONICAL = (
    Customer,
    CustomerIdentity,
    Contact,
    Ticket,
    Interaction,
    UsageMonth,
    Plan,
    Subscription,
    Invoice,
    Charge,
    Opportunity,
    CrmActivity,
    SyncState,
)
WALL_CLOCK = {"synced_at"}
"""Fields set to now() by the writer: they differ between any two syncs by construction."""


def _customer_keys() -> dict[int, tuple]:
    """A customer is known by the vendor records linked to it (its name when it has none)."""
    keys: dict[int, list] = {}
    for customer_id, source, external_id in CustomerIdentity.objects.exclude(
        customer=None
    ).values_list("customer_id", "source", "external_id"):
        keys.setdefault(customer_id, []).append((source, external_id))
    out = {pk: ("identities", tuple(sorted(ids))) for pk, ids in keys.items()}
    for pk, name in Customer.objects.values_list("pk", "name"):
        out.setdefault(pk, ("name", name))
    return out


def _natural_keys(model: type[m.Model], customers: dict[int, tuple]) -> dict:
    if model is Customer:
        return customers
    if issubclass(model, SourceRecord):
        return {
            pk: (source, external_id)
            for pk, source, external_id in model.objects.values_list("pk", "source", "external_id")
        }
    if model is Product:
        return dict(Product.objects.values_list("pk", "name"))
    return {}


def _fields(model: type[m.Model]) -> list[m.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name not in WALL_CLOCK
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _plain(value):
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, default=str)
    return value


def canonical_rows(models: Iterable[type[m.Model]] | None = None) -> dict[str, list[tuple]]:
    """Every row of `models` (default: all a sync writes), without surrogate ids or stamps."""
    customers = _customer_keys()
    keys_cache: dict[type[m.Model], dict] = {}
    out = {}
    for model in models or CANONICAL:
        fields = _fields(model)
        rows = []
        for values in model.objects.values_list(*(f.attname for f in fields)):
            row = []
            for field, value in zip(fields, values, strict=True):
                if field.is_relation and value is not None:
                    target = field.related_model
                    if target not in keys_cache:
                        keys_cache[target] = _natural_keys(target, customers)
                    value = keys_cache[target].get(value, ("pk", value))
                row.append(_plain(value))
            rows.append(tuple(row))
        out[model.__name__] = sorted(rows, key=repr)
    return out


def synced_data_forget() -> None:
    """Delete every row a sync writes (and run bookkeeping): the next sync starts from zero."""
    SourceLock.objects.all().delete()
    SyncRun.objects.all().delete()
    for model in reversed(CANONICAL):
        model.objects.all().delete()


def rows_diff(a: dict[str, list[tuple]], b: dict[str, list[tuple]], limit: int = 5) -> str:
    lines = []
    for name in sorted(set(a) | set(b)):
        left, right = set(a.get(name, [])), set(b.get(name, []))
        if left == right and len(a.get(name, [])) == len(b.get(name, [])):
            continue
        lines.append(f"{name}: {len(a.get(name, []))} rows vs {len(b.get(name, []))}")
        lines += [f"  only left:  {row}" for row in sorted(left - right, key=repr)[:limit]]
        lines += [f"  only right: {row}" for row in sorted(right - left, key=repr)[:limit]]
    return "\n".join(lines) or "no difference"
