"""Schema step 9: the indexes no query read (modification times, deletion marks alone, one-column beginnings of a
two-column index) are gone from a base that climbs to it and from a base created today, on SQLite and PostgreSQL
alike, and the models declare none of them."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from cvdesk.store.database import close_database, open_database
from cvdesk.store.migrations import MIGRATIONS

pytestmark = pytest.mark.both_engines

Rows = Callable[..., list[tuple]]

# Written by hand from the step's reasons, not read from the step under test.
RECORD_TABLES = ("contract", "signatory", "orientation", "commune", "quartier", "quartier_commune",
                 "quartier_indicator", "association", "action", "action_quartier", "funder", "funding", "envelope",
                 "meeting", "meeting_item", "history")
GONE = ({f"{table}_updated_at" for table in RECORD_TABLES}
        | {f"{table}_deleted" for table in RECORD_TABLES if table not in ("association", "quartier", "action")}
        | {"action_quartier_action_id", "quartier_commune_quartier_id", "quartier_indicator_quartier_id",
           "envelope_funder_id"})
# What the queries read and must keep: the deleted porteurs and quartiers looked up by their mark, the live actions
# walked in id order, the plan lines by action (PostgreSQL's planner reads it), the two-column indexes the dropped
# one-column ones began, the search's first page in reference order.
KEPT = {"association_deleted", "quartier_deleted", "action_deleted", "funding_action_id", "funding_action_id_funder_id",
        "action_quartier_action_id_quartier_id", "quartier_commune_quartier_id_commune_id",
        "quartier_indicator_quartier_id_kind", "envelope_funder_id_year", "action_deleted_reference",
        "funding_uuid", "history_record_uuid"}


def _indexes(sql_rows: Rows, engine: str) -> dict[str, str]:
    """Every index a cvdesk step made (name -> its definition); SQLite's own indexes of keys have no SQL."""
    if engine == "sqlite":
        return dict(sql_rows("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
    return dict(sql_rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                         "AND indexname NOT LIKE '%_pkey'"))


@pytest.fixture
def fresh_rows(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Callable[[], Rows]]:
    """A second base, created today by the program's own steps: call it to create it and get its plain SQL."""
    from sql_oracle import SqlOracle

    made: list[Any] = []

    def create() -> Rows:
        if engine == "sqlite":
            target: Path | str = tmp_path / "neuve.db"
        else:
            server = request.getfixturevalue("pg_server")
            name = server.new_database_name("neuve")
            target = server.create_database(name)
            made.append((server, name))
        open_database(target)
        close_database()
        oracle = SqlOracle(engine, target)
        made.insert(0, oracle)
        return oracle.rows

    yield create
    for thing in made:
        if isinstance(thing, tuple):
            thing[0].drop_database(thing[1])
        else:
            thing.close()


def test_a_base_of_step_8_climbs_to_step_9_without_the_unread_indexes_like_a_base_created_today(
        engine: str, db_target: Path | str, sql_rows: Rows, fresh_rows: Callable[[], Rows]) -> None:
    open_database(db_target, migrations=MIGRATIONS[:8])
    close_database()
    before = _indexes(sql_rows, engine)
    assert GONE <= set(before)  # the base of step 8 had every one of them
    open_database(db_target)
    close_database()
    climbed = _indexes(sql_rows, engine)
    assert set(climbed) == set(before) - GONE
    assert KEPT <= set(climbed)
    assert climbed == _indexes(fresh_rows(), engine)


def test_the_models_declare_no_index_a_base_created_today_lacks(engine: str, empty_db: Any, sql_rows: Rows) -> None:
    """The models are not the schema (the frozen steps are), but what they declare must not contradict it: no model
    asks for an index step 9 dropped, and each index they declare is in the base on its columns."""
    from cvdesk.store.models import RECORD_MODELS

    present = _indexes(sql_rows, engine)
    declared = {index._name: [field.column_name for field in index._expressions]
                for model in RECORD_MODELS for index in model._meta.fields_to_index()}
    assert not GONE & set(declared)
    assert {"association_deleted", "quartier_deleted", "action_deleted", "funding_action_id_funder_id"} <= set(declared)
    for name, columns in declared.items():
        assert name in present, name
        assert "(" + ", ".join(f'"{column}"' if engine == "sqlite" else column for column in columns) + ")" \
            in present[name].replace("btree ", ""), (name, present[name])


@pytest.mark.engines("sqlite")
def test_an_analysed_base_keeps_the_statistics_of_its_other_indexes_and_is_not_analysed_again(
        engine: str, db_target: Path, sql_rows: Rows) -> None:
    """Dropping indexes needs no new statistics: DROP INDEX takes its own rows out, the others stay as they were
    (a national base is spared an ANALYZE at its first opening with this program)."""
    open_database(db_target, migrations=MIGRATIONS[:8])
    close_database()
    conn = sqlite3.connect(db_target)
    conn.execute("INSERT INTO funder (uuid, created_at, updated_at, office, deleted, name, short_name, kind, position) "
                 "VALUES ('f-1', '2026-12-01T03:00:00.000000Z', '2026-12-01T03:00:00.000000Z', '', 0, 'État', 'État', "
                 "'etat', 1)")
    conn.execute("ANALYZE")
    conn.execute("INSERT INTO funder (uuid, created_at, updated_at, office, deleted, name, short_name, kind, position) "
                 "VALUES ('f-2', '2026-12-01T03:00:00.000000Z', '2026-12-01T03:00:00.000000Z', '', 0, 'Région', "
                 "'Région', 'region', 2)")
    conn.commit()
    conn.close()
    assert sql_rows("SELECT stat FROM sqlite_stat1 WHERE idx = 'funder_deleted'") == [("1 1",)]
    open_database(db_target)
    close_database()
    assert sql_rows("SELECT idx FROM sqlite_stat1 WHERE idx = 'funder_deleted' OR idx = 'funder_updated_at'") == []
    # Still the one funder counted before the second came: no ANALYZE ran.
    assert sql_rows("SELECT stat FROM sqlite_stat1 WHERE idx = 'funder_uuid'") == [("1 1",)]
