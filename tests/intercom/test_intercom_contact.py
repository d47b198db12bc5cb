"""The Intercom sync keeps last contact and ticket counts, deletions included."""

from __future__ import annotations

import pytest

from connectors.sync import sync_source
from metrics.timeline import last_contact
from supportops.models import Customer, SyncRun, Ticket

HOUR = 3600


@pytest.fixture
def synced(intercom, known_customers, settings):
    settings.INTERCOM_RECONCILE_HOURS = 24
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return intercom


def _kept() -> dict[int, tuple]:
    return {c.pk: (c.last_contact_at, c.ticket_count) for c in Customer.objects.all()}


def _recomputed() -> dict[int, tuple]:
    """Another path to the same numbers: the customer page's last contact, a plain count."""
    return {
        c.pk: (
            last_contact(customer_id=c.pk),
            Ticket.objects.filter(customer=c, is_deleted=False).count(),
        )
        for c in Customer.objects.all()
    }


def test_columns_follow_the_sync_and_deletions(synced, clock):
    kept = _kept()
    assert kept == _recomputed()
    assert any(count for _, count in kept.values()) and any(at for at, _ in kept.values())

    ws = synced.intercom.workspace
    victim = max(ws.conversations.values(), key=lambda c: c.id)
    owner = Ticket.objects.get(source="intercom", external_id=str(victim.id)).customer_id
    assert owner is not None
    synced.intercom.delete_conversation(victim.id)
    clock.advance(25 * HOUR)  # the next reconcile lists every id and marks it deleted
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    after = _kept()
    assert after[owner][1] == kept[owner][1] - 1
    assert after == _recomputed()
