"""Every older schema kept under tests/fixtures upgrades to the current one with every record intact."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cvdesk.store.database import close_database, open_database
from cvdesk.store.migrations import latest_version
from cvdesk.store.models import RECORD_MODELS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {model._meta.table_name: conn.execute(f'SELECT count(*) FROM "{model._meta.table_name}"').fetchone()[0]
                for model in RECORD_MODELS}
    finally:
        conn.close()


@pytest.mark.parametrize("fixture", sorted(FIXTURES.glob("schema-v*.db")), ids=lambda p: p.stem)
def test_an_old_database_upgrades_with_every_record(fixture: Path, tmp_path: Path) -> None:
    copy = tmp_path / fixture.name
    shutil.copyfile(fixture, copy)
    before = _counts(copy)
    assert before["action"] > 0 and before["funding"] > 0 and before["quartier_commune"] > 0
    database = open_database(copy)
    try:
        assert database.pragma("user_version") == latest_version()
        assert list(database.execute_sql("PRAGMA foreign_key_check")) == []
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        for model in RECORD_MODELS:
            # History may gain rows from a migration; nothing may lose any.
            assert model.select().count() >= before[model._meta.table_name], model.__name__
    finally:
        close_database()
