"""A value the copy lets through to PostgreSQL is one the server keeps unchanged: the copy's check of what a SQLite
file may hold (copy_database.refusal) held to the server itself, over many values (hypothesis). SQLite checks neither
declared types nor lengths, so a file may hold text in an integer column, a NUL in a text, an impossible date."""
from __future__ import annotations

from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.store.copy_database import ColumnRule, refusal

# The column types our PostgreSQL schema uses (frozen_schema_pg), one column each in a scratch table.
COLUMNS = {
    "i": ColumnRule("i", "integer", None),
    "b": ColumnRule("b", "bigint", None),
    "d": ColumnRule("d", "date", None),
    "t": ColumnRule("t", "text", None),
    "u": ColumnRule("u", "character varying", 36),
}
SQLITE_INTEGERS = st.integers(-2**63, 2**63 - 1)
WHATEVER_SQLITE_HOLDS = st.one_of(SQLITE_INTEGERS, st.text(max_size=40), st.floats(allow_nan=False),
                                  st.binary(max_size=8), st.none())
DATE_LIKE = st.one_of(st.dates().map(lambda d: d.isoformat()),
                      st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}", fullmatch=True),
                      st.sampled_from(["20150301", "today", "2015-W10-1", "2015-03-01 ", "2015-3-1"]))


@pytest.fixture(scope="module")
def server(pg_server: Any) -> Iterator[Any]:
    name = pg_server.new_database_name("valeurs")
    pg_server.create_database(name)
    conn = pg_server.connect(name)
    conn.execute("CREATE TABLE v (i INTEGER, b BIGINT, d DATE, t TEXT, u VARCHAR(36))")
    yield conn
    conn.close()
    pg_server.drop_database(name)


def kept_unchanged(conn: Any, column: str, value: Any) -> bool:
    """Whether the server takes value by COPY (as the copy writes it: cvdesk.store.pg_driver.copy_rows) and gives
    the very same value back."""
    import psycopg2

    from cvdesk.store import pg_driver

    conn.execute("BEGIN")
    try:
        pg_driver.copy_rows(conn, f"COPY v ({column}) FROM STDIN", [(value,)])
        back = conn.execute(f"SELECT {column}::text FROM v").fetchone()[0]
    except (psycopg2.DataError, psycopg2.InternalError, ValueError, TypeError):
        return False
    finally:
        conn.execute("ROLLBACK")
    if value is None:
        return back is None
    return back == (str(value) if isinstance(value, int) else value)


def _held(server: Any, column: str, value: Any) -> None:
    if refusal(COLUMNS[column], value) is None:
        assert kept_unchanged(server, column, value), (column, value)
    else:
        assert not isinstance(value, type(None))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(column=st.sampled_from(["i", "b", "t", "u"]), value=WHATEVER_SQLITE_HOLDS)
def test_a_value_let_through_is_kept_unchanged(server: Any, column: str, value: Any) -> None:
    _held(server, column, value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=DATE_LIKE)
def test_a_date_let_through_is_kept_unchanged(server: Any, value: str) -> None:
    _held(server, "d", value)


@pytest.mark.parametrize(("column", "value"), [
    ("i", 2**31 - 1), ("b", 3_500_000_000), ("b", -(2**63)), ("d", "2015-02-28"), ("d", "2016-02-29"),
    ("t", "Atelier « cuisine » \\ tab\tet saut\nde ligne"), ("u", "0" * 36), ("t", None),
])
def test_ordinary_values_pass(server: Any, column: str, value: Any) -> None:
    """What peewee writes into a sound base is never refused (the check above would hold for a check refusing all)."""
    assert refusal(COLUMNS[column], value) is None
    assert kept_unchanged(server, column, value)


def test_rows_beyond_one_read_of_the_stream_all_arrive_in_order(server: Any) -> None:
    """copy_rows hands psycopg2 its rows a batch of lines at each read: 4,501 rows cross two batches' edges, and
    every one arrives, texts with the characters COPY escapes unchanged (read back by plain SQL)."""
    from cvdesk.store import pg_driver

    rows = [(n, n * 10_000_000_000, None if n % 7 else "2016-02-29", f"ligne {n}\t\\ « {n % 3} »\n", None)
            for n in range(4501)]
    server.execute("BEGIN")
    try:
        pg_driver.copy_rows(server, "COPY v (i, b, d, t, u) FROM STDIN", rows)
        back = server.execute("SELECT i, b, d::text, t, u FROM v ORDER BY i").fetchall()
    finally:
        server.execute("ROLLBACK")
    assert back == rows
