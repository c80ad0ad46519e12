"""A large first import of actions keeps, while its rows go in, the indexes whose keys it adds in order (the time of
the write, the tombstone flag, a line's action) and builds the others again at the end: either way each index then
finds exactly the rows a scan of its table finds."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cvdesk.exchange import bulk_actions
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.store.database import close_database, opened_database
from cvdesk.store.models import db
from tests.exchange.test_import_references import COUNT, _sheet

TABLES = ("action", "action_quartier", "funding", "history")


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    # COUNT rows stand for the tens of thousands of a first import into a new base (every table's indexes set aside).
    monkeypatch.setattr(bulk_actions, "BULK_ROWS", COUNT)
    monkeypatch.setattr(bulk_actions, "rebuild_pays", lambda present, adding: True)


def _indexes(conn: sqlite3.Connection) -> dict[str, tuple[str, list[str]]]:
    """Each index of the import's tables: its table and its columns."""
    found = {}
    for name, table in conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' "
                                    f"AND sql IS NOT NULL AND tbl_name IN {TABLES}"):
        found[name] = (table, [row[2] for row in conn.execute(f'PRAGMA index_info("{name}")')])
    return found


def test_the_in_order_indexes_stay_while_the_rows_go_in_and_every_index_finds_what_a_scan_finds(
        large: None, demo_template: Path, tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, _ = _sheet(tmp_path / "lot.csv", base)
    conn = sqlite3.connect(base)
    before = _indexes(conn)
    conn.close()
    assert bulk_actions.IN_ORDER_INDEXES <= set(before)  # no kept name that the schema has not (a renamed index)
    during: list[set[str]] = []
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok and preview.created == COUNT
        apply_sheet(preview, progress=lambda done, total: during.append({name for (name,) in db.execute_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN {TABLES}")}))
    close_database()
    # While the rows went in (progress is also told before and after): the in-order indexes there, the others
    # set aside.
    assert set(bulk_actions.IN_ORDER_INDEXES) in during
    conn = sqlite3.connect(base)
    try:
        assert _indexes(conn) == before
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2033-REF-%'").fetchone() == (COUNT,)
        for name, (table, columns) in before.items():
            # Every key the table holds, read through the index and by a scan of the table: the same rows.
            keys = ", ".join(f'"{column}"' for column in columns)
            through = conn.execute(f'SELECT {keys}, rowid FROM "{table}" INDEXED BY "{name}" '
                                   f'WHERE "{columns[0]}" IS NULL OR "{columns[0]}" IS NOT NULL').fetchall()
            scanned = conn.execute(f'SELECT {keys}, rowid FROM "{table}" NOT INDEXED').fetchall()
            assert sorted(through, key=repr) == sorted(scanned, key=repr), name
            assert len(scanned) > COUNT or table == "action_quartier", name
    finally:
        conn.close()
