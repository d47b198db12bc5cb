"""Bad vendor records through a real Zendesk sync (sandbox over HTTP): a record of the wrong
shape fails its page with a message naming the record and the field, writing none of the page;
a NUL in vendor text is stored as U+FFFD (PostgreSQL refuses a NUL in text and jsonb)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connectors.sandbox import SandboxServer, build_company, zendesk_json
from connectors.sync import sync_source
from supportops.models import Interaction, SyncRun, Ticket
from tests.zendesk_settings import zendesk_sandbox_settings

pytestmark = pytest.mark.django_db

END_AT = datetime(2025, 11, 28, 12, tzinfo=UTC)


@pytest.fixture
def company():
    return build_company(seed=7, customers=5, months=2, end_at=END_AT)


@pytest.fixture
def zendesk(settings, company):
    with SandboxServer(company) as server:
        zendesk_sandbox_settings(settings, server.url, retries=1)
        yield server


def _rendering(monkeypatch, name, ticket_id, change):
    render = getattr(zendesk_json, name)

    def changed(ticket, *args):
        body = render(ticket, *args)
        return change(body) if ticket.id == ticket_id else body

    monkeypatch.setattr(zendesk_json, name, changed)


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        (lambda t: {k: v for k, v in t.items() if k != "created_at"}, "created_at", "KeyError"),
        (lambda t: t | {"created_at": 1700000000}, "created_at", "AttributeError"),
        (lambda t: t | {"custom_fields": [{"value": "x"}]}, "custom_fields[0].id", "KeyError"),
        (lambda t: t | {"tags": 7}, "tags", "TypeError"),
    ],
    ids=["missing", "number-for-time", "field-without-id", "number-for-list"],
)
def test_a_bad_ticket_fails_its_page_naming_the_field(
    zendesk, company, monkeypatch, change, field, error
):
    bad = next(iter(company.tickets))
    _rendering(monkeypatch, "ticket", bad, change)

    run = sync_source(source="zendesk")

    assert run.status == SyncRun.Status.FAILED
    assert f"zendesk ticket {bad} is malformed at field '{field}' ({error}: " in run.error
    assert not Ticket.objects.exists()  # the page (every ticket) is written or none of it


def test_a_nul_in_vendor_text_is_stored_as_a_replacement_character(zendesk, company, monkeypatch):
    ticket = next(iter(company.tickets.values()))
    _rendering(monkeypatch, "ticket", ticket.id, lambda t: t | {"subject": "Log\x00in fails"})
    comment = ticket.comments[0]
    comment.body = "Hello\x00 there"

    run = sync_source(source="zendesk")

    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Ticket.objects.get(external_id=str(ticket.id)).subject == "Log\ufffdin fails"
    assert Interaction.objects.get(external_id=str(comment.id)).body.startswith("Hello\ufffd")
    assert Ticket.objects.count() == len(company.tickets)
