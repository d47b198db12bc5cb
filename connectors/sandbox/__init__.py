"""Local servers speaking vendor wire formats over one synthetic company, for demo and tests."""

from .clock import ManualClock
from .company import build_company
from .model import Agent, Comment, Company, Contact, Customer, Ticket
from .server import SandboxServer

__all__ = [
    "Agent",
    "Comment",
    "Company",
    "Contact",
    "Customer",
    "ManualClock",
    "SandboxServer",
    "Ticket",
    "build_company",
]
