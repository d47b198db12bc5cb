"""What the Intercom sync does when the vendor misbehaves: rate limits, 5xx, bad bodies, crashes."""

from __future__ import annotations

import requests

from connectors.sandbox.intercom import DEFAULT_TOKEN
from connectors.sync import sync_source
from supportops.models import Contact, CustomerIdentity, Interaction, SyncRun, SyncState, Ticket

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Intercom-Version": "2.11"}
SEARCH = "/intercom/conversations/search"


def _snapshot() -> dict:
    return {
        "tickets": sorted(
            Ticket.objects.filter(source="intercom").values_list(
                "external_id", "status", "created_at", "updated_at", "solved_at",
                "requester_external_id", "organization_external_id", "customer_id",
            )
        ),
        "interactions": sorted(
            Interaction.objects.filter(source="intercom").values_list(
                "external_id", "ticket__external_id", "author_role", "is_public", "created_at"
            )
        ),
        "contacts": sorted(
            Contact.objects.filter(source="intercom").values_list(
                "external_id", "role", "customer_id"
            )
        ),
        "companies": sorted(
            CustomerIdentity.objects.filter(source="intercom").values_list(
                "external_id", "customer_id"
            )
        ),
    }  # fmt: skip


def _forget_intercom() -> None:
    for model in (Interaction, Ticket, Contact, CustomerIdentity, SyncState):
        model.objects.filter(source="intercom").delete()


def _updated_order(workspace) -> list:
    return sorted(workspace.conversations.values(), key=lambda c: (c.updated_at, c.id))


def test_rate_limited_responses_carry_budget_headers_then_sync_succeeds(intercom, known_customers):
    intercom.faults.add("conversation", status=429, retry_after=None)
    refused = requests.get(f"{intercom.url}/intercom/conversations/1", headers=HEADERS, timeout=5)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "rate_limit_exceeded"
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(
        refused.headers
    )

    intercom.faults.add("conversation", status=429, times=2, retry_after=None)
    intercom.faults.add("conversations", status=429, times=1, retry_after=None)
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert not intercom.faults.pending
    assert Ticket.objects.filter(source="intercom").count() == len(
        intercom.intercom.workspace.conversations
    )


def test_client_throttles_on_a_tight_budget_instead_of_being_refused(
    intercom, known_customers, slept
):
    intercom.intercom.rate_limit = 10  # requests per 10-second window
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert slept and max(slept) <= 10
    assert Ticket.objects.filter(source="intercom").count() == len(
        intercom.intercom.workspace.conversations
    )


def test_server_errors_are_retried(intercom, known_customers):
    intercom.faults.add("conversations", status=500, times=2)
    intercom.faults.add("conversation", status=503, times=2, retry_after=None)
    intercom.faults.add("companies", status=502)
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    assert Ticket.objects.filter(source="intercom").count() == len(
        intercom.intercom.workspace.conversations
    )


def test_truncated_body_fails_clearly_and_writes_nothing_of_its_page(intercom, known_customers):
    ws = intercom.intercom.workspace
    ordered = _updated_order(ws)
    top = max(ws.conversations)
    victim = next(c for c in ordered[25:50] if c.id * 10 > top)  # a unique path substring
    intercom.faults.add(f"/conversations/{victim.id}", kind="truncate", times=50)

    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.FAILED
    assert "not valid JSON" in run.error and f"/conversations/{victim.id}" in run.error
    synced = set(Ticket.objects.filter(source="intercom").values_list("external_id", flat=True))
    assert synced == {str(c.id) for c in ordered[:25]}
    assert not Interaction.objects.filter(ticket_external_id__in=[str(c.id) for c in ordered[25:]])
    state = SyncState.objects.get(source="intercom", stream="conversations").cursor
    assert set(state) == {"since", "until", "starting_after"}


def test_page_without_its_list_fails_clearly(intercom, known_customers):
    intercom.faults.add("conversations", kind="malformed", mode="missing_key")
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.FAILED
    assert "has no 'conversations' list" in run.error
    assert not Ticket.objects.filter(source="intercom").exists()


def test_bad_token_fails_with_a_clear_reason(intercom, settings):
    settings.INTERCOM_TOKEN = "wrong"
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.FAILED
    assert "intercom refused our credentials (HTTP 401" in run.error
    assert "Access Token Invalid" in run.error


def test_a_live_scroll_elsewhere_is_reported(intercom, known_customers):
    started = requests.get(f"{intercom.url}/intercom/companies/scroll", headers=HEADERS, timeout=5)
    assert started.status_code == 200
    run = sync_source(source="intercom")
    assert run.status == SyncRun.Status.FAILED
    assert "one scroll per workspace" in run.error


def test_crash_mid_window_then_resume_matches_a_clean_sync(intercom, known_customers):
    clean = sync_source(source="intercom")
    assert clean.status == SyncRun.Status.SUCCEEDED, clean.error
    expected = _snapshot()
    _forget_intercom()
    intercom.intercom.searches.clear()

    intercom.faults.add("conversations", kind="fail_after_pages", pages=2)
    crashed = sync_source(source="intercom")
    assert crashed.status == SyncRun.Status.FAILED
    state = SyncState.objects.get(source="intercom", stream="conversations").cursor
    assert state["starting_after"] and Ticket.objects.filter(source="intercom").count() == 50

    intercom.faults.clear()
    intercom.intercom.searches.clear()
    resumed = sync_source(source="intercom")
    assert resumed.status == SyncRun.Status.SUCCEEDED, resumed.error
    first = next(body for name, body in intercom.intercom.searches if name == "conversations")
    assert first["pagination"]["starting_after"] == state["starting_after"]
    assert first["query"]["value"][1]["value"] == state["until"]
    assert resumed.counts["conversations"] < clean.counts["conversations"]
    assert _snapshot() == expected
