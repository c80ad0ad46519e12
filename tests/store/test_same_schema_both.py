"""The same schema on both engines: every numbered step has its PostgreSQL SQL, and a fresh base on either engine
holds the same tables with the same columns, in the same order, nullable alike."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cvdesk.store.database import opened_database
from cvdesk.store.migrations import MIGRATIONS, _not_on_postgres

# Tables both engines hold alike (the search indexes differ by design: FTS5 on SQLite, trigram tables on PostgreSQL).
SHARED_TABLES = ("contract", "signatory", "orientation", "commune", "quartier", "quartier_commune",
                 "quartier_indicator", "association", "action", "action_quartier", "funder", "funding", "envelope",
                 "meeting", "meeting_item", "history", "setting", "exchange_conflict", "exchange_peer",
                 "figure_generation", "year_figure_cache")


def test_every_schema_step_is_written_for_postgresql_too() -> None:
    missing = [step.version for step in MIGRATIONS if step.apply_postgres is _not_on_postgres]
    assert missing == []


@pytest.mark.postgresql
def test_a_fresh_base_has_the_same_tables_and_columns_on_both_engines(tmp_path: Path, pg_server: Any,
                                                                        pg_url: str) -> None:
    with opened_database(tmp_path / "bureau.db"):
        pass
    with opened_database(pg_url):
        pass
    conn = sqlite3.connect(tmp_path / "bureau.db")
    on_sqlite = {table: [(name, not notnull) for _cid, name, _type, notnull, _default, _pk in
                         conn.execute(f'PRAGMA table_info("{table}")')] for table in SHARED_TABLES}
    conn.close()
    server = pg_server.connect(pg_url.split("/")[3].split("?")[0])
    on_postgres = {table: [(name, nullable == "YES") for name, nullable in server.execute(
        "SELECT column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND "
        "table_name = %s ORDER BY ordinal_position", (table,))] for table in SHARED_TABLES}
    server.close()
    assert all(on_sqlite[table] for table in SHARED_TABLES)
    assert on_postgres == on_sqlite
