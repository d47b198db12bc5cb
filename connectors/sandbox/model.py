"""The synthetic business, as plain records every vendor sandbox derives its payloads from.

Records hold business facts (who, what, when) and the ids each vendor needs; the wire formats live
in the vendor modules. Mutators bump the change clock so incremental exports see the change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(slots=True)
class Contact:
    user_id: int  # Zendesk user id
    name: str
    email: str
    customer_index: int
    created_at: datetime
    updated_at: datetime
    time_zone: str


@dataclass(slots=True)
class Customer:
    index: int
    account_id: str  # the product's own account key, shared by billing and usage
    name: str
    domain: str
    plan: str  # free | starter | pro | enterprise: the plan now (see converted_at)
    region: str  # amer | emea | apac
    signed_up_at: datetime
    churned_at: datetime | None
    seats: int
    org_id: int  # Zendesk organization id
    org_external_id: str | None  # None for ~10%: identity must fall back to the email domain
    org_updated_at: datetime
    contacts: list[Contact] = field(default_factory=list)
    # When a customer that signed up on the free plan started paying for `plan`; None when it has
    # been on `plan` since signing up.
    converted_at: datetime | None = None

    def plan_at(self, at: datetime) -> str:
        """The plan at `at`: free before a conversion, `plan` from it on."""
        return "free" if self.converted_at is not None and at < self.converted_at else self.plan

    @property
    def paid_from(self) -> datetime | None:
        """When the customer started on its paid plan; None for free ones."""
        if self.plan == "free":
            return None
        return self.converted_at or self.signed_up_at


@dataclass(slots=True)
class Agent:
    user_id: int
    name: str
    email: str
    role: str  # agent | admin
    created_at: datetime
    updated_at: datetime
    time_zone: str


@dataclass(slots=True)
class Comment:
    id: int
    ticket_id: int
    author_id: int
    body: str
    public: bool
    created_at: datetime

    @property
    def audit_id(self) -> int:
        return self.id + AUDIT_ID_OFFSET


@dataclass(slots=True)
class Ticket:
    id: int
    customer_index: int
    organization_id: int
    requester_id: int
    submitter_id: int
    assignee_id: int | None
    group_id: int
    channel: str  # email | web | api | chat | voice
    subject: str
    description: str
    status: str  # new | open | pending | hold | solved | closed
    priority: str | None
    type: str | None
    product: str  # api | dashboard | billing | mobile | integrations
    region: str | None  # the "Region" custom field: only set on recent tickets (schema drift)
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    generated_at: datetime  # Zendesk's generated_timestamp: bumped by any change, even system ones
    first_reply_at: datetime | None = None
    solved_at: datetime | None = None
    reopens: int = 0
    problem_id: int | None = None
    has_incidents: bool = False
    satisfaction: str | None = None  # None (not offered) | offered | good | bad
    satisfaction_comment: str = ""
    deleted_at: datetime | None = None
    comments: list[Comment] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None


AUDIT_ID_OFFSET = 1_000_000_000_000
SATISFACTION_ID_OFFSET = 2_000_000_000_000
PRODUCT_FIELD_ID = 360001
REGION_FIELD_ID = 360099


@dataclass
class Company:
    seed: int
    start_at: datetime
    end_at: datetime
    region_field_since: datetime  # tickets created from here on carry the Region field
    customers: list[Customer]
    agents: list[Agent]
    tickets: dict[int, Ticket]
    groups: dict[int, str]
    next_comment_id: int
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)
    version: int = 0  # bumped by every mutation, so readers can cache sorted indexes

    @property
    def contacts(self) -> list[Contact]:
        return [contact for customer in self.customers for contact in customer.contacts]

    def customer_for_org(self, org_id: int) -> Customer:
        return self.customers[org_id - self.customers[0].org_id]

    def touch_ticket(self, ticket_id: int, at: datetime) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket.updated_at = ticket.generated_at = at
            self.version += 1

    def touch_organization(self, customer_index: int, at: datetime) -> None:
        with self.lock:
            self.customers[customer_index].org_updated_at = at
            self.version += 1

    def delete_ticket(self, ticket_id: int, at: datetime) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket.deleted_at = ticket.updated_at = ticket.generated_at = at
            self.version += 1

    def add_comment(
        self, ticket_id: int, *, author_id: int, body: str, public: bool, at: datetime
    ) -> Comment:
        with self.lock:
            ticket = self.tickets[ticket_id]
            comment = Comment(self.next_comment_id, ticket_id, author_id, body, public, at)
            self.next_comment_id += 1
            ticket.comments.append(comment)
            ticket.updated_at = ticket.generated_at = at
            if public and ticket.first_reply_at is None and author_id != ticket.requester_id:
                ticket.first_reply_at = at
            self.version += 1
            return comment

    def add_ticket(
        self,
        *,
        customer_index: int,
        subject: str,
        at: datetime,
        description: str | None = None,
        product: str = "api",
        channel: str = "web",
        status: str = "new",
        priority: str | None = "normal",
        type: str | None = "question",
        tags: list[str] | None = None,
    ) -> int:
        """Open a ticket from the customer's first contact; returns the new ticket id."""
        with self.lock:
            customer = self.customers[customer_index]
            requester = customer.contacts[0]
            ticket_id = max(self.tickets) + 1 if self.tickets else 1
            body = description if description is not None else subject
            self.tickets[ticket_id] = Ticket(
                id=ticket_id,
                customer_index=customer_index,
                organization_id=customer.org_id,
                requester_id=requester.user_id,
                submitter_id=requester.user_id,
                assignee_id=None,
                group_id=min(self.groups),
                channel=channel,
                subject=subject,
                description=body,
                status=status,
                priority=priority,
                type=type,
                product=product,
                region=customer.region if at >= self.region_field_since else None,
                tags=list(tags) if tags is not None else [f"product_{product}"],
                created_at=at,
                updated_at=at,
                generated_at=at,
            )
            self.version += 1
            self.add_comment(ticket_id, author_id=requester.user_id, body=body, public=True, at=at)
            return ticket_id
