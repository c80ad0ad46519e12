"""The models' database on PostgreSQL: peewee's PostgresqlDatabase (psycopg2, through cvdesk.store.pg_driver)
reading our raw SQL's ? placeholders, with values passed and read as SQLite passes and reads them, so that the code
above the store runs unchanged.

The base's first connection is made without peewee (cvdesk.store.postgres_connect: the window paints its first tab
on it); this database takes it in the thread that opened the base, and makes every other connection itself."""
from __future__ import annotations

from typing import Any, Sequence

from peewee import PostgresqlDatabase

from cvdesk.store import connection, pg_driver
from cvdesk.store.placeholders import to_psycopg
from cvdesk.store.postgres_connect import (
    LOCK_TIMEOUT_MS,
    connect_parameters,
    connection_error,
    set_up_session,
)
from cvdesk.store.postgres_prompt import typed_password
from cvdesk.store.target import PostgresTarget

# Kept here too for their older users (tests, lock_wait.py's comment): defined in postgres_connect.
__all__ = ["LOCK_TIMEOUT_MS", "CvdeskPostgresDatabase", "RawConnection", "connection_error", "models_database",
           "writes_refused"]


class CvdeskPostgresDatabase(PostgresqlDatabase):
    """peewee's PostgresqlDatabase whose execute_sql takes our SQL with ? placeholders (translated once per distinct
    statement); the queries peewee builds itself go to the server as peewee wrote them."""

    def _connect(self) -> Any:
        first = connection.take_first_connection()  # the opening's own, in the thread that opened the base
        if first is not None:
            return first
        conn = pg_driver.connect(str(self.database), **self.connect_params)
        set_up_session(conn, str(self.database))
        return conn

    def connection(self) -> Any:
        self._drop_lost_session()
        return super().connection()

    def cursor(self, named_cursor: Any = None) -> Any:
        self._drop_lost_session()
        return super().cursor(named_cursor)

    def _drop_lost_session(self) -> None:
        """A session the server ended (restarted, session terminated, network cut) is dropped between transactions,
        so that the next statement connects again: the window said the loss once and keeps working when the server
        answers. Inside a transaction the loss stays an error: its earlier statements are gone with the session."""
        state = self._state
        if not state.closed and state.conn is not None and state.conn.closed and not self.transaction_depth():
            self.close()

    def execute_sql(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        return super().execute_sql(to_psycopg(sql), tuple(params) if params else ())

    def execute(self, query: Any, **context_options: Any) -> Any:
        ctx = self.get_sql_context(**context_options)
        sql, params = ctx.sql(query).query()
        return super().execute_sql(sql, params)


class RawConnection:
    """A driver's connection taking our SQL as sqlite3's does: execute(sql, params) and executemany(sql, rows) return
    the cursor, with ? placeholders."""

    __slots__ = ("connection",)

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return pg_driver.run(self.connection, to_psycopg(sql), params)

    def executemany(self, sql: str, rows: Any) -> Any:
        return pg_driver.run_many(self.connection, to_psycopg(sql), rows)

    @property
    def in_transaction(self) -> bool:
        return pg_driver.in_transaction(self.connection)


def models_database(target: PostgresTarget) -> CvdeskPostgresDatabase:
    """The models' database for the open base: it connects at its first use in each thread (in the thread that opened
    the base, it takes the first connection), with the password typed this run if one was."""
    return CvdeskPostgresDatabase(target.url, **connect_parameters(target, typed_password(target.url)))


def writes_refused(database: CvdeskPostgresDatabase) -> bool:
    """Whether this role may read the base but not write to it: a server in recovery or a read-only session, or no
    right to insert and update actions (a role granted SELECT only)."""
    read_only_session, = database.execute_sql(
        "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'").fetchone()
    if read_only_session:
        return True
    if database.execute_sql("SELECT to_regclass('\"action\"')").fetchone()[0] is None:
        return False
    can_write, = database.execute_sql(
        "SELECT has_table_privilege('\"action\"', 'INSERT') AND has_table_privilege('\"action\"', 'UPDATE')").fetchone()
    return not can_write
