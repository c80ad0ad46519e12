"""A merge pauses Python's cycle collector while the records go by, and leaves it as it found it, refused or not."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import opened_database


def test_the_collector_runs_again_after_a_merge_into_an_empty_base_and_after_a_refused_one(
        good_package: Path, tmp_path: Path) -> None:
    damaged = tmp_path / "abime.zip"
    damaged.write_bytes(good_package.read_bytes()[:-200])
    with opened_database(tmp_path / "siege.db"):
        with pytest.raises(ExchangeError):
            import_package(damaged)
        assert gc.isenabled()
        summary = import_package(good_package)
        assert summary.total().added > 0
        assert gc.isenabled()
        # A second merge of the same package compares and decides (the two-pass path): the collector back too.
        import_package(good_package)
        assert gc.isenabled()


def test_a_program_that_had_paused_the_collector_finds_it_paused_after_a_merge(good_package: Path,
                                                                               tmp_path: Path) -> None:
    gc.disable()
    try:
        with opened_database(tmp_path / "siege.db"):
            import_package(good_package)
        assert not gc.isenabled()
    finally:
        gc.enable()
