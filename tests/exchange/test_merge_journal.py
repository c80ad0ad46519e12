"""Headquarters loading a large package into an empty base from the command line: the merge goes through SQLite's
rollback journal instead of the WAL (each added page written once), and the base is in WAL again afterwards, whether
the merge went through or was refused; with another connection open on the base (the window's threads), it stays in
WAL all along."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import cvdesk.exchange.merge_write as merge_write
import cvdesk.exchange.package_reader as package_reader
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.merge import import_package
from cvdesk.store.database import close_database, opened_database
from cvdesk.store.models import db
from tests.exchange.forging import edited, members, rows, write
from tests.exchange.test_import_journal import _mode_on_disk


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of five records, and any package of more than ten records counted as large."""
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)
    monkeypatch.setattr(merge_write, "BULK_ROWS", 10)


def _count(base: Path, table: str) -> int:
    conn = sqlite3.connect(base)
    try:
        return conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    finally:
        conn.close()


def _mode_now() -> str:
    return db.execute_sql("PRAGMA journal_mode").fetchone()[0]


def test_a_large_merge_into_an_empty_base_goes_through_the_rollback_journal_and_leaves_wal(
        large: None, good_package: Path, tmp_path: Path) -> None:
    base = tmp_path / "siege.db"
    actions = len(rows(members(good_package), "action.jsonl"))
    fundings = len(rows(members(good_package), "funding.jsonl"))
    modes: list[str] = []
    with opened_database(base):
        assert _mode_now() == "wal"
        # What the base's own connection says while the batches go in (progress is told inside the transaction).
        import_package(good_package, progress=lambda done, total: modes.append(_mode_now()))
        assert _mode_now() == "wal"
    close_database()
    # Every batch written in the rollback journal; the last word, after the commit, in WAL again.
    assert len(modes) > 2 and set(modes[:-1]) == {"delete"} and modes[-1] == "wal"
    assert _mode_on_disk(base) == ("wal", 2)
    assert not Path(f"{base}-journal").exists()
    assert (_count(base, "action"), _count(base, "funding")) == (actions, fundings)


def test_a_small_merge_stays_in_wal(good_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(package_reader, "BATCH_LINES", 5)  # BULK_ROWS as shipped: the demo's package is small
    base = tmp_path / "siege.db"
    modes: list[str] = []
    with opened_database(base):
        import_package(good_package, progress=lambda done, total: modes.append(_mode_now()))
    close_database()
    assert modes and set(modes) == {"wal"}
    assert _count(base, "action") == len(rows(members(good_package), "action.jsonl"))


def test_a_refused_large_merge_leaves_the_base_empty_and_in_wal(large: None, good_package: Path,
                                                               tmp_path: Path) -> None:
    files = members(good_package)

    def negative_last(records: list[dict]) -> None:
        records[-1]["requested"] = -500

    forged = write(tmp_path / "faux.zip", edited(files, "funding.jsonl", negative_last))
    base = tmp_path / "siege.db"
    modes: list[str] = []
    with opened_database(base):
        with pytest.raises(ExchangeError):
            import_package(forged, progress=lambda done, total: modes.append(_mode_now()))
        assert _mode_now() == "wal"
    close_database()
    assert "delete" in modes  # much was written through the journal before the refusal
    assert _mode_on_disk(base) == ("wal", 2)
    assert not Path(f"{base}-journal").exists()
    assert (_count(base, "action"), _count(base, "funding")) == (0, 0)


def test_with_another_connection_open_the_merge_stays_in_wal(large: None, good_package: Path,
                                                             tmp_path: Path) -> None:
    base = tmp_path / "siege.db"
    modes: list[str] = []
    with opened_database(base):
        other = sqlite3.connect(base)  # as the window's other threads keep theirs
        try:
            assert other.execute('SELECT count(*) FROM "action"').fetchone() == (0,)
            import_package(good_package, progress=lambda done, total: modes.append(_mode_now()))
            # The reader sees the merge once committed, as WAL lets it.
            assert other.execute('SELECT count(*) FROM "action"').fetchone() == (
                len(rows(members(good_package), "action.jsonl")),)
        finally:
            other.close()
    close_database()
    assert modes and set(modes) == {"wal"}
