"""Headquarters on PostgreSQL while someone else writes: a coordinator's save behind a long merge or import is
refused after a few seconds in French (« la base est occupée … réessayez »), nothing written, instead of freezing the
window; a spreadsheet import (a bulk writer) waits longer for a colleague's save and goes through."""
from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

from cvdesk.store.database import opened_database
from cvdesk.store.errors import BUSY_REASON, WRITE_FAILED
from cvdesk.store.postgres import LOCK_TIMEOUT_MS

pytestmark = pytest.mark.postgresql

# The other session gives its rows back after this long whatever happens: before the lock timeout, a save waited
# exactly this long (the test then fails on its duration instead of hanging).
HELD_AT_MOST_S = 12


def _dbname(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


class OtherSession:
    """Another program's transaction (a merge being written at a colleague's desk) holding one row locked."""

    def __init__(self, pg_server: Any, url: str) -> None:
        self.conn = pg_server.connect(_dbname(url))
        self.timer: threading.Timer | None = None

    def hold(self, table: str, row_id: int, seconds: float) -> None:
        self.conn.execute("BEGIN")
        self.conn.execute(f'UPDATE "{table}" SET updated_at = updated_at WHERE id = %s', (row_id,))
        self.timer = threading.Timer(seconds, self.release)
        self.timer.start()

    def release(self) -> None:
        if not self.conn.closed and self.conn.info.transaction_status != 0:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer.join()
        self.release()
        self.conn.close()


@pytest.fixture
def other_session(pg_server: Any, pg_demo_url: str) -> Iterator[OtherSession]:
    session = OtherSession(pg_server, pg_demo_url)
    yield session
    session.close()


def _plain(pg_server: Any, url: str, sql: str, params: tuple = ()) -> list[tuple]:
    conn = pg_server.connect(_dbname(url))
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_a_save_behind_a_long_merge_is_refused_after_a_few_seconds_in_french_and_nothing_is_written(
        pg_server: Any, pg_demo_url: str, other_session: OtherSession) -> None:
    from cvdesk.services.records import save_record
    from cvdesk.store.models import Association

    (association_id, name), = _plain(pg_server, pg_demo_url,
                                     "SELECT id, name FROM association WHERE deleted = 0 ORDER BY id LIMIT 1")
    with opened_database(pg_demo_url):
        other_session.hold("association", association_id, HELD_AT_MOST_S)
        started = time.monotonic()
        result = save_record(Association, {"name": "Nouveau nom pendant la fusion"}, association_id)
        waited = time.monotonic() - started
    assert result.errors == {"": f"{WRITE_FAILED}{BUSY_REASON} ; rien n'a été modifié."}
    assert "occupée" in result.errors[""] and "réessayez" in result.errors[""]
    assert LOCK_TIMEOUT_MS / 1000 - 0.5 < waited < HELD_AT_MOST_S - 2, waited
    other_session.close()
    assert _plain(pg_server, pg_demo_url, "SELECT name FROM association WHERE id = %s", (association_id,)) == [(name,)]


def test_a_lock_timeout_is_not_taken_for_a_lost_server(pg_server: Any, pg_demo_url: str,
                                                       other_session: OtherSession) -> None:
    from cvdesk.store.models import db
    from cvdesk.store.server_lost import lost_server_sentence

    (association_id,), = _plain(pg_server, pg_demo_url, "SELECT min(id) FROM association")
    with opened_database(pg_demo_url):
        other_session.hold("association", association_id, HELD_AT_MOST_S)
        db.execute_sql("SET lock_timeout = 300")  # this session only: the refusal comes quickly
        with pytest.raises(Exception) as refused:
            db.execute_sql("UPDATE association SET notes = 'x' WHERE id = ?", (association_id,))
    assert "lock timeout" in str(refused.value)
    assert lost_server_sentence(refused.value) is None


def test_a_spreadsheet_import_waits_for_a_colleagues_save_longer_than_a_form_would(
        pg_server: Any, pg_demo_url: str, other_session: OtherSession, tmp_path: Path) -> None:
    from cvdesk.exchange.sheet_import import import_sheet

    (association_id, name), = _plain(pg_server, pg_demo_url,
                                     "SELECT id, name FROM association WHERE deleted = 0 ORDER BY id LIMIT 1")
    sheet = tmp_path / "associations.csv"
    sheet.write_text(f"Nom;Notes\n{name};Reçue au siège\n", encoding="utf-8")
    held = LOCK_TIMEOUT_MS / 1000 + 2  # longer than a form's save may wait
    with opened_database(pg_demo_url):
        other_session.hold("association", association_id, held)
        started = time.monotonic()
        preview = import_sheet(sheet, "associations")
        waited = time.monotonic() - started
    assert preview.updated == 1
    assert waited > LOCK_TIMEOUT_MS / 1000, waited
    assert _plain(pg_server, pg_demo_url, "SELECT notes FROM association WHERE id = %s",
                  (association_id,)) == [("Reçue au siège",)]


def test_a_command_blocked_by_a_table_another_session_holds_stops_in_french_after_a_few_seconds(
        pg_server: Any, pg_demo_url: str, other_session: OtherSession, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A first merge or copy into the base holds its tables whole until its commit: a list asked meanwhile waits
    LOCK_TIMEOUT_MS and stops with one sentence, not a « défaut de cvdesk »."""
    from cvdesk.cli import EXIT_FAILED, main

    other_session.conn.execute("BEGIN")
    other_session.conn.execute("LOCK TABLE association IN ACCESS EXCLUSIVE MODE")
    other_session.timer = threading.Timer(HELD_AT_MOST_S, other_session.release)
    other_session.timer.start()
    started = time.monotonic()
    code = main(["--db", pg_demo_url, "table", "--out", str(tmp_path / "associations.csv"), "associations"])
    waited = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == EXIT_FAILED
    assert err.splitlines()[-1] == ("La base est occupée par un autre enregistrement en cours (un import, une fusion "
                                    "ou la saisie d'un collègue), réessayez dans un moment : la commande s'est "
                                    "arrêtée sans rien modifier.")
    assert waited < HELD_AT_MOST_S - 2, waited
    assert not (tmp_path / "associations.csv").exists()
