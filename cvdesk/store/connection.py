"""The open base's first SQLite connection, usable for plain SQL before peewee and the models are loaded.

cvdesk.store.database opens the base (opened_database() stays the one place that opens and closes it) with a plain
sqlite3 connection and hands it here. The window's first paint reads its list through execute_sql() on that
connection alone: peewee, the models and the standard modules they pull in (uuid, socket, logging, decimal, json…)
load after the paint, at the first use of the models. Then the models' database (SharedSqliteDatabase) takes that
same connection in the thread that opened the base, so that the thread keeps one connection and one transaction
state; other threads get their own connections from peewee, as before."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:
    from peewee import Database, DatabaseProxy, SqliteDatabase


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


_opened: _Opened | None = None
_models_db: SqliteDatabase | None = None
_models_proxy: DatabaseProxy | None = None
# The models' database while a PostgreSQL base is open (cvdesk.store.postgres), None on SQLite.
_postgres: Database | None = None


def opened(path: Path, database: str, pragmas: dict[str, object], connect_params: dict[str, object],
           first: sqlite3.Connection) -> None:
    """database.py has opened the base in this thread: remember it, and bind the models to it if they are loaded."""
    global _opened
    _opened = _Opened(path, database, pragmas, connect_params, first)
    if _models_db is not None:
        _bind(_models_db)


def opened_postgres(database: Database) -> None:
    """database.py has opened a PostgreSQL base: the models (loaded now, the PostgreSQL path has no start-up to
    spare them) and every plain statement go to it."""
    global _postgres
    _postgres = database
    from cvdesk.store import models  # noqa: F401  (registers the proxy, pointed at the open base below)

    assert _models_proxy is not None
    _models_proxy.initialize(database)


def engine_name() -> str:
    return "sqlite" if _postgres is None else "postgresql"


def closed() -> None:
    """database.py closes the base: the connection of this thread, whoever holds it now."""
    global _opened, _postgres
    postgres, _postgres = _postgres, None
    if postgres is not None:
        if not postgres.is_closed():
            postgres.close()
        if _models_proxy is not None:
            _models_proxy.initialize(_models_db)
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
    proxy.initialize(_postgres if _postgres is not None else _models_db)


def _bind(database: SqliteDatabase) -> None:
    """Point the models' database at the open base (peewee's deferred initialisation); it connects on first use."""
    assert _opened is not None
    database.init(_opened.database, pragmas=_opened.pragmas, check_same_thread=False, **_opened.connect_params)


def take_first_connection() -> sqlite3.Connection | None:
    """The connection database.py opened, for the models' database in the thread that opened it, once."""
    if _opened is None or _opened.first is None or _opened.thread != threading.get_ident():
        return None
    first, _opened.first = _opened.first, None
    return first


def execute_sql(sql: str, params: Sequence[Any] | None = None) -> sqlite3.Cursor:
    """Run one statement on the open base, as peewee's db.execute_sql does: on the first connection while the
    models are not loaded (the window's start), else through the models' database (this thread's connection)."""
    if _postgres is not None:
        return _postgres.execute_sql(sql, params)
    current = _opened
    if current is not None and current.first is not None and current.thread == threading.get_ident():
        return current.first.execute(sql, params or ())
    from cvdesk.store.models import db  # loads peewee and binds the models to the open base

    return db.execute_sql(sql, params)
