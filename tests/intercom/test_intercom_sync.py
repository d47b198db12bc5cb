"""Intercom sync end to end against the sandbox: what lands in the database, and how it pages."""

from __future__ import annotations

from collections import Counter

from connectors.intercom.reconcile import EVERYTHING
from connectors.sync import sync_source
from supportops.models import Contact, CustomerIdentity, Interaction, SyncRun, SyncState, Ticket
from supportops.models.customers import MatchMethod


def _expected_messages(workspace) -> Counter:
    """(role, public) of every message the sandbox holds, counted from its own records."""
    roles = {"admin": "agent", "bot": "system", "user": "customer", "lead": "customer"}
    counts: Counter = Counter()
    for conversation in workspace.conversations.values():
        counts[(roles[conversation.author_type], True)] += 1
        for part in conversation.parts:
            if part.part_type in ("comment", "note"):
                counts[(roles[part.author_type], part.part_type == "comment")] += 1
    return counts


def test_first_sync_reads_everything_across_pages(intercom, known_customers):
    ws = intercom.intercom.workspace
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error

    assert Ticket.objects.filter(source="intercom").count() == len(ws.conversations)
    assert Contact.objects.filter(source="intercom").exclude(role="admin").count() == len(
        ws.contacts
    )
    assert CustomerIdentity.objects.filter(source="intercom").count() == len(ws.companies)
    pages = -(-len(ws.conversations) // 25)
    searches = [body for name, body in intercom.intercom.searches if name == "conversations"]
    windows = [body for body in searches if body["query"] != EVERYTHING]
    assert len(windows) == pages > 2
    assert all(body["pagination"]["per_page"] == 25 for body in windows)
    assert "starting_after" not in windows[0]["pagination"]
    assert all("starting_after" in body["pagination"] for body in windows[1:])
    # A first sync also lists every id for deletions: the same pages again, no GET per id.
    assert len(searches) == 2 * pages
    assert len(intercom.requests.matching("/intercom/conversations/")) == (
        2 * pages + len(ws.conversations)
    )
    assert run.counts["conversations"] > len(ws.conversations)  # tickets + messages + admins

    got = Counter(
        Interaction.objects.filter(source="intercom").values_list("author_role", "is_public")
    )
    assert got == _expected_messages(ws)
    assert not Interaction.objects.filter(source="intercom", ticket__isnull=True).exists()
    state = SyncState.objects.get(source="intercom", stream="conversations").cursor
    assert state == {"since": int(intercom.clock()) - 60}


def test_tickets_are_chats_with_requester_and_customer(intercom, known_customers):
    ws = intercom.intercom.workspace
    sync_source(source="intercom")
    closed = next(c for c in ws.conversations.values() if c.state == "closed")
    ticket = Ticket.objects.get(source="intercom", external_id=str(closed.id))
    assert ticket.channel == "chat" and ticket.status == "closed"
    close = [p for p in closed.parts if p.part_type == "close"][-1]
    assert int(ticket.solved_at.timestamp()) == close.created_at
    assert int(ticket.updated_at.timestamp()) == closed.updated_at
    assert ticket.requester.external_id == closed.contact.id
    if closed.contact.company is not None:
        assert ticket.organization_external_id == closed.contact.company.id
        assert ticket.customer == known_customers[closed.contact.company.customer.account_id]
    assert ticket.extra["statistics"]["count_conversation_parts"] == len(closed.parts)
    assert not Ticket.objects.filter(source="intercom", status="open", solved_at__isnull=False)
    assert not Ticket.objects.filter(source="intercom", customer__isnull=True).exists()


def test_admins_who_wrote_become_admin_contacts(intercom, known_customers):
    ws = intercom.intercom.workspace
    sync_source(source="intercom")
    writers = {
        p.author_id for c in ws.conversations.values() for p in c.parts if p.author_type == "admin"
    }
    admins = Contact.objects.filter(source="intercom", role="admin")
    assert set(admins.values_list("external_id", flat=True)) == writers
    assert all(a.customer_id is None and a.email for a in admins)
    agent_messages = Interaction.objects.filter(source="intercom", author_role="agent")
    assert set(agent_messages.values_list("author_external_id", flat=True)) <= writers


def test_companies_link_by_company_id_and_by_domain(intercom, known_customers, company):
    ws = intercom.intercom.workspace
    sync_source(source="intercom")
    without_key = [c for c in ws.companies if c.company_id is None]
    assert without_key and len(without_key) < len(ws.companies)
    for ic in ws.companies:
        identity = CustomerIdentity.objects.get(source="intercom", external_id=ic.id)
        assert identity.customer == known_customers[ic.customer.account_id]
        expected = MatchMethod.DOMAIN if ic.company_id is None else MatchMethod.EXPLICIT
        assert identity.match_method == expected
        assert identity.domains == [ic.customer.domain]
    leads = [c for c in ws.contacts if c.role == "lead"]
    owner = {str(p.user_id): c.account_id for c in company.customers for p in c.contacts}
    assert leads
    for lead in leads:
        row = Contact.objects.get(source="intercom", external_id=lead.id)
        assert row.organization_external_id == ""
        assert row.customer == known_customers[owner[lead.external_id]]  # by email domain


def test_second_sync_reads_only_the_new_window(intercom, known_customers, clock):
    ws = intercom.intercom.workspace
    sync_source(source="intercom")
    first_until = int(clock()) - 60
    intercom.intercom.searches.clear()
    intercom.requests.clear()

    clock.advance(600)
    chatty = next(c for c in ws.conversations.values() if c.state == "closed")
    quiet = next(c for c in ws.conversations.values() if c.id != chatty.id)
    part = intercom.intercom.add_part(chatty.id, at=first_until + 120, body="<p>Reopening</p>")
    note = intercom.intercom.add_part(
        chatty.id, at=first_until + 180, part_type="note", author_type="admin", body="<p>n</p>"
    )
    before = Ticket.objects.get(source="intercom", external_id=str(quiet.id)).synced_at

    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    searches = [body for name, body in intercom.intercom.searches if name == "conversations"]
    assert len(searches) == 1
    window = searches[0]["query"]["value"]
    assert window[0]["value"][0] == {"field": "updated_at", "operator": ">", "value": first_until}
    assert window[1] == {"field": "updated_at", "operator": "<", "value": int(clock()) - 60}
    details = intercom.requests.matching("/intercom/conversations/")
    assert [r.path for r in details if r.method == "GET"] == [
        f"/intercom/conversations/{chatty.id}"
    ]
    messages = [p for p in chatty.parts if p.part_type in ("comment", "note")]
    admins = {p.author_id for p in chatty.parts if p.author_type == "admin"}
    assert run.counts["conversations"] == 1 + 1 + len(messages) + len(admins)

    ticket = Ticket.objects.get(source="intercom", external_id=str(chatty.id))
    assert ticket.status == "open" and ticket.solved_at is None
    reply = Interaction.objects.get(source="intercom", external_id=str(part.id))
    assert (reply.author_role, reply.is_public) == ("customer", True)
    internal = Interaction.objects.get(source="intercom", external_id=str(note.id))
    assert (internal.author_role, internal.is_public) == ("agent", False)
    assert Ticket.objects.get(source="intercom", external_id=str(quiet.id)).synced_at == before


def test_reopens_are_stored_from_the_statistics(intercom, known_customers):
    ws = intercom.intercom.workspace
    closed = next(c for c in ws.conversations.values() if c.state == "closed")
    ws.add_part(closed.id, at=closed.updated_at + 1, part_type="open")
    ws.add_part(closed.id, at=closed.updated_at + 2, part_type="close", author_type="admin")
    sync_source(source="intercom")
    stored = dict(Ticket.objects.filter(source="intercom").values_list("external_id", "reopens"))
    closes = {
        str(c.id): sum(p.part_type == "close" for p in c.parts) for c in ws.conversations.values()
    }
    assert stored == {ext: max(0, n - 1) for ext, n in closes.items()}
    assert stored[str(closed.id)] == closes[str(closed.id)] - 1 >= 1
    assert set(Ticket.objects.filter(source="intercom").values_list("form_id", flat=True)) == {""}
