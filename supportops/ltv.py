"""Customer lifetime value and realized revenue (DESIGN.md §4 "LTV"), in the core.

Why here and not in `metrics/`: the customers API (`supportops/api/customers.py`) reports each
customer's LTV and realized revenue, and the core never imports `metrics` (the import-linter
contract in pyproject.toml). So the churn query, the lifetime arithmetic and the realized-revenue
expression live once, here; `metrics/ltv.py` re-exports them for the metrics (feature requests,
bug impact, the customer page), so both sides use the same numbers.

- **Monthly churn rate** = the mean, over the 12 complete months before the month of `now`
  (reporting time zone) that had customers paying at their start, of customers who stopped
  paying in the month ÷ customers paying at its start (supportops/paying.py). One query: the
  subscriptions that can matter, grouped by customer into "paying at each of the 13 month
  starts" flags (`paying_flags`), counted per month.
- **Expected lifetime** = 1 ÷ that rate (from the unrounded mean), capped at
  MetricSettings.ltv_cap_months (default 60). A rate of 0 gives the cap, and so does no measured
  month at all (no paying customer in any of the 12 months: no churn observed; the basis says
  `months_measured=0` and `churn_rate=None`). Kept to 2 decimal places, so MRR × the lifetime
  shown is the LTV shown.
- **LTV** (a customer) = current MRR × expected lifetime, to the cent.
- **Realized revenue** (a customer) = Σ amount paid of its invoices with status `paid`, all
  time, in the customer's own currency (invoices in any other currency are left out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

from django.db.models import BigIntegerField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Invoice, MetricSettings
from .paying import paying_flags

CHURN_MONTHS = 12
CHURN_PLACES = Decimal("0.000001")  # the rate, to 6 places (4+ as the API shows it)
LIFETIME_PLACES = Decimal("0.01")  # months
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LtvBasis:
    """What every LTV of one moment multiplies MRR by, and where it comes from."""

    churn_rate: Decimal | None  # monthly, 6 places; None when no month had paying customers
    lifetime_months: Decimal  # min(1 / churn, cap), 2 places
    cap_months: int
    months_measured: int  # of the 12, those that had paying customers at their start

    @property
    def capped(self) -> bool:
        """The lifetime is the cap (churn 0, none measured, or 1 / churn above the cap)."""
        return self.lifetime_months == self.cap_months


def _month_starts(now: datetime, tz: tzinfo, count: int) -> list[datetime]:
    """The starts of the `count` complete months before the month of `now` in `tz`, and the
    start of that month: `count + 1` aware UTC datetimes, oldest first."""
    local = now.astimezone(tz)
    index = local.year * 12 + local.month - 1  # the month of `now`
    starts = []
    for offset in range(count, -1, -1):
        year, month0 = divmod(index - offset, 12)
        starts.append(datetime(year, month0 + 1, 1, tzinfo=tz).astimezone(UTC))
    return starts


def _lifetime(churn: Fraction | None, cap: int) -> Decimal:
    if not churn or Fraction(1) / churn >= cap:
        return Decimal(cap).quantize(LIFETIME_PLACES)
    exact = Decimal(churn.denominator) / Decimal(churn.numerator)
    return exact.quantize(LIFETIME_PLACES, rounding=ROUND_HALF_UP)


def ltv_basis_for(*, now: datetime, settings: MetricSettings) -> LtvBasis:
    """`ltv_basis` with the settings already loaded (one query: the churn counts)."""
    starts = _month_starts(now, ZoneInfo(settings.reporting_timezone), CHURN_MONTHS)
    flags = paying_flags(starts)
    counts = flags.aggregate(
        **{
            name: aggregate
            for i in range(CHURN_MONTHS)
            for name, aggregate in (
                (f"n_paying_{i}", Sum(f"paying_{i}")),
                # paying at the month's start and not at its end: 1 × (1 − 0)
                (f"n_stopped_{i}", Sum(F(f"paying_{i}") * (1 - F(f"paying_{i + 1}")))),
            )
        }
    )
    rates = [
        Fraction(counts[f"n_stopped_{i}"], counts[f"n_paying_{i}"])
        for i in range(CHURN_MONTHS)
        if counts[f"n_paying_{i}"]
    ]
    churn = sum(rates, Fraction(0)) / len(rates) if rates else None
    churn_rate = None
    if churn is not None:
        churn_rate = (Decimal(churn.numerator) / Decimal(churn.denominator)).quantize(
            CHURN_PLACES, rounding=ROUND_HALF_UP
        )
    cap = settings.ltv_cap_months
    return LtvBasis(
        churn_rate=churn_rate,
        lifetime_months=_lifetime(churn, cap),
        cap_months=cap,
        months_measured=len(rates),
    )


def ltv_basis(*, now: datetime) -> LtvBasis:
    """The monthly churn rate and expected lifetime as of `now` (two queries: settings, counts)."""
    return ltv_basis_for(now=now, settings=MetricSettings.load())


def ltv_of(mrr: Decimal, basis: LtvBasis) -> Decimal:
    """A customer's LTV: current MRR (major units) × expected lifetime, to the cent."""
    return (Decimal(mrr) * basis.lifetime_months).quantize(CENT, rounding=ROUND_HALF_UP)


def realized_revenue_minor(customer: str = "pk") -> Coalesce:
    """Σ amount paid (minor units) of the customer's paid invoices in its own currency, all
    time; 0 when none. `customer` names the outer query's customer id ("pk" in Customer
    querysets); the outer query must have the customer's `currency` as `<prefix>currency`."""
    currency = "currency" if customer == "pk" else customer.removesuffix("id") + "currency"
    paid = (
        Invoice.objects.filter(
            customer_id=OuterRef(customer), status="paid", currency__iexact=OuterRef(currency)
        )
        .order_by()
        .values("customer_id")
        .annotate(total=Sum("amount_paid_minor"))
        .values("total")
    )
    return Coalesce(Subquery(paid, output_field=BigIntegerField()), Value(0))
