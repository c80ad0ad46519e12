"""Step 9 drops the two indexes of action_id alone, on both engines: an action's funding lines and quartiers are still
found through an index (the one of two columns that starts with action_id), and its records stay as they were."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest

from cvdesk.store.database import close_database, open_database
from cvdesk.store.migrations import MIGRATIONS

pytestmark = pytest.mark.both_engines

Rows = Callable[..., list[tuple]]
DROPPED = {"funding_action_id", "action_quartier_action_id"}
KEPT = {"funding_action_id_funder_id", "action_quartier_action_id_quartier_id"}


def _indexes(sql_rows: Rows, engine: str) -> set[str]:
    if engine == "sqlite":
        return {name for (name,) in sql_rows("SELECT name FROM sqlite_master WHERE type = 'index' "
                                             "AND tbl_name IN ('funding', 'action_quartier')")}
    return {name for (name,) in sql_rows("SELECT indexname FROM pg_indexes WHERE tablename IN "
                                         "('funding', 'action_quartier')")}


def test_a_base_at_step_8_loses_the_two_indexes_and_keeps_its_funding_lines(engine: str, db_target: Path | str,
                                                                          sql_rows: Rows) -> None:
    open_database(db_target, migrations=MIGRATIONS[:8])
    close_database()
    assert DROPPED | KEPT <= _indexes(sql_rows, engine)
    sql_rows("INSERT INTO funder (uuid, created_at, updated_at, office, deleted, name, short_name, kind, position) "
             "VALUES ('f-1', '2026-01-05T09:00:00.000000Z', '2026-01-05T09:00:00.000000Z', 'Nord', 0, 'État', 'État', "
             "'etat', 1)")
    sql_rows('INSERT INTO "action" (uuid, created_at, updated_at, office, deleted, reference, title, year, description, '
             "objectives, public, axes, total_cost, indicators, status, requested_total, granted_total, paid_total) "
             "VALUES ('a-1', '2026-01-05T09:00:00.000000Z', '2026-01-05T09:00:00.000000Z', 'Nord', 0, '2026-VM-001', "
             "'Jardins partagés', 2026, '', '', '', '', 500000, '', 'deposee', 150000, 0, 0)")
    sql_rows("INSERT INTO funding (uuid, created_at, updated_at, office, deleted, action_id, funder_id, requested, "
             "notes) SELECT 'l-1', '2026-01-05T09:00:00.000000Z', '2026-01-05T09:00:00.000000Z', 'Nord', 0, a.id, "
             "f.id, 150000, '' FROM \"action\" a, funder f")
    open_database(db_target)
    close_database()
    indexes = _indexes(sql_rows, engine)
    assert not DROPPED & indexes and KEPT <= indexes
    assert sql_rows("SELECT f.uuid, f.requested FROM funding f JOIN \"action\" a ON a.id = f.action_id "
                    "WHERE a.reference = '2026-VM-001'") == [("l-1", 150000)]


def test_an_action_s_funding_lines_and_quartiers_are_still_read_through_an_index(empty_db: Any, engine: str,
                                                                                 sql_rows: Rows) -> None:
    if engine != "sqlite":
        pytest.skip("PostgreSQL's planner reads a table of a few rows whole, index or not")
    plans = {table: " ".join(str(row[-1]) for row in sql_rows(f"EXPLAIN QUERY PLAN SELECT * FROM {table} "
                                                              "WHERE action_id = 1"))
             for table in ("funding", "action_quartier")}
    assert "USING INDEX funding_action_id_funder_id (action_id=?)" in plans["funding"]
    assert "USING INDEX action_quartier_action_id_quartier_id (action_id=?)" in plans["action_quartier"]
