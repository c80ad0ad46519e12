"""Headquarters' empty base: the search indexes, filled in bulk with a larger FTS5 buffer, come out sound and usual."""
from __future__ import annotations

from pathlib import Path

from cvdesk.exchange.merge import import_package
from cvdesk.store.database import opened_database
from cvdesk.store.models import db


def test_after_a_merge_into_an_empty_base_the_search_indexes_are_sound_and_keep_sqlite_s_buffer(
        good_package: Path, tmp_path: Path) -> None:
    with opened_database(tmp_path / "siege.db"):
        import_package(good_package)
        for index, source in (("action_search", "action_search_source"),
                              ("association_search", "association_search_source")):
            # FTS5's own check of its segments against the text they index
            db.execute_sql(f"INSERT INTO {index}({index}) VALUES ('integrity-check')")
            indexed = list(db.execute_sql(f"SELECT rowid, text FROM {index} ORDER BY rowid"))
            assert indexed and indexed == list(db.execute_sql(f"SELECT id, text FROM {source} ORDER BY id"))
            # The bulk fill's buffer is not left behind: SQLite's default (1 MiB), as in a base never merged into.
            assert db.execute_sql(f"SELECT v FROM {index}_config WHERE k = 'hashsize'").fetchone()[0] == 1024 * 1024
        # A word found by the trigram index as the window searches it: every action whose folded text holds it.
        found = {rowid for (rowid,) in db.execute_sql("SELECT rowid FROM action_search WHERE text MATCH '\"sante\"'")}
        expected = {i for (i,) in db.execute_sql("SELECT id FROM action_search_source WHERE text LIKE '%sante%'")}
        assert expected and found == expected
