"""A coordinator whose base's actions were all removed imports a new sheet of actions: the search finds the new
ones and none of the removed, and the search index keeps no trace of the removed ones (the segments FTS5 kept for
them are dropped before the new rows are indexed, rather than merged with them)."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.store.database import close_database, opened_database

HEADER = "Référence;Intitulé;Année;Orientation;Porteur;Financeur;Montant demandé\n"


def _sheet(path: Path, base: Path) -> Path:
    conn = sqlite3.connect(base)
    try:
        porteur = conn.execute("SELECT name FROM association WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
        funder = conn.execute("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    rows = [f"2033-NEUF-{n:03d};Atelier de couture n° {n};2033;1;{porteur};{funder};1 200\n" for n in range(1, 41)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def _index_data(base: Path) -> tuple[int, int]:
    conn = sqlite3.connect(base)
    try:
        return conn.execute("SELECT count(*), sum(length(block)) FROM action_search_data").fetchone()
    finally:
        conn.close()


def test_an_import_into_a_base_whose_actions_were_all_removed_leaves_no_trace_of_them_in_the_search(
        demo_template: Path, tmp_path: Path) -> None:
    emptied = tmp_path / "sans-actions.db"
    shutil.copyfile(demo_template, emptied)
    conn = sqlite3.connect(emptied)
    try:
        removed_title = conn.execute('SELECT title FROM "action" WHERE deleted = 0 ORDER BY id LIMIT 1').fetchone()[0]
        with conn:
            conn.execute('UPDATE "action" SET deleted = 1')  # removed from the form, one by one, as the user does
        assert conn.execute("SELECT count(*) FROM action_search").fetchone() == (0,)
    finally:
        conn.close()
    # The same base whose index never held the removed actions (FTS5's 'rebuild' of an index with no row).
    clean = tmp_path / "index-neuf.db"
    shutil.copyfile(emptied, clean)
    conn = sqlite3.connect(clean)
    try:
        with conn:
            conn.execute("INSERT INTO action_search(action_search) VALUES ('rebuild')")
    finally:
        conn.close()
    assert _index_data(clean)[1] < _index_data(emptied)[1]  # the removed actions' segments are there
    sheet = _sheet(tmp_path / "actions.csv", emptied)
    for base in (emptied, clean):
        with opened_database(base):
            preview = preview_sheet(sheet, "actions")
            assert preview.ok and preview.created == 40, preview.lines()
            apply_sheet(preview)
        close_database()
    conn = sqlite3.connect(emptied)
    try:
        assert conn.execute("SELECT count(*) FROM action_search WHERE action_search MATCH '\"couture\"'"
                            ).fetchone() == (40,)
        assert conn.execute("SELECT count(*) FROM action_search WHERE text LIKE ?",
                            (f"%{removed_title.lower()}%",)).fetchone() == (0,)
        conn.execute("INSERT INTO action_search(action_search) VALUES ('integrity-check')")
    finally:
        conn.close()
    # The index's data is the new rows' alone: what the same import writes into an index that never held others.
    assert _index_data(emptied) == _index_data(clean)
