"""Opening a database: the pragmas that keep data safe, our file mark, refusing files that are not ours."""
from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError
from cvdesk.store.migrations import APPLICATION_ID, latest_version


def test_a_new_database_is_safe_by_default(db_path: Path) -> None:
    database = open_database(db_path)
    try:
        assert database.pragma("journal_mode") == "wal"
        assert database.pragma("synchronous") == 2  # FULL
        assert database.pragma("foreign_keys") == 1
        assert database.pragma("busy_timeout") > 0
        assert database.pragma("user_version") == latest_version() >= 1
        assert database.pragma("application_id") == APPLICATION_ID
    finally:
        close_database()
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_another_programs_sqlite_file_is_refused_and_left_alone(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="autre programme"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_a_file_that_is_not_sqlite_is_refused(db_path: Path) -> None:
    db_path.write_text("nom;prénom\nDupont;Jean\n", encoding="utf-8")
    with pytest.raises(StoreError, match="pas un fichier SQLite"):
        open_database(db_path)
    assert db_path.read_text(encoding="utf-8").startswith("nom;prénom")


def test_a_schema_newer_than_the_program_is_refused(db_path: Path) -> None:
    open_database(db_path)
    close_database()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {latest_version() + 5}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="version plus récente"):
        open_database(db_path)
    close_database()


def test_opening_a_missing_file_without_create_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="n'existe pas"):
        open_database(tmp_path / "absente.db", create=False)
    assert not (tmp_path / "absente.db").exists()
