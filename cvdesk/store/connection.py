"""The open base's first connection (SQLite or PostgreSQL), usable for plain SQL before peewee and the models are loaded.

cvdesk.store.database opens the base (opened_database() stays the one place that opens and closes it) with a plain
sqlite3 connection, or a plain psycopg2 one (cvdesk.store.postgres_connect), and hands it here. The window's first
paint reads its tab through execute_sql() on that connection alone: peewee, the models and the standard modules they
pull in (uuid, socket, logging, decimal, json…) load after the paint, at the first use of the models. Then the
models' database (SharedSqliteDatabase, or CvdeskPostgresDatabase made then) takes that same connection in the
thread that opened the base, so that the thread keeps one connection and one transaction state; other threads get
their own connections from peewee, as before."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from peewee import Database, DatabaseProxy, SqliteDatabase

    from cvdesk.store.target import PostgresTarget


class _Opened:
    """What database.py opened: where, how (for peewee's other connections), and its first connection (a plain
    class: a dataclass costs about a millisecond to create, at every start)."""

    __slots__ = ("path", "database", "pragmas", "connect_params", "first", "thread")

    def __init__(self, path: Path, database: str, pragmas: dict[str, object], connect_params: dict[str, object],
                 first: sqlite3.Connection) -> None:
        self.path = path
        self.database = database  # the file name, or its read-only URI
        self.pragmas = pragmas
        self.connect_params = connect_params
        self.first: sqlite3.Connection | None = first  # None once the models' database has taken it
        self.thread = threading.get_ident()  # the thread that opened the base


class _OpenedPostgres:
    """A PostgreSQL base database.py opened: its address and first connection (a psycopg2 one, prepared by
    postgres_connect), and the thread that opened it."""

    __slots__ = ("target", "first", "thread")

    def __init__(self, target: PostgresTarget, first: Any) -> None:
        self.target = target
        self.first: Any = first  # None once the models' database has taken it
        self.thread = threading.get_ident()


_opened: _Opened | None = None
_models_db: SqliteDatabase | None = None
_models_proxy: DatabaseProxy | None = None
_opened_postgres: _OpenedPostgres | None = None
# The models' database while a PostgreSQL base is open (cvdesk.store.postgres), made at its first use: None before,
# and on SQLite.
_postgres: Database | None = None
_making = threading.Lock()


def opened(path: Path, database: str, pragmas: dict[str, object], connect_params: dict[str, object],
           first: sqlite3.Connection) -> None:
    """database.py has opened the base in this thread: remember it, and bind the models to it if they are loaded."""
    global _opened
    _opened = _Opened(path, database, pragmas, connect_params, first)
    if _models_db is not None:
        _bind(_models_db)


def opened_postgres(target: PostgresTarget, first: Any) -> None:
    """database.py has opened a PostgreSQL base in this thread with a plain psycopg2 connection: plain statements go to
    it; the models' database is made at the models' first use (at once if they are loaded already)."""
    global _opened_postgres
    _opened_postgres = _OpenedPostgres(target, first)
    if _models_proxy is not None:
        _models_proxy.initialize(postgres_database())


def postgres_database() -> Database:
    """The models' database on the open PostgreSQL base (peewee's, cvdesk.store.postgres), made at its first call."""
    global _postgres
    with _making:
        if _postgres is None:
            assert _opened_postgres is not None, "aucune base PostgreSQL n'est ouverte"
            from cvdesk.store.postgres import models_database

            _postgres = models_database(_opened_postgres.target)
        return _postgres


def engine_name() -> str:
    return "sqlite" if _opened_postgres is None else "postgresql"


def closed() -> None:
    """database.py closes the base: the connection of this thread, whoever holds it now."""
    global _opened, _postgres, _opened_postgres
    with _making:
        postgres, _postgres = _postgres, None
    opened_postgres_now, _opened_postgres = _opened_postgres, None
    if postgres is not None and not postgres.is_closed():
        postgres.close()
    if opened_postgres_now is not None:
        if _models_proxy is not None:
            _models_proxy.initialize(_models_db)
        if opened_postgres_now.first is not None:
            opened_postgres_now.first.close()
    opened_now, _opened = _opened, None
    if _models_db is not None and not _models_db.deferred and not _models_db.is_closed():
        _models_db.close()
    if opened_now is not None and opened_now.first is not None:
        opened_now.first.close()


def register_models_database(database: SqliteDatabase) -> None:
    """The models' database, once cvdesk.store.models is loaded: bound at once to the base open now, if any."""
    global _models_db
    _models_db = database
    if _opened is not None:
        _bind(database)


def register_models_proxy(proxy: DatabaseProxy) -> None:
    """cvdesk.store.models.db, the name every module uses: it points at the open base's engine."""
    global _models_proxy
    _models_proxy = proxy
    proxy.initialize(postgres_database() if _opened_postgres is not None else _models_db)


def _bind(database: SqliteDatabase) -> None:
    """Point the models' database at the open base (peewee's deferred initialisation); it connects on first use."""
    assert _opened is not None
    database.init(_opened.database, pragmas=_opened.pragmas, check_same_thread=False, **_opened.connect_params)


def take_first_connection() -> Any:
    """The connection database.py opened (sqlite3's or psycopg2's), for the models' database in the thread that opened
    it, once."""
    current: _Opened | _OpenedPostgres | None = _opened_postgres if _opened_postgres is not None else _opened
    if current is None or current.first is None or current.thread != threading.get_ident():
        return None
    first, current.first = current.first, None
    return first


def execute_sql(sql: str, params: Sequence[Any] | None = None) -> sqlite3.Cursor:
    """Run one statement on the open base, as peewee's db.execute_sql does: on the first connection while the
    models are not loaded (the window's start), else through the models' database (this thread's connection)."""
    postgres = _opened_postgres
    if postgres is not None:
        if postgres.first is not None and postgres.thread == threading.get_ident():
            if not postgres.first.closed:
                from cvdesk.store.postgres_connect import run

                return run(postgres.first, sql, params)  # type: ignore[return-value]
            # A session the server ended (said once, by the statement that met it): dropped, so that the models'
            # database connects again, as it does for its own sessions (postgres._drop_lost_session).
            lost, postgres.first = postgres.first, None
            lost.close()
        return postgres_database().execute_sql(sql, params)  # type: ignore[no-any-return]
    current = _opened
    if current is not None and current.first is not None and current.thread == threading.get_ident():
        return current.first.execute(sql, params or ())
    from cvdesk.store.models import db  # loads peewee and binds the models to the open base

    return db.execute_sql(sql, params)
