"""A large sheet of actions imported from the command line is written through SQLite's rollback journal instead of
the WAL (each added page written once), and the base is in WAL again afterwards, whether the import went through, was
cancelled or was refused; with another connection open on the base (the window's threads), it stays in WAL."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cvdesk.exchange import bulk_actions
from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.store.database import close_database, opened_database
from cvdesk.store.models import db
from tests.exchange.test_import_references import COUNT, _sheet


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    # COUNT rows stand for the tens of thousands from which an import is written in bulk.
    monkeypatch.setattr(bulk_actions, "BULK_ROWS", COUNT)


def _mode_on_disk(base: Path) -> tuple[str, int]:
    """The journal mode a new connection finds, and the file format byte SQLite sets to 2 for WAL (1 otherwise)."""
    conn = sqlite3.connect(base)
    try:
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()
    return mode, base.read_bytes()[18]


def _imported(base: Path) -> int:
    conn = sqlite3.connect(base)
    try:
        return conn.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2033-REF-%'").fetchone()[0]
    finally:
        conn.close()


def test_a_large_import_writes_through_the_rollback_journal_and_leaves_the_base_in_wal(
        large: None, demo_template: Path, tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, _ = _sheet(tmp_path / "lot.csv", base)
    modes: list[str] = []
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok and preview.created == COUNT
        # What the base's own connection says while the rows go in (progress is told inside the transaction).
        apply_sheet(preview, progress=lambda done, total: modes.append(
            db.execute_sql("PRAGMA journal_mode").fetchone()[0]))
        assert db.execute_sql("PRAGMA journal_mode").fetchone() == ("wal",)
    close_database()
    assert modes and set(modes) == {"delete"}
    assert _mode_on_disk(base) == ("wal", 2)
    assert not Path(f"{base}-journal").exists()
    assert _imported(base) == COUNT


def test_a_cancelled_large_import_leaves_nothing_and_the_base_in_wal(
        large: None, demo_template: Path, tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, _ = _sheet(tmp_path / "lot.csv", base)
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        with pytest.raises(Cancelled):
            apply_sheet(preview, cancelled=lambda: True)
        assert db.execute_sql("PRAGMA journal_mode").fetchone() == ("wal",)
    close_database()
    assert _mode_on_disk(base) == ("wal", 2)
    assert not Path(f"{base}-journal").exists()
    assert _imported(base) == 0


def test_with_another_connection_open_the_import_stays_in_wal(large: None, demo_template: Path,
                                                             tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, _ = _sheet(tmp_path / "lot.csv", base)
    modes: list[str] = []
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        other = sqlite3.connect(base)  # as the window's other threads keep theirs
        try:
            assert other.execute("SELECT count(*) FROM funder").fetchone()[0] > 0
            apply_sheet(preview, progress=lambda done, total: modes.append(
                db.execute_sql("PRAGMA journal_mode").fetchone()[0]))
            # The reader sees the import once committed, as WAL lets it.
            assert other.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2033-REF-%'"
                                 ).fetchone() == (COUNT,)
        finally:
            other.close()
    close_database()
    assert modes and set(modes) == {"wal"}
    assert _imported(base) == COUNT
