"""Plain SQL on a test's base, through sqlite3 or psycopg2 and none of cvdesk's code: where expected figures come from."""
from __future__ import annotations

import datetime
import decimal
import re
import sqlite3
from pathlib import Path
from typing import Any, Sequence

# A single-quoted literal (with '' inside), a ?, or a % : the only pieces a placeholder translation must tell apart.
_PIECES = re.compile(r"'(?:[^']|'')*'|\?|%")


def to_psycopg(sql: str) -> str:
    """SQLite's ? placeholders as psycopg's %s, every literal % doubled (psycopg reads % inside quotes too); a ?
    inside a quoted literal stays a question mark."""
    def piece(match: re.Match[str]) -> str:
        text = match.group(0)
        return "%s" if text == "?" else text.replace("%", "%%")

    return _PIECES.sub(piece, sql)


def alike(value: Any) -> Any:
    """A PostgreSQL value as SQLite gives it: integral numerics as int, dates and times as text."""
    if isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        return int(value)
    if isinstance(value, datetime.datetime):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


class SqlOracle:
    """One connection of its own to the test's base, opened at the first query, autocommit."""

    def __init__(self, engine: str, target: Path | str) -> None:
        self.engine = engine
        self.target = target
        self._connection: Any = None

    def _connect(self) -> Any:
        if self._connection is None:
            if self.engine == "sqlite":
                self._connection = sqlite3.connect(self.target, isolation_level=None)
            else:
                import pg_plain

                self._connection = pg_plain.connect(str(self.target), autocommit=True)
        return self._connection

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        connection = self._connect()
        if self.engine == "sqlite":
            return [tuple(row) for row in connection.execute(sql, tuple(params)).fetchall()]
        cursor = connection.execute(to_psycopg(sql), tuple(params))
        if cursor.description is None:
            return []
        return [tuple(alike(value) for value in row) for row in cursor.fetchall()]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
