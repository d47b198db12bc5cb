"""The garbage collector is relaxed while a sync runs and put back exactly as it was after."""

from __future__ import annotations

import gc

import pytest

from connectors.sync import RELAXED_THRESHOLD, collector_relaxed


def test_relaxed_inside_and_restored_after_nested_use_and_an_error():
    before, frozen_before = gc.get_threshold(), gc.get_freeze_count()

    with pytest.raises(RuntimeError):
        with collector_relaxed():
            assert gc.get_threshold() == (RELAXED_THRESHOLD, *before[1:])
            assert gc.get_freeze_count() > frozen_before
            with collector_relaxed():
                assert gc.get_threshold()[0] == RELAXED_THRESHOLD
            # the inner one ended; the outer sync is still running, still relaxed
            assert gc.get_threshold()[0] == RELAXED_THRESHOLD
            raise RuntimeError("the sync crashed")

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == frozen_before == 0
