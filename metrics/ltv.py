"""LTV and realized revenue for the metrics (DESIGN.md §4 "LTV").

The definitions live in the core, `supportops/ltv.py`, because the customers API (core) reports
each customer's LTV and realized revenue too and the core may not import `metrics` (the
import-linter contract). This module is the metrics' name for them, so feature requests, bug
impact and the customer page all read one churn rate, one lifetime and one revenue expression.
"""

from supportops.ltv import (
    CHURN_MONTHS,
    LtvBasis,
    ltv_basis,
    ltv_basis_for,
    ltv_of,
    realized_revenue_minor,
)

__all__ = [
    "CHURN_MONTHS",
    "LtvBasis",
    "ltv_basis",
    "ltv_basis_for",
    "ltv_of",
    "realized_revenue_minor",
]
