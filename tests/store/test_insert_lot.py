"""A lot of new records given column by column, with the values every row shares given once (Same), is stored row
for row as a plain INSERT of each row stores it: same values, same types, same order, whether the lot fills one
statement of many rows, several, or several and a remainder.

The expected table is written by plain sqlite3 (executemany of the rows as they are, one row per statement), never
by the code under test."""
from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.store.column_insert import NULL_MARK, ROWS_PER_INSERT, Same, insert_lot
from cvdesk.store.engine import raw

# The affinities of cvdesk's tables: INTEGER ids, amounts and booleans, VARCHAR texts, DATE (numeric affinity),
# and one column without any.
COLUMNS = {"amount": "INTEGER", "label": "VARCHAR(255)", "day": "DATE", "notes": "TEXT", "other": ""}
TABLE = f"CREATE TABLE {{}} (id INTEGER PRIMARY KEY, {', '.join(f'{k} {t}' for k, t in COLUMNS.items())})"
PICTURE = "SELECT id, " + ", ".join(f"typeof({k}), quote({k})" for k in COLUMNS) + " FROM {} ORDER BY id"

values = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                   st.sampled_from(["", "0.5", "2040-03-01", "l'été", "a''b", "x\x00y", str(NULL_MARK), "NULL", "?",
                                    "12"]),
                   st.text(st.characters(blacklist_categories=("Cs",)), max_size=8))
# Lots around the size of one statement: one row, one short of it, exactly it, one more, two and a half.
COUNTS = st.sampled_from([1, 2, ROWS_PER_INSERT - 1, ROWS_PER_INSERT, ROWS_PER_INSERT + 1, 5 * ROWS_PER_INSERT // 2])


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(":memory:")
    conn.execute(TABLE.format("plain"))
    conn.executemany(f"INSERT INTO plain VALUES ({', '.join('?' * (len(COLUMNS) + 1))})", rows)
    return conn.execute(PICTURE.format("plain")).fetchall()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(*[values] * len(COLUMNS)), min_size=1, max_size=4), COUNTS,
       st.lists(st.one_of(st.none(), values), min_size=len(COLUMNS), max_size=len(COLUMNS)),
       st.sets(st.integers(0, len(COLUMNS) - 1)))
def test_a_lot_given_by_columns_is_stored_as_plain_inserts_store_its_rows(
        empty_db: Any, pattern: list[tuple[Any, ...]], count: int, shared: list[Any], same: set[int]) -> None:
    """The rows repeat a few patterns (so that some columns hold one value throughout); the columns in `same` are
    given as Same(value) instead."""
    rows = [pattern[n % len(pattern)] for n in range(count)]
    columns: list[Any] = [range(1, count + 1)]
    for k in range(len(COLUMNS)):
        columns.append(Same(shared[k]) if k in same else [row[k] for row in rows])
    expected_rows = [tuple(column.value if isinstance(column, Same) else column[n] for column in columns)
                     for n in range(count)]
    raw().execute("DROP TABLE IF EXISTS scratch")  # the base is the same for every example
    raw().execute(TABLE.format("scratch"))
    try:
        insert_lot("scratch", ("id", *COLUMNS), columns)
    except OverflowError:  # an integer past 64 bits is refused, bound or not
        expected = "refusé"
    else:
        expected = None
    if expected is None:
        assert raw().execute(PICTURE.format("scratch")).fetchall() == _plain(expected_rows)
    else:
        try:
            _plain(expected_rows)
        except OverflowError:
            return
        raise AssertionError("insert_lot refused a lot that plain inserts store")


def test_a_history_lot_of_two_and_a_half_statements_keeps_its_order_and_shared_values(empty_db: Any) -> None:
    # 250 history rows of one lot: the time, office and user shared, the record's type varying, the ids left to
    # SQLite (which numbers them in the order given).
    count = 250
    now = "2026-12-01T06:00:00.000000Z"
    raw().execute("CREATE TABLE lot (id INTEGER PRIMARY KEY, uuid, created_at, updated_at, office, deleted, "
                  "record_type, record_uuid, operation, os_user, granted INTEGER, changes)")
    insert_lot("lot", ("id", "uuid", "created_at", "updated_at", "office", "deleted", "record_type", "record_uuid",
                       "operation", "os_user", "granted", "changes"),
               [Same(None), [f"u{n}" for n in range(count)], Same(now), Same(now), Same("Bureau d'en face"),
                Same(False), [("Action", "Funding")[n % 2] for n in range(count)], [f"r{n}" for n in range(count)],
                Same("create"), Same("jean"), [None if n % 3 else n for n in range(count)],
                [f'{{"n": [null, {n}]}}' for n in range(count)]])
    stored = raw().execute("SELECT id, uuid, office, typeof(deleted), deleted, record_type, granted, changes "
                           "FROM lot ORDER BY id").fetchall()
    assert len(stored) == 250
    assert stored[0] == (1, "u0", "Bureau d'en face", "integer", 0, "Action", 0, '{"n": [null, 0]}')
    assert stored[100] == (101, "u100", "Bureau d'en face", "integer", 0, "Action", None, '{"n": [null, 100]}')
    assert stored[249] == (250, "u249", "Bureau d'en face", "integer", 0, "Funding", 249, '{"n": [null, 249]}')
    assert [uuid for _, uuid, *_ in stored] == [f"u{n}" for n in range(count)]
    assert raw().execute("SELECT count(*) FROM lot WHERE granted IS NULL").fetchone()[0] == 166  # n % 3 != 0
