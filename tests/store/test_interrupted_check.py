"""A window closing during the opening check of a large base stops SQLite's check instead of waiting for it, and an
interrupted check never reads as a damaged file."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cvdesk.store.backups import integrity_problem
from cvdesk.store.errors import CheckInterrupted


@pytest.fixture
def large_file(tmp_path: Path) -> Path:
    path = tmp_path / "grande.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE INDEX t_name ON t (name)")
    conn.executemany("INSERT INTO t (name) VALUES (?)", ((f"nom {n}",) for n in range(50_000)))
    conn.commit()
    conn.close()
    return path


def test_a_stop_request_interrupts_the_check(large_file: Path) -> None:
    asked: list[int] = []

    def stop() -> bool:
        asked.append(1)
        return True

    with pytest.raises(CheckInterrupted):
        integrity_problem(large_file, full=True, stop=stop)
    assert asked  # SQLite did ask, mid-check


def test_without_a_stop_request_the_check_runs_to_its_verdict(large_file: Path) -> None:
    assert integrity_problem(large_file, full=True, stop=lambda: False) is None
    assert integrity_problem(large_file, full=True) is None


def test_a_full_check_left_unfinished_is_owed_at_the_next_opening(demo_template: Path, tmp_path: Path) -> None:
    from cvdesk.store.database import keep_full_check_pending, opened_database, previous_exit_was_unclean
    from cvdesk.store.lock import lock_path

    path = tmp_path / "bureau.db"
    path.write_bytes(demo_template.read_bytes())
    lock_path(path).write_text("999999")  # a program that died with the base open
    with opened_database(path, defer_check=True):
        assert previous_exit_was_unclean()
        keep_full_check_pending()  # the window closed while the full check ran
    with opened_database(path, defer_check=True):
        assert previous_exit_was_unclean()  # so it runs again now
    with opened_database(path, defer_check=True):
        assert not previous_exit_was_unclean()
