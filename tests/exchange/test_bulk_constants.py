"""A large import writes the values its rows share (their time, office, deleted flag, the defaults of the columns a
sheet leaves out) into the INSERT once: every row must come out of the base exactly as if each value had been
bound, whatever the values (quotes, NUL, huge integers, 1 beside True or 1.0 in one column)."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.exchange.bulk_actions import insert_constants_written
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.store.bulk_write import insert_rows
from cvdesk.store.database import opened_database
from cvdesk.store.engine import raw
from cvdesk.store.settings import OFFICE, set_setting

COLUMNS = ("id", "a", "b", "c")
# Values that look alike to Python (True == 1 == 1.0) but not to a text column, and texts an SQL literal must quote.
VALUES = st.one_of(st.none(), st.booleans(), st.sampled_from([0, 1, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 63, 1.0, 0.5]),
                   st.integers(), st.sampled_from(["", "'", "l'été", "a''b", "x\x00y", "Œuvre", "NULL", "?"]),
                   st.text(max_size=6))
ROWS = st.lists(st.tuples(VALUES, VALUES, VALUES), min_size=1, max_size=6)


def _stored(table: str) -> list[tuple[Any, ...]]:
    """Each row's values with their SQLite type, in the order written."""
    return raw().execute(f'SELECT typeof(a), quote(a), typeof(b), quote(b), typeof(c), quote(c) FROM "{table}" '
                         "ORDER BY id").fetchall()


def _written(table: str, rows: list[tuple[Any, ...]], write: Any) -> list[tuple[Any, ...]] | str:
    """What the base holds after writing the rows, or the error both ways of writing must agree on."""
    conn = raw()
    conn.execute(f'DROP TABLE IF EXISTS "{table}"')
    conn.execute(f'CREATE TABLE "{table}" (id INTEGER PRIMARY KEY, a TEXT, b INTEGER, c)')
    try:
        write(table, COLUMNS, [(None, *row) for row in rows])
    except OverflowError:  # an integer past 64 bits is refused, bound or not
        return "refusé"
    return _stored(table)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=ROWS, repeated=st.integers(min_value=1, max_value=3))
def test_shared_values_written_once_come_back_as_bound(empty_db: Any, rows: list[tuple[Any, ...]],
                                                       repeated: int) -> None:
    # Repeating the rows makes columns that every row shares, the case the literals are for.
    rows = rows * repeated
    assert _written("bound", rows, insert_rows) == _written("literal", rows, insert_constants_written)


def test_a_lot_of_history_rows_keeps_its_order_and_values(empty_db: Any) -> None:
    # The history of a lot: time, office, user shared; the record's type varies from row to row.
    now = "2026-11-30T19:00:00.000000Z"
    rows = [(None, f"u{n}", now, now, "Bureau d'en face", False, ("Action", "Funding")[n % 2], f"r{n}", "create",
             "jean", f'{{"n": [null, {n}]}}') for n in range(50)]
    conn = raw()
    conn.execute("CREATE TABLE lot (id INTEGER PRIMARY KEY, uuid, created_at, updated_at, office, deleted, "
                 "record_type, record_uuid, operation, os_user, changes)")
    insert_constants_written("lot", ("id", "uuid", "created_at", "updated_at", "office", "deleted", "record_type",
                                     "record_uuid", "operation", "os_user", "changes"), rows)
    stored = conn.execute("SELECT uuid, office, typeof(deleted), deleted, record_type, changes FROM lot "
                          "ORDER BY id").fetchall()
    assert stored[0] == ("u0", "Bureau d'en face", "integer", 0, "Action", '{"n": [null, 0]}')
    assert stored[49] == ("u49", "Bureau d'en face", "integer", 0, "Funding", '{"n": [null, 49]}')
    assert [uuid for uuid, *_ in stored] == [f"u{n}" for n in range(50)]


def test_an_office_named_with_an_apostrophe_signs_the_history_of_a_bulk_import(demo_template: Path,
                                                                                tmp_path: Path) -> None:
    from tests.exchange.test_import_speed_path import _demo_facts, _mixed_sheet

    sheet = _mixed_sheet(tmp_path / "actions.csv", _demo_facts(demo_template))
    for office in ("Bureau de l'Île", "Bureau ''Nord'' \x00 bis"):  # the second bound: no NUL in an SQL literal
        base = tmp_path / f"{len(office)}.db"
        shutil.copyfile(demo_template, base)
        with opened_database(base):
            set_setting(OFFICE, office)
            apply_sheet(preview_sheet(sheet, "actions"))
        conn = sqlite3.connect(base)
        try:
            new = "SELECT id FROM \"action\" WHERE reference LIKE '2031-IMP-%'"
            written = conn.execute(
                "SELECT record_type, office, operation, deleted FROM history WHERE record_uuid IN ("
                f'SELECT uuid FROM "action" WHERE id IN ({new}) UNION SELECT uuid FROM funding WHERE action_id IN '
                f"({new}) UNION SELECT uuid FROM action_quartier WHERE action_id IN ({new}))").fetchall()
            created = conn.execute(f"SELECT count(*) FROM ({new})").fetchone()[0]
        finally:
            conn.close()
        # 3 new actions, 3 quartier links, 4 funding lines (the sheet by hand), each with its « create » row.
        assert created == 3
        assert sorted(kind for kind, *_ in written) == ["Action"] * 3 + ["ActionQuartier"] * 3 + ["Funding"] * 4
        assert {(office_, operation, deleted) for _, office_, operation, deleted in written} == {(office, "create", 0)}
