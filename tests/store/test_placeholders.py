"""Our SQL keeps SQLite's ? placeholders on PostgreSQL: whatever a literal, an identifier or a comment holds (?, %,
quotes, $…$), the statement reads back on the server exactly what SQLite would read."""
from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cvdesk.store.placeholders import to_psycopg

TRICKY = st.text(alphabet=st.sampled_from(list("ab?%'\"$-/*\n é%s")), max_size=30)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def test_marks_outside_quotes_become_psycopg_marks_and_percent_signs_are_doubled() -> None:
    assert to_psycopg("SELECT id FROM \"action\" WHERE title LIKE '%?%' AND year = ? -- 50 %") == (
        "SELECT id FROM \"action\" WHERE title LIKE '%%?%%' AND year = %s -- 50 %%")
    assert to_psycopg("SELECT 1 WHERE x = %s") == "SELECT 1 WHERE x = %s"  # peewee's own SQL passes as it is


@pytest.mark.postgresql
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(TRICKY, min_size=1, max_size=3), value=TRICKY)
def test_any_literal_and_parameter_read_back_alike_on_both_engines(pg_server: Any, texts: list[str],
                                                                   value: str) -> None:
    sql = "SELECT " + ", ".join(_literal(t) for t in texts) + ", ? /* ? % */"
    expected = sqlite3.connect(":memory:").execute(sql, (value,)).fetchone()
    conn = pg_server.connect()
    try:
        from cvdesk.store.pg_driver import prepare_connection

        prepare_connection(conn)
        got = conn.execute(to_psycopg(sql), (value,)).fetchone()
    finally:
        conn.close()
    assert got == expected
