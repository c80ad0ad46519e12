"""Plain psycopg2 connections for the tests, independent of cvdesk's code (none of cvdesk.store.pg_driver's value
conversions): the oracle's, a colleague's session, the cluster's administration. execute() returns the cursor, as
sqlite3's does."""
from __future__ import annotations

from typing import Any, Sequence

import psycopg2
import psycopg2.extensions


class PlainConnection(psycopg2.extensions.connection):
    """A psycopg2 connection whose with-block closes it at its end (psycopg2's own only ends the transaction)."""

    def __exit__(self, *exc: Any) -> None:
        try:
            super().__exit__(*exc)
        finally:
            self.close()

    def execute(self, sql: Any, params: Sequence[Any] | None = None) -> Any:
        cursor = self.cursor()
        cursor.execute(sql, tuple(params) if params is not None else None)
        return cursor


def connect(dsn: str | None = None, autocommit: bool = False, **params: Any) -> PlainConnection:
    conn = psycopg2.connect(dsn, connection_factory=PlainConnection, **params)
    conn.autocommit = autocommit
    return conn  # type: ignore[return-value]
