"""Which engine the open base runs on, and its raw connection taking our SQL (SQLite's ? placeholders) on both."""
from __future__ import annotations

from typing import Any, Iterable, Protocol, Sequence

from cvdesk.store import connection


class RawCursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int = ...) -> list[Any]: ...
    def __iter__(self) -> Any: ...


class RawConnection(Protocol):
    """What raw() gives: sqlite3's connection on SQLite, its like on PostgreSQL (cvdesk.store.postgres)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> Any: ...


def engine_name() -> str:
    """"sqlite" or "postgresql": the engine of the open base (SQLite when none is open)."""
    return connection.engine_name()


def is_postgres() -> bool:
    """Whether the open base is a PostgreSQL database."""
    return connection.engine_name() == "postgresql"


def raw() -> RawConnection:
    """This thread's connection to the open base, for plain SQL with ? placeholders: on SQLite the sqlite3 connection
    itself (no cost), on PostgreSQL the psycopg2 connection behind a translation of the placeholders."""
    from cvdesk.store.models import db

    if is_postgres():
        from cvdesk.store.postgres import RawConnection as PostgresRaw

        return PostgresRaw(db.connection())
    return db.connection()  # type: ignore[no-any-return]


def after_explicit_ids(table: str) -> None:
    """After rows were inserted with their ids given (a merge, a copy): on PostgreSQL the table's id sequence moves
    past the largest id, so that the next record created gets a free one (SQLite needs nothing)."""
    if not is_postgres():
        return
    from cvdesk.store.models import db

    db.execute_sql(
        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE((SELECT max(id) FROM \"{table}\"), 0) + 1,"
        " false)")
