"""Turns "customer X wrote in at time T" into a full ticket: topic, lifecycle and conversation.

Split from the company generator because this is where the support-specific realism lives (reply
and resolution times, reopens, problem/incident links, feature requests, bugs, deletions).
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime

from . import vocab
from .model import Agent, Comment, Customer, Ticket

CHANNELS = ("email", "web", "api", "chat", "voice")
CHANNEL_SHARE = (45, 30, 8, 12, 5)
PRIORITIES = (None, "low", "normal", "high", "urgent")
PRIORITY_SHARE = (5, 20, 50, 18, 7)
PRIORITY_SPEED = {None: 1.0, "low": 1.6, "normal": 1.0, "high": 0.5, "urgent": 0.2}
TYPES = ("question", "incident", "problem", "task", None)
TYPE_SHARE = (45, 22, 3, 10, 20)
OPEN_STATUSES = ("open", "pending", "hold")
OPEN_SHARE = (55, 35, 10)
CLOSE_AFTER = 4 * 86_400  # solved tickets auto-close after four days
PROBLEM_WINDOW = 30 * 86_400
DAY = 86_400


class TicketFactory:
    def __init__(
        self,
        rng: random.Random,
        customers: list[Customer],
        agents: list[Agent],
        groups: dict[int, str],
        end_at: datetime,
        region_since: datetime,
        first_comment_id: int,
    ) -> None:
        self.rng = rng
        self.customers = customers
        self.agents = agents
        self.group_ids = sorted(groups)
        self.end = int(end_at.timestamp())
        self.region_since = int(region_since.timestamp())
        self.next_comment_id = first_comment_id
        self.products = [value for value, _, _ in vocab.PRODUCTS]
        self.product_share = [weight for _, _, weight in vocab.PRODUCTS]
        self.product_names = {value: name for value, name, _ in vocab.PRODUCTS}
        self.integrations = [name for name, _ in vocab.INTEGRATION_REQUESTS]
        self.integration_share = [weight for _, weight in vocab.INTEGRATION_REQUESTS]
        self.open_problems: dict[str, list[tuple[int, int]]] = {p: [] for p in self.products}

    def make(
        self, ticket_id: int, created: int, customer: Customer, tickets: dict[int, Ticket]
    ) -> Ticket:
        rng = self.rng
        kind_roll = rng.random()
        feature, bug = kind_roll < 0.05, 0.05 <= kind_roll < 0.13
        product = "integrations" if feature else rng.choices(self.products, self.product_share)[0]
        tags = [f"plan_{customer.plan}", f"product_{product}"]
        if feature:
            name = rng.choices(self.integrations, self.integration_share)[0]
            quoted = f'"{name}"' if rng.random() < 0.3 else name
            subject = f"Requesting integration for {quoted}"
            description = vocab.FEATURE_REQUEST_BODY.format(name=name)
            kind, tags = "question", [*tags, "feature_request"]
        else:
            if bug:
                template = rng.choice(vocab.BUG_SUBJECTS)
                subject = template.format(product=self.product_names[product])
                kind, tags = ("incident" if rng.random() < 0.6 else "problem"), [*tags, "bug"]
            else:
                subject = rng.choice(vocab.SUBJECTS[product])
                kind = rng.choices(TYPES, TYPE_SHARE)[0]
            description = rng.choice(vocab.REQUESTER_OPENERS).format(subject=subject)
        if customer.plan == "enterprise":
            tags.append("vip")
        priority = rng.choices(PRIORITIES, PRIORITY_SHARE)[0]
        if customer.plan == "enterprise" and priority in ("low", "normal") and rng.random() < 0.4:
            priority = "high"
        channel = rng.choices(CHANNELS, CHANNEL_SHARE)[0]
        eligible = [c for c in customer.contacts if c.created_at.timestamp() <= created]
        requester = rng.choice(eligible or customer.contacts[:1])
        agent = rng.choice(self.agents)
        group_id = self.group_ids[1] if product == "billing" else self.group_ids[0]
        if bug and rng.random() < 0.5:
            group_id = self.group_ids[2]
        ticket = Ticket(
            id=ticket_id,
            customer_index=customer.index,
            organization_id=customer.org_id,
            requester_id=requester.user_id,
            submitter_id=agent.user_id if channel == "voice" else requester.user_id,
            assignee_id=agent.user_id,
            group_id=group_id,
            channel=channel,
            subject=subject,
            description=description,
            status="new",
            priority=priority,
            type=kind,
            product=product,
            region=customer.region if created >= self.region_since else None,
            tags=tags,
            created_at=_dt(created),
            updated_at=_dt(created),
            generated_at=_dt(created),
        )
        self._link_problem(ticket, created, tickets)
        self._live(ticket, created, agent, bug)
        return ticket

    def _link_problem(self, ticket: Ticket, created: int, tickets: dict[int, Ticket]) -> None:
        recent = self.open_problems[ticket.product]
        while recent and recent[0][0] < created - PROBLEM_WINDOW:
            recent.pop(0)
        if ticket.type == "problem":
            recent.append((created, ticket.id))
        elif ticket.type == "incident" and recent and self.rng.random() < 0.35:
            problem = tickets[self.rng.choice(recent)[1]]
            ticket.problem_id, problem.has_incidents = problem.id, True

    def _live(self, ticket: Ticket, created: int, agent: Agent, bug: bool) -> None:
        """Play the ticket forward: first reply, reopens, solve, auto-close, and its comments."""
        rng, end = self.rng, self.end
        if ticket.channel in ("chat", "voice"):
            reply_delay = rng.uniform(60, 900)
        else:
            minutes = rng.lognormvariate(math.log(120), 1.0) * PRIORITY_SPEED[ticket.priority]
            reply_delay = max(60.0, minutes * 60)
        first_reply = int(created + reply_delay)
        work = rng.lognormvariate(math.log(20 * 3600), 1.2) * (2.5 if bug else 1.0)
        reopen_roll = rng.random()
        ticket.reopens = 2 if reopen_roll < 0.02 else 1 if reopen_roll < 0.1 else 0
        solved = int(first_reply + work + ticket.reopens * rng.uniform(DAY, 3 * DAY))
        closed = None
        if solved <= end:
            ticket.status = "closed" if solved + CLOSE_AFTER <= end else "solved"
            closed = solved + CLOSE_AFTER if ticket.status == "closed" else None
            ticket.solved_at = _dt(solved)
        elif first_reply <= end:
            ticket.status = rng.choices(OPEN_STATUSES, OPEN_SHARE)[0]
        else:
            ticket.status = "new"
            if rng.random() < 0.5:
                ticket.assignee_id = None
        requester = ticket.requester_id
        talk = [(created, requester, ticket.description, True)]
        if ticket.status == "new":
            if rng.random() < 0.3:
                talk.append((rng.randint(created, end), requester, _pick(rng, "follow"), True))
        else:
            ticket.first_reply_at = _dt(first_reply)
            stop = solved if ticket.solved_at else end
            talk.append((first_reply, agent.user_id, vocab.AGENT_REPLIES[0], True))
            extra = rng.randint(0, 4)
            if ticket.solved_at and extra:
                talk.append((solved, agent.user_id, vocab.AGENT_REPLIES[-1], True))
                extra -= 1
            for _ in range(extra):
                at = rng.randint(first_reply, max(first_reply, stop))
                roll = rng.random()
                if roll < 0.4:
                    talk.append((at, requester, _pick(rng, "follow"), True))
                elif roll < 0.75:
                    talk.append((at, agent.user_id, _pick(rng, "reply"), True))
                else:
                    talk.append((at, agent.user_id, _pick(rng, "note"), False))
            talk.sort(key=lambda item: item[0])
        for at, author, body, public in talk:
            comment = Comment(self.next_comment_id, ticket.id, author, body, public, _dt(at))
            ticket.comments.append(comment)
            self.next_comment_id += 1
        updated = max(talk[-1][0], solved if ticket.solved_at else 0, closed or 0)
        ticket.updated_at = ticket.generated_at = _dt(updated)
        if rng.random() < 0.03:  # a system update (SLA, automation) moves only generated_timestamp
            ticket.generated_at = _dt(min(end, updated + rng.randint(60, 2 * DAY)))
        if ticket.solved_at:
            self._rate(ticket)

    def _rate(self, ticket: Ticket) -> None:
        roll = self.rng.random()
        if roll < 0.25:
            ticket.satisfaction = "good" if self.rng.random() < 0.8 else "bad"
            ticket.satisfaction_comment = self.rng.choice(vocab.SATISFACTION_COMMENTS)
        elif roll < 0.45:
            ticket.satisfaction = "offered"

    def delete_some(self, tickets: dict[int, Ticket], *, share: float) -> None:
        candidates = [t for t in tickets.values() if not t.has_incidents and t.problem_id is None]
        for ticket in self.rng.sample(candidates, round(len(tickets) * share)):
            last = int(ticket.generated_at.timestamp())
            deleted = _dt(self.rng.randint(last, max(last, self.end)))
            ticket.deleted_at = ticket.updated_at = ticket.generated_at = deleted


def _pick(rng: random.Random, what: str) -> str:
    pool = {
        "follow": vocab.CUSTOMER_FOLLOW_UPS,
        "reply": vocab.AGENT_REPLIES,
        "note": vocab.INTERNAL_NOTES,
    }[what]
    return rng.choice(pool)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(int(ts), UTC)
