"""Hand-built rows shared by the metric and web tests: tickets and the messages in them."""

from __future__ import annotations

from supportops.models import Interaction, Ticket


def ticket_create(customer, external_id, created_at, solved_at=None, **kwargs) -> Ticket:
    return Ticket.objects.create(
        source=kwargs.pop("source", "zendesk"),
        external_id=external_id,
        customer=customer,
        created_at=created_at,
        updated_at=solved_at or created_at,
        solved_at=solved_at,
        **kwargs,
    )


def message_create(ticket, external_id, created_at, *, role="agent", public=True) -> Interaction:
    return Interaction.objects.create(
        source=ticket.source,
        external_id=external_id,
        ticket=ticket,
        ticket_external_id=ticket.external_id,
        author_role=role,
        is_public=public,
        created_at=created_at,
    )
