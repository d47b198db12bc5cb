"""Links from a synced record to the same record in its own system (Zendesk, Intercom, Stripe,
Salesforce), for the customer timeline.

Built from settings and from what the sync stored, never from connector code (metrics does not
import connectors): the Zendesk URL, the Stripe key's mode, the Intercom region and workspace,
the Salesforce instance. A system we cannot address gives None rather than a guessed URL that
would open the wrong account.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings

from supportops.models import CustomerIdentity

STRIPE_DASHBOARD = "https://dashboard.stripe.com"
# Stripe's restricted and secret keys name their mode; test-mode objects live under /test/.
STRIPE_TEST_KEY_PREFIXES = ("sk_test_", "rk_test_")
# The Salesforce object behind each timeline kind (Lightning record pages need its name).
SALESFORCE_OBJECTS = {
    "opportunity_opened": "Opportunity",
    "opportunity_won": "Opportunity",
    "opportunity_lost": "Opportunity",
    "crm_task": "Task",
    "crm_event": "Event",
}
_STRIPE_PATHS = {
    "invoice_paid": "invoices",
    "invoice_failed": "invoices",
    "subscription_started": "subscriptions",
    "subscription_canceled": "subscriptions",
}
_TICKET_KINDS = frozenset({"ticket_opened", "ticket_replied", "ticket_solved"})


def _part(external_id: str) -> str:
    return quote(str(external_id), safe="")


def zendesk_ticket(ticket_id: str) -> str | None:
    """The agent view of a ticket: `{ZENDESK_URL}/agent/tickets/{id}` (ZENDESK_URL is the
    account's own host, e.g. https://acme.zendesk.com)."""
    base = (getattr(settings, "ZENDESK_URL", "") or "").rstrip("/")
    return f"{base}/agent/tickets/{_part(ticket_id)}" if base else None


def intercom_app_host() -> str:
    """The Inbox host of the workspace's region: api.eu.intercom.io → app.eu.intercom.com."""
    api_host = urlsplit(getattr(settings, "INTERCOM_URL", "") or "").hostname or ""
    for region in ("eu", "au"):
        if api_host == f"api.{region}.intercom.io":
            return f"https://app.{region}.intercom.com"
    return "https://app.intercom.com"


def intercom_app_id() -> str | None:
    """The workspace id the Inbox URL needs: INTERCOM_APP_ID, else the `app_id` Intercom sends
    on every company (kept in the company's `extra`). One query; None when neither is known."""
    configured = getattr(settings, "INTERCOM_APP_ID", "")
    if configured:
        return configured
    stored = (
        CustomerIdentity.objects.filter(source="intercom", extra__has_key="app_id")
        .order_by()
        .values_list("extra__app_id", flat=True)
        .first()
    )
    return str(stored) if stored else None


def intercom_conversation(conversation_id: str, app_id: str | None) -> str | None:
    """`https://app.intercom.com/a/inbox/{app_id}/inbox/conversation/{id}`; None without an app
    id, since the Inbox has no workspace-less conversation URL."""
    if not app_id:
        return None
    host = intercom_app_host()
    return f"{host}/a/inbox/{_part(app_id)}/inbox/conversation/{_part(conversation_id)}"


def stripe_dashboard(path: str, object_id: str) -> str:
    """`https://dashboard.stripe.com/{path}/{id}`, under /test/ when the key is a test key."""
    key = getattr(settings, "STRIPE_API_KEY", "") or ""
    mode = "/test" if key.startswith(STRIPE_TEST_KEY_PREFIXES) else ""
    return f"{STRIPE_DASHBOARD}{mode}/{path}/{_part(object_id)}"


def stripe_customer(customer_id: str) -> str:
    return stripe_dashboard("customers", customer_id)


def salesforce_instance() -> str | None:
    """The org's own host: SALESFORCE_INSTANCE_URL, else SALESFORCE_LOGIN_URL when that is a
    My Domain (…my.salesforce.com is the instance). login/test.salesforce.com are shared login
    hosts, not the org, and the instance URL the token call returns is not stored: None."""
    configured = (getattr(settings, "SALESFORCE_INSTANCE_URL", "") or "").rstrip("/")
    if configured:
        return configured
    login = (getattr(settings, "SALESFORCE_LOGIN_URL", "") or "").rstrip("/")
    host = urlsplit(login).hostname or ""
    return login if host.endswith(".my.salesforce.com") else None


def salesforce_record(sobject: str, record_id: str, instance: str | None) -> str | None:
    """The Lightning record page `{instance}/lightning/r/{Object}/{id}/view`."""
    if not instance:
        return None
    return f"{instance}/lightning/r/{sobject}/{_part(record_id)}/view"


class SourceLinks:
    """Link builder for one response: settings are read and the Intercom workspace looked up
    (lazily, at most once) per instance, not per event."""

    def __init__(self):
        self._intercom_app_id: str | None = None
        self._intercom_looked_up = False
        self._salesforce = salesforce_instance()

    def _intercom(self) -> str | None:
        if not self._intercom_looked_up:
            self._intercom_app_id, self._intercom_looked_up = intercom_app_id(), True
        return self._intercom_app_id

    def link(self, *, source: str, kind: str, external_id: str) -> str | None:
        """The record behind a timeline event (a reply links to its ticket), or None."""
        if not external_id:
            return None
        if kind in _TICKET_KINDS:
            if source == "zendesk":
                return zendesk_ticket(external_id)
            if source == "intercom":
                return intercom_conversation(external_id, self._intercom())
            return None
        if source == "stripe" and kind in _STRIPE_PATHS:
            return stripe_dashboard(_STRIPE_PATHS[kind], external_id)
        if source == "salesforce" and kind in SALESFORCE_OBJECTS:
            return salesforce_record(SALESFORCE_OBJECTS[kind], external_id, self._salesforce)
        return None
