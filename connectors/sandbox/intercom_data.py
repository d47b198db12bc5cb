"""The Intercom workspace of the synthetic company: companies, contacts, admins, chat conversations.

Derived deterministically from a ``Company`` (its own ``random.Random`` seeded from the company
seed), so the same company always gives the same workspace, and every Intercom company, contact
and conversation points back at a customer the other sandboxes know too.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import vocab
from .model import Company, Customer

CONVERSATIONS_PER_CUSTOMER_MONTH = 0.5
# Chats per customer by plan at the time: like tickets, mostly from the big accounts.
PLAN_WEIGHT = {"free": 0.3, "starter": 0.3, "pro": 1.0, "enterprise": 12.0}
ADMIN_ID_BASE = 991_267_700
BOT_ID = "991267699"
FIRST_PART_ID = 1_000_000_001
SOURCE_ID_BASE = 403_000_000
DAY = 86_400


@dataclass(slots=True)
class IcCompany:
    id: str
    company_id: str | None  # the product's account id; None for some (domain matching needed)
    customer: Customer


@dataclass(slots=True)
class IcContact:
    id: str
    external_id: str
    role: str  # user | lead
    name: str
    email: str
    company: IcCompany | None  # leads have no company
    created_at: int
    updated_at: int


@dataclass(slots=True)
class IcAdmin:
    id: str
    name: str
    email: str


@dataclass(slots=True)
class Part:
    id: int
    part_type: str  # comment | note | assignment | close | open
    author_type: str  # admin | bot | user | lead
    author_id: str
    body: str | None
    created_at: int


@dataclass(slots=True)
class Conversation:
    id: int
    contact: IcContact
    created_at: int
    updated_at: int
    delivered_as: str  # customer_initiated | admin_initiated
    author_type: str  # of the opening message: user | lead | admin
    author_id: str
    subject: str
    body: str
    admin_id: str
    state: str = "open"  # open | closed | snoozed
    snoozed_until: int | None = None
    priority: str = "not_priority"
    tags: list[str] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)

    @property
    def source_id(self) -> int:
        return SOURCE_ID_BASE + self.id


@dataclass
class Workspace:
    companies: list[IcCompany]
    contacts: list[IcContact]
    admins: list[IcAdmin]
    conversations: dict[int, Conversation]
    next_part_id: int
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def contact(self, contact_id: str) -> IcContact | None:
        return next((c for c in self.contacts if c.id == contact_id), None)

    def company(self, company_id: str) -> IcCompany | None:
        return next((c for c in self.companies if c.id == company_id), None)

    def admin(self, admin_id: str) -> IcAdmin | None:
        return next((a for a in self.admins if a.id == admin_id), None)

    def add_part(
        self,
        conversation_id: int,
        *,
        at: datetime | int,
        part_type: str = "comment",
        author_type: str = "user",
        author_id: str | None = None,
        body: str | None = "<p>Any news?</p>",
    ) -> Part:
        """Append a part (comment, note, close, ...); the conversation's updated_at moves to it."""
        with self.lock:
            conversation = self.conversations[conversation_id]
            if author_id is None:
                own = author_type in ("user", "lead")
                author_id = conversation.contact.id if own else conversation.admin_id
            at = ts(at)
            part = Part(self.next_part_id, part_type, author_type, author_id, body, at)
            self.next_part_id += 1
            conversation.parts.append(part)
            conversation.updated_at = max(conversation.updated_at, at)
            if part_type == "close":
                conversation.state = "closed"
            elif part_type == "open" or (part_type == "comment" and author_type != "admin"):
                conversation.state = "open"
            return part

    def update_conversation(
        self,
        conversation_id: int,
        *,
        at: datetime | int,
        state: str | None = None,
        priority: str | None = None,
    ) -> Conversation:
        """Change attributes without a message (snooze, priority); updated_at moves to ``at``."""
        at = ts(at)
        with self.lock:
            conversation = self.conversations[conversation_id]
            if state is not None:
                conversation.state = state
                conversation.snoozed_until = at + DAY if state == "snoozed" else None
            if priority is not None:
                conversation.priority = priority
            conversation.updated_at = max(conversation.updated_at, at)
            return conversation

    def add_conversation(
        self, *, contact_id: str, at: datetime | int, body: str = "<p>Hello?</p>"
    ) -> Conversation:
        """A new customer-initiated conversation from a contact, with no parts yet."""
        at = ts(at)
        with self.lock:
            contact = self.contact(contact_id)
            if contact is None:
                raise KeyError(contact_id)
            conversation = Conversation(
                id=max(self.conversations, default=0) + 1,
                contact=contact,
                created_at=at,
                updated_at=at,
                delivered_as="customer_initiated",
                author_type=contact.role,
                author_id=contact.id,
                subject="",
                body=body,
                admin_id=self.admins[0].id,
            )
            self.conversations[conversation.id] = conversation
            return conversation

    # Deletions leave no tombstone: the record is gone from search, list, scroll and GET.

    def delete_conversation(self, conversation_id: int) -> Conversation:
        with self.lock:
            return self.conversations.pop(conversation_id)

    def delete_contact(self, contact_id: str) -> IcContact:
        with self.lock:
            contact = self.contact(contact_id)
            if contact is None:
                raise KeyError(contact_id)
            self.contacts.remove(contact)
            return contact

    def delete_company(self, company_id: str) -> IcCompany:
        """Remove a company; its contacts stay, no longer attached to it."""
        with self.lock:
            company = self.company(company_id)
            if company is None:
                raise KeyError(company_id)
            self.companies.remove(company)
            for contact in self.contacts:
                if contact.company is company:
                    contact.company = None
            return company


def build_workspace(company: Company) -> Workspace:
    rng = random.Random(company.seed * 7919 + 11)
    admins = [
        IcAdmin(str(ADMIN_ID_BASE + i), agent.name, agent.email)
        for i, agent in enumerate(company.agents)
    ]
    companies, contacts = [], []
    by_customer: dict[int, list[IcContact]] = {}
    for customer in company.customers:
        ic_company = IcCompany(
            id=f"{customer.org_id:024x}",
            company_id=None if rng.random() < 0.15 else customer.account_id,
            customer=customer,
        )
        companies.append(ic_company)
        for person in customer.contacts:
            lead = rng.random() < 0.1
            contact = IcContact(
                id=f"{person.user_id:024x}",
                external_id=str(person.user_id),
                role="lead" if lead else "user",
                name=person.name,
                email=person.email,
                company=None if lead else ic_company,
                created_at=int(person.created_at.timestamp()),
                updated_at=int(person.updated_at.timestamp()),
            )
            contacts.append(contact)
            by_customer.setdefault(customer.index, []).append(contact)
    workspace = Workspace(companies, contacts, admins, {}, FIRST_PART_ID)
    _conversations(rng, company, workspace, by_customer)
    return workspace


def _conversations(
    rng: random.Random, company: Company, workspace: Workspace, by_customer: dict
) -> None:
    start, end = int(company.start_at.timestamp()), int(company.end_at.timestamp())
    months = max(1, round((end - start) / (30.4 * DAY)))
    chatty = [c for c in company.customers if c.plan != "free" or rng.random() < 0.5]
    total = round(len(company.customers) * months * CONVERSATIONS_PER_CUSTOMER_MONTH)
    for _ in range(total):
        created = rng.randint(start, end - 600)
        active = [c for c in chatty if _active(c, created) and by_customer.get(c.index)]
        if not active:
            continue
        at = datetime.fromtimestamp(created, UTC)
        customer = rng.choices(active, [PLAN_WEIGHT[c.plan_at(at)] for c in active])[0]
        people = [p for p in by_customer[customer.index] if p.created_at <= created]
        contact = rng.choice(people or by_customer[customer.index])
        conversation_id = len(workspace.conversations) + 1
        workspace.conversations[conversation_id] = _live(
            rng, workspace, conversation_id, contact, created, end
        )


def _active(customer: Customer, at: int) -> bool:
    signed = customer.signed_up_at.timestamp() <= at
    return signed and (customer.churned_at is None or customer.churned_at.timestamp() > at)


def _live(
    rng: random.Random,
    ws: Workspace,
    conversation_id: int,
    contact: IcContact,
    created: int,
    end: int,
) -> Conversation:
    """Play one chat forward: bot greeting, assignment, replies, notes, close or snooze."""
    admin = rng.choice(ws.admins)
    outbound = rng.random() < 0.1
    product = rng.choice([value for value, _, _ in vocab.PRODUCTS])
    subject = rng.choice(vocab.SUBJECTS[product])
    conversation = Conversation(
        id=conversation_id,
        contact=contact,
        created_at=created,
        updated_at=created,
        delivered_as="admin_initiated" if outbound else "customer_initiated",
        author_type="admin" if outbound else contact.role,
        author_id=admin.id if outbound else contact.id,
        subject="",
        body=f"<p>{rng.choice(vocab.REQUESTER_OPENERS).format(subject=subject)}</p>",
        admin_id=admin.id,
        priority="priority" if rng.random() < 0.1 else "not_priority",
        tags=[f"product_{product}"],
    )

    def add(*part) -> None:
        _append(ws, conversation, *part)

    if not outbound and rng.random() < 0.3:
        add(created + 5, "comment", "bot", BOT_ID, "<p>Thanks! The team will reply shortly.</p>")
    reply_at = created + rng.randint(60, 1800)
    if reply_at > end:
        return conversation
    add(reply_at - 30, "assignment", "admin", admin.id, None)
    add(reply_at, "comment", "admin", admin.id, f"<p>{vocab.AGENT_REPLIES[0]}</p>")
    last = reply_at
    for _ in range(rng.randint(0, 4)):
        last = min(end, last + rng.randint(60, 6 * 3600))
        roll = rng.random()
        if roll < 0.45:
            add(last, "comment", contact.role, contact.id, f"<p>{_pick(rng, 'follow')}</p>")
        elif roll < 0.8:
            add(last, "comment", "admin", admin.id, f"<p>{_pick(rng, 'reply')}</p>")
        else:
            add(last, "note", "admin", admin.id, f"<p>{_pick(rng, 'note')}</p>")
    close_at = last + rng.randint(300, 2 * DAY)
    roll = rng.random()
    if close_at <= end and roll < 0.85:
        add(close_at, "close", "admin", admin.id, None)
        conversation.state = "closed"
    elif roll < 0.92:
        conversation.state, conversation.snoozed_until = "snoozed", last + DAY
    return conversation


def _append(ws: Workspace, conversation: Conversation, at, part_type, author_type, author, body):
    ws.next_part_id += 1
    part = Part(ws.next_part_id - 1, part_type, author_type, author, body, at)
    conversation.parts.append(part)
    conversation.updated_at = max(conversation.updated_at, at)


def _pick(rng: random.Random, what: str) -> str:
    pool = {
        "follow": vocab.CUSTOMER_FOLLOW_UPS,
        "reply": vocab.AGENT_REPLIES,
        "note": vocab.INTERNAL_NOTES,
    }[what]
    return rng.choice(pool)


def ts(at: datetime | float | int) -> int:
    return int(at.timestamp()) if isinstance(at, datetime) else int(at)
