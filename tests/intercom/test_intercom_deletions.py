"""Deletions found by reconciling every id (Intercom search has no tombstones)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
import requests

from connectors.intercom import connector as intercom_connector
from connectors.intercom import normalize
from connectors.intercom.reconcile import EVERYTHING
from connectors.sandbox.intercom import DEFAULT_TOKEN
from connectors.sync import sync_source
from metrics.cost import cost_for_month
from metrics.periods import Month
from supportops.models import Contact, CustomerIdentity, MetricSettings, SyncRun, SyncState, Ticket

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Intercom-Version": "2.11"}
HOUR = 3600


@pytest.fixture
def synced(intercom, known_customers, settings):
    """A first sync done (it reconciles too); deletions are looked for every 24 hours."""
    settings.INTERCOM_RECONCILE_HOURS = 24
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    intercom.intercom.searches.clear()
    intercom.requests.clear()
    return intercom


def _listings(server, route: str = "conversations") -> list[dict]:
    return [body for name, body in server.intercom.searches if name == route and _is_listing(body)]


def _is_listing(body: dict) -> bool:
    return body["query"] == EVERYTHING


def _deleted() -> set[str]:
    rows = Ticket.objects.filter(source="intercom", is_deleted=True)
    return set(rows.values_list("external_id", flat=True))


def _tickets_in(month: Month, clock) -> int:
    return cost_for_month(month=month, now=clock.now_at()).tickets


def _reconciled_at() -> int | None:
    return SyncState.objects.get(source="intercom", stream="deletions").cursor.get("reconciled_at")


def test_deleted_records_answer_404_not_found(intercom):
    ws = intercom.intercom.workspace
    conversation = next(iter(ws.conversations.values()))
    contact, company = ws.contacts[0], ws.companies[0]
    intercom.intercom.delete_conversation(conversation.id)
    intercom.intercom.delete_contact(contact.id)
    intercom.intercom.delete_company(company.id)
    base = f"{intercom.url}/intercom"
    for path in (
        f"/conversations/{conversation.id}",
        f"/contacts/{contact.id}",
        f"/companies/{company.id}",
    ):
        response = requests.get(base + path, headers=HEADERS, timeout=5)
        assert response.status_code == 404
        body = response.json()
        assert body["type"] == "error.list" and body["errors"][0]["code"] == "not_found"
    found = requests.get(base + f"/contacts/{ws.contacts[0].id}", headers=HEADERS, timeout=5)
    assert found.status_code == 200 and found.json()["id"] == ws.contacts[0].id
    listed = requests.post(base + "/conversations/search", json={}, headers=HEADERS, timeout=5)
    assert str(conversation.id) not in {c["id"] for c in listed.json()["conversations"]}
    assert all(c.company is not company for c in ws.contacts)


def test_deleted_conversation_is_marked_and_no_longer_counted(synced, clock):
    ws = synced.intercom.workspace
    victim = max(ws.conversations.values(), key=lambda c: c.id)
    ticket = Ticket.objects.get(source="intercom", external_id=str(victim.id))
    month = Month.containing(ticket.created_at, ZoneInfo(MetricSettings.load().reporting_timezone))
    before = _tickets_in(month, clock)
    synced.intercom.delete_conversation(victim.id)

    clock.advance(25 * HOUR)
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _deleted() == {str(victim.id)}
    assert _tickets_in(month, clock) == before - 1
    pages = -(-len(ws.conversations) // 25)
    assert len(_listings(synced)) == pages > 1
    assert not [r for r in synced.requests if r.method == "GET" and "/conversations/" in r.path]
    assert _reconciled_at() == int(clock())

    # It comes back (restored and changed in Intercom): the normal upsert un-deletes it.
    ws.conversations[victim.id] = victim
    synced.intercom.add_part(victim.id, at=int(clock()), body="<p>Back again</p>")
    clock.advance(HOUR)
    assert sync_source(source="intercom").status == SyncRun.Status.SUCCEEDED
    assert _deleted() == set()
    assert _tickets_in(month, clock) == before


def test_failure_mid_listing_marks_nothing(synced, clock):
    ws = synced.intercom.workspace
    victim = next(iter(ws.conversations))
    person = ws.contacts[0]
    synced.intercom.delete_conversation(victim)
    synced.intercom.delete_contact(person.id)
    reconciled = _reconciled_at()

    clock.advance(25 * HOUR)
    # One page for the (empty) incremental window, the first listing page, then 500 for good.
    synced.intercom.searches.clear()
    synced.faults.add("conversations", kind="fail_after_pages", pages=2)
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.FAILED
    assert "HTTP 500" in run.error
    assert len(_listings(synced)) == 1  # the page served; the failing one is not recorded
    assert _deleted() == set()
    assert Contact.objects.get(source="intercom", external_id=person.id).is_active
    assert _reconciled_at() == reconciled

    synced.faults.clear()
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert _deleted() == {str(victim)}
    assert not Contact.objects.get(source="intercom", external_id=person.id).is_active


def test_reconciles_at_most_every_interval_and_always_on_full(synced, clock, settings):
    ws = synced.intercom.workspace
    first = _reconciled_at()
    assert first == int(clock())

    clock.advance(23 * HOUR)
    assert sync_source(source="intercom").status == SyncRun.Status.SUCCEEDED
    assert _listings(synced) == [] and _listings(synced, "contacts") == []
    assert _reconciled_at() == first

    full = sync_source(source="intercom", full=True)
    assert full.status == SyncRun.Status.SUCCEEDED, full.error
    pages = -(-len(ws.conversations) // 25)
    assert len(_listings(synced)) == pages
    assert len(_listings(synced, "contacts")) == -(-len(ws.contacts) // 25)
    assert _reconciled_at() == int(clock())

    synced.intercom.searches.clear()
    settings.INTERCOM_RECONCILE_HOURS = 1
    clock.advance(HOUR)
    assert sync_source(source="intercom").status == SyncRun.Status.SUCCEEDED
    assert len(_listings(synced)) == pages


def test_deleted_contact_becomes_inactive_and_company_deleted(synced, clock):
    ws = synced.intercom.workspace
    person = next(c for c in ws.contacts if c.company is not None)
    gone = next(c for c in ws.companies if c is not person.company)
    synced.intercom.delete_contact(person.id)
    synced.intercom.delete_company(gone.id)

    clock.advance(HOUR)  # within the interval: the company scroll is whole on every run anyway
    assert sync_source(source="intercom").status == SyncRun.Status.SUCCEEDED
    identities = CustomerIdentity.objects.filter(source="intercom", is_deleted=True)
    assert set(identities.values_list("external_id", flat=True)) == {gone.id}
    assert Contact.objects.get(source="intercom", external_id=person.id).is_active

    clock.advance(24 * HOUR)
    assert sync_source(source="intercom").status == SyncRun.Status.SUCCEEDED
    inactive = Contact.objects.filter(source="intercom", is_active=False)
    assert set(inactive.values_list("external_id", flat=True)) == {person.id}
    assert not Contact.objects.filter(source="intercom", role="admin", is_active=False).exists()
    assert _deleted() == set()


def test_conversation_created_during_the_listing_is_not_marked(synced, clock, monkeypatch):
    """Written locally while the listing ran, but not in it (index lag, or behind the cursor)."""
    ws = synced.intercom.workspace
    victim = next(iter(ws.conversations))
    synced.intercom.delete_conversation(victim)
    contact = ws.contacts[0].id
    created: list[str] = []
    make_client = intercom_connector.client

    def client():
        real = make_client()
        post_json = real.post_json

        def post_and_meanwhile(path, body):
            page = post_json(path, body)
            last = not (page.get("pages") or {}).get("next")
            if path == "/conversations/search" and _is_listing(body) and last and not created:
                now = int(clock())
                for at in (now, now - 30 * 86_400):  # new, and one sorted behind the cursor
                    new = synced.intercom.add_conversation(contact_id=contact, at=at)
                    raw = real.get_json(f"/conversations/{new.id}")
                    intercom_connector._write_conversations(normalize.conversation(raw))
                    created.append(str(new.id))
            return page

        real.post_json = post_and_meanwhile
        return real

    monkeypatch.setattr(intercom_connector, "client", client)
    clock.advance(25 * HOUR)
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert len(created) == 2
    assert Ticket.objects.filter(source="intercom", external_id__in=created).count() == 2
    assert _deleted() == {str(victim)}


def test_an_empty_listing_marks_nothing(synced, clock):
    ws = synced.intercom.workspace
    for conversation_id in list(ws.conversations):
        synced.intercom.delete_conversation(conversation_id)
    clock.advance(25 * HOUR)

    run = sync_source(source="intercom")

    assert run.status == SyncRun.Status.FAILED
    assert "listed no conversations while some are stored" in run.error
    assert _deleted() == set()
