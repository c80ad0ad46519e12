"""A bulk write given column by column stores each row exactly as a plain INSERT of the row's values stores it.

The merge and the imports hand SQLite their NULLs and booleans in cheaper forms (the literal NULL, an integer, a
marker that NULLIF() turns back into NULL): a funding line awaiting its decision must still hold NULL, not 0.5 nor
0, a tombstone 1, and a text that happens to read like the marker stays a text (and a column that does hold real numbers binds its NULLs as they are). The expected table is written by
plain sqlite3 (executemany of the rows as they are), never by the code under test.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.store.column_insert import NULL_MARK, insert_columns
from cvdesk.store.engine import raw

# The affinities of cvdesk's tables: INTEGER ids, amounts and booleans, VARCHAR texts, DATE (numeric affinity).
COLUMNS = {"amount": "INTEGER", "done": "INTEGER NOT NULL", "label": "VARCHAR(255)", "day": "DATE", "notes": "TEXT"}
TABLE = f"CREATE TABLE {{}} (id INTEGER NOT NULL PRIMARY KEY, {', '.join(f'{k} {t}' for k, t in COLUMNS.items())})"
PICTURE = "SELECT id, " + ", ".join(f"{k}, typeof({k})" for k in COLUMNS) + " FROM {} ORDER BY id"

values = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False),
                   st.sampled_from(["", "0.5", "2025-03-01", "Santé", str(NULL_MARK), "NULL"]),
                   st.text(st.characters(blacklist_categories=("Cs",)), max_size=12))
rows = st.lists(st.tuples(values, st.booleans(), values, values, values), max_size=30)


def _plain(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(":memory:")
    conn.execute(TABLE.format("plain"))
    conn.executemany(f"INSERT INTO plain VALUES ({', '.join('?' * (len(COLUMNS) + 1))})",
                     [(n, *row) for n, row in enumerate(rows, 1)])
    return conn.execute(PICTURE.format("plain")).fetchall()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows, st.sets(st.integers(0, len(COLUMNS))))
def test_rows_written_column_by_column_are_stored_as_a_plain_insert_stores_them(
        empty_db: Any, rows: list[tuple[Any, ...]], plain: set[int]) -> None:
    """Whatever columns the caller calls plain (a hint that they hold no None nor bool, even a wrong one)."""
    raw().execute("DROP TABLE IF EXISTS scratch")  # the base is the same for every example
    raw().execute(TABLE.format("scratch"))
    insert_columns("scratch", ("id", *COLUMNS), [range(1, len(rows) + 1), *zip(*rows)] if rows else [], plain)
    assert raw().execute(PICTURE.format("scratch")).fetchall() == _plain(rows)


def test_a_batch_of_funding_lines_awaiting_their_decisions_keeps_its_nulls(empty_db: Any) -> None:
    raw().execute(TABLE.format("scratch"))
    # Granted amounts: some NULL (not decided yet), some decided; no day anywhere; tombstones as booleans.
    insert_columns("scratch", ("id", *COLUMNS), [range(1, 5), [150_000, None, 0, None], [False, True, False, False],
                                                  ["Etat", "Région", "0.5", ""], [None] * 4, [None, "", "x", None]])
    stored = raw().execute("SELECT amount, typeof(amount), done, typeof(done), label, day, notes FROM scratch "
                           "ORDER BY id").fetchall()
    assert stored == [(150_000, "integer", 0, "integer", "Etat", None, None),
                      (None, "null", 1, "integer", "Région", None, ""),
                      (0, "integer", 0, "integer", "0.5", None, "x"),
                      (None, "null", 0, "integer", "", None, None)]
