"""The cost page's months: the one in progress, the ones refused, the picker's range."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from supportops.models import TeamMember
from tests.factories import ticket_create

NOW = datetime(2016, 1, 16, 12, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The page's `now`: Jan 16 2016, noon UTC."""
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)


@pytest.fixture
def data(db):
    TeamMember.objects.create(
        name="Ann", annual_salary=Decimal("37200"), fte=1, start_date=date(2010, 1, 1)
    )  # 3,100.00 a month
    for n, day in enumerate((3, 10, 20)):
        ticket_create(None, f"dec-{n}", datetime(2015, 12, day, tzinfo=UTC))
    for n, day in enumerate((2, 5, 9)):
        ticket_create(None, f"jan-{n}", datetime(2016, 1, day, tzinfo=UTC))


def test_the_month_in_progress_is_labelled_and_prorated(signed_in, clock, data):
    response = signed_in.get("/cost/", {"month": "2016-01"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "month to date" in html
    assert "Jan 2016 is in progress. These figures cover Jan 1–15, the 15 days" in html
    assert "prorated to 15 of 31 days" in html
    assert "1,500.00" in html  # 3,100 × 15 / 31
    assert "500.00" in html  # 1,500 / 3 tickets
    # tickets Jan 1-15 (3) against Dec 1-15 (2): +50 %
    assert "50.0% vs Dec 1–15" in html
    # per ticket 500.00 against all of December, 3,100 / 3 = 1,033.33: −51.6 %, better
    assert 'class="change is-better"' in html and "51.6% vs Dec 2015" in html
    # the picker offers Dec 2015 (first ticket) to Jan 2016 (in progress), no arrow forward
    assert 'min="2015-12" max="2016-01"' in html
    assert "?month=2015-12" in html and "?month=2016-02" not in html


def test_a_month_not_started_is_refused_and_keeps_what_was_typed(signed_in, clock, data):
    response = signed_in.get("/cost/", {"month": "2016-03"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Cannot show that month: Mar 2016 has not started yet" in html
    assert 'href="?month=2016-01">Show Jan 2016</a>' in html
    assert 'name="month" value="2016-03"' in html
    assert "3,100.00" not in html  # no team cost over zero tickets


def test_a_month_before_the_first_ticket_is_refused(signed_in, clock, data):
    response = signed_in.get("/cost/", {"month": "2015-06"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "there is no data before Dec 2015, the month of the first synced ticket" in html
    assert 'href="?month=2015-12">Show Dec 2015</a>' in html


def test_a_malformed_month_keeps_the_text_in_the_box(signed_in, clock, data):
    response = signed_in.get("/cost/", {"month": "Janury 2016"})
    assert response.status_code == 400
    html = response.content.decode()
    # a text box: a month box would drop a value it cannot read
    assert '<input type="text" id="month" name="month" value="Janury 2016"' in html


def test_ticket_days_are_shown_to_one_decimal(signed_in, clock, data):
    html = signed_in.get("/cost/", {"month": "2015-12"}).content.decode()
    # Dec 3, 10 and 20, never solved: open 29 + 22 + 12 = 63 days of December
    assert "63.0 ticket-days open" in html
