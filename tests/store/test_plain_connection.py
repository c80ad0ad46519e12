"""A base opened without the models is read in plain SQL; the models then work on that same connection."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cvdesk.store.connection import execute_sql
from cvdesk.store.database import opened_database
from cvdesk.store.lock import lock_path


def test_plain_sql_and_the_models_share_the_opening_threads_connection(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    with sqlite3.connect(path) as conn:
        expected = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
        some_id = conn.execute('SELECT min(id) FROM "action" WHERE deleted = 0').fetchone()[0]
    with opened_database(path, models=False) as database:
        assert database is None
        assert execute_sql('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0] == expected
        from cvdesk.store.models import Action, db

        assert Action.select().where(Action.deleted == False).count() == expected  # noqa: E712
        # One connection in this thread: plain SQL sees a write of the models' transaction before it is committed.
        with pytest.raises(RuntimeError), db.atomic():
            Action.update(title="Titre provisoire").where(Action.id == some_id).execute()
            assert execute_sql('SELECT title FROM "action" WHERE id = ?', (some_id,)).fetchone()[0] == "Titre provisoire"
            raise RuntimeError("annulé")
        assert execute_sql('SELECT title FROM "action" WHERE id = ?', (some_id,)).fetchone()[0] != "Titre provisoire"
    # Closed cleanly: the lock holds no PID, so the next opening takes the quick path.
    assert lock_path(path).read_bytes() == b""
