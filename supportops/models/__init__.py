"""Canonical models: one vocabulary for every source (DESIGN.md §3)."""

from .billing import Charge, Invoice, Plan, Subscription
from .costs import Expense, MetricSettings, TeamMember
from .crm import CrmActivity, Opportunity
from .customers import (
    Contact,
    Customer,
    CustomerCostState,
    CustomerIdentity,
    CustomerMonthCost,
)
from .reports import (
    MonthlyReport,
    ReportChart,
    ReportDelivery,
    ReportRecipient,
    ReportSchedule,
)
from .sources import Source
from .sync import DataVersion, SourceLock, SyncRun, SyncState
from .tickets import Interaction, Product, ProductRemap, ProductRule, Ticket
from .usage import UsageMonth

__all__ = [
    "Charge",
    "Contact",
    "CrmActivity",
    "Customer",
    "CustomerCostState",
    "CustomerIdentity",
    "CustomerMonthCost",
    "DataVersion",
    "Expense",
    "Interaction",
    "Invoice",
    "MonthlyReport",
    "MetricSettings",
    "Opportunity",
    "Plan",
    "Product",
    "ProductRemap",
    "ProductRule",
    "ReportChart",
    "ReportDelivery",
    "ReportRecipient",
    "ReportSchedule",
    "Source",
    "Subscription",
    "SyncRun",
    "SyncState",
    "SourceLock",
    "TeamMember",
    "Ticket",
    "UsageMonth",
]
