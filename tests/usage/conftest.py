"""Helpers for the usage import tests: CSV files on disk and customers with identities."""

import pytest

from supportops.models import Customer, CustomerIdentity


@pytest.fixture
def csv_file(tmp_path):
    """`csv_file("account_id,month,api_calls", "acct_1,2024-05,3")` → path of a UTF-8 file."""
    counter = iter(range(1, 1000))

    def write(*lines: str, raw: bytes | None = None):
        path = tmp_path / f"usage_{next(counter)}.csv"
        path.write_bytes(raw if raw is not None else ("\n".join(lines) + "\n").encode())
        return path

    return write


@pytest.fixture
def identity(db):
    """An identity of another source, linked to a new customer unless `customer` is given."""

    def make(source, external_id, *, customer=None, account_key="", name=None, domains=()):
        if customer is None:
            customer = Customer.objects.create(name=name or f"{source} {external_id}")
        return CustomerIdentity.objects.create(
            source=source,
            external_id=external_id,
            name=name or customer.name,
            account_key=account_key,
            domains=list(domains),
            customer=customer,
            match_method="created",
        )

    return make
