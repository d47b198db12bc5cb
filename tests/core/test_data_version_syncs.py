"""When a sync moves the data version (supportops/data_version.py): once, at its finish, when it
may have written something; never on the progress saved with each page, so cached dashboards
stay warm while a sync runs. Runs are recorded through connectors.sync.sync_run_recorded, as
every sync and the usage import record them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.errors import ConnectorError
from connectors.sync import SyncSkipped, sync_run_recorded
from supportops.data_version import data_version
from supportops.models import SourceLock, SyncRun

pytestmark = pytest.mark.django_db


def _page(run: SyncRun, written: int) -> None:
    """What connectors.sync saves after each page."""
    run.records_read += written
    run.records_written += written
    run.pages += 1
    run.save(update_fields=["records_read", "records_written", "pages", "counts"])


def test_pages_do_not_move_it_the_finish_moves_it_once():
    before = data_version()
    with sync_run_recorded(source="zendesk") as run:
        for _ in range(3):
            _page(run, 10)
            assert data_version() == before  # the run's start and its pages: no move
    assert SyncRun.objects.get(pk=run.pk).status == SyncRun.Status.SUCCEEDED
    assert data_version() == before + 1


def test_a_run_that_wrote_nothing_leaves_it():
    before = data_version()
    with sync_run_recorded(source="zendesk") as run:
        _page(run, 0)
    assert data_version() == before


def test_a_failed_run_moves_it_it_may_have_committed_pages():
    before = data_version()
    with pytest.raises(ConnectorError), sync_run_recorded(source="zendesk"):
        raise ConnectorError("the vendor went away")
    assert data_version() == before + 1


def test_a_skipped_run_leaves_it():
    SourceLock.objects.create(source="zendesk", heartbeat_at=timezone.now())
    holder = SyncRun.objects.create(source="zendesk", started_at=timezone.now())
    SourceLock.objects.filter(source="zendesk").update(run=holder)
    before = data_version()
    with pytest.raises(SyncSkipped), sync_run_recorded(source="zendesk"):
        pass
    assert data_version() == before


def test_the_run_after_an_abandoned_one_moves_it_even_writing_nothing(settings):
    """A killed worker's run wrote pages and never finished; the next run takes the lock over
    and marks it failed with an UPDATE (no signal), then may find nothing new itself."""
    long_ago = timezone.now() - timedelta(seconds=settings.SYNC_LOCK_STALE_SECONDS + 60)
    dead = SyncRun.objects.create(source="zendesk", started_at=long_ago)
    _page(dead, 10)
    SourceLock.objects.create(source="zendesk", run=dead, heartbeat_at=long_ago)
    before = data_version()
    with sync_run_recorded(source="zendesk") as run:
        _page(run, 0)
    assert SyncRun.objects.get(pk=dead.pk).status == SyncRun.Status.FAILED
    assert data_version() == before + 1
    # and the run after that, finding nothing either, leaves it
    with sync_run_recorded(source="zendesk") as again:
        _page(again, 0)
    assert data_version() == before + 1
    assert run.pk != again.pk


def test_another_sources_failure_does_not_count():
    with pytest.raises(ConnectorError), sync_run_recorded(source="stripe"):
        raise ConnectorError("the vendor went away")
    before = data_version()
    with sync_run_recorded(source="zendesk") as run:
        _page(run, 0)
    assert data_version() == before
