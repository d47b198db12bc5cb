"""Money is stored in integer minor units with its currency; this converts for display/API."""

from decimal import Decimal

# ISO 4217 currencies without minor units, as Stripe lists them.
ZERO_DECIMAL = frozenset("bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split())


def minor_to_major(amount_minor: int, currency: str) -> Decimal:
    if currency.lower() in ZERO_DECIMAL:
        return Decimal(amount_minor)
    return (Decimal(amount_minor) / 100).quantize(Decimal("0.01"))
