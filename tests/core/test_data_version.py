"""The data version moves with every kind of write the metrics depend on."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from supportops.customers import customers_merge
from supportops.data_version import data_version
from supportops.models import Customer, Product, TeamMember

pytestmark = pytest.mark.django_db


def test_nothing_changed_yet_is_version_0():
    assert data_version() == 0


def test_who_covers_which_product_moves_it():
    member = TeamMember.objects.create(
        name="Ann", role="Support Engineer", annual_salary=Decimal("1"),
        annual_benefits=Decimal("0"), fte=Decimal("1"), start_date=date(2016, 1, 1),
    )  # fmt: skip
    api = Product.objects.create(name="API")
    before = data_version()
    member.products.add(api)
    assert data_version() > before


def test_a_merge_written_with_update_moves_it_after_the_rows_moved():
    target, other = Customer.objects.create(name="A"), Customer.objects.create(name="B")
    before = data_version()
    customers_merge(target=target, others=[other])
    assert data_version() >= before + 1
