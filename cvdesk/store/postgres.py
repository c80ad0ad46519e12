"""The models' database on PostgreSQL: peewee's PostgresqlDatabase (psycopg 3) reading our raw SQL's ? placeholders,
with values passed and read as SQLite passes and reads them, so that the code above the store runs unchanged."""
from __future__ import annotations

import os
from decimal import Decimal
from typing import Any, Sequence

import peewee
import psycopg
from peewee import PostgresqlDatabase
from psycopg.adapt import Loader
from psycopg.types.numeric import Int4Dumper
from psycopg.types.string import TextLoader

from cvdesk.store.errors import StoreError
from cvdesk.store.placeholders import to_psycopg
from cvdesk.store.postgres_prompt import keep_typed_password, password_prompt, typed_password
from cvdesk.store.target import PostgresTarget


def prepare_connection(conn: psycopg.Connection[Any]) -> None:
    """Make a psycopg connection behave as our SQLite code expects.

    Client-side binding (psycopg2's way): our SQL was written for SQLite, which takes a parameter anywhere (in a
    select list, in COALESCE(?, 0), in DDL) without a declared type; the server's binding refuses many of those.
    A Python bool goes as 0/1: the schema keeps flags as INTEGER on both engines (FlagField), and SQLite stores True
    as 1. A DATE comes back as its ISO text, as SQLite gives it, so that raw rows are the same on both engines
    (peewee's DateField reads the text as on SQLite). A numeric (what sum() of a BIGINT column and avg() give) comes
    back as an int when whole, as SQLite's INTEGER (an exact Decimal otherwise)."""
    conn.cursor_factory = psycopg.ClientCursor
    conn.adapters.register_dumper(bool, Int4Dumper)
    conn.adapters.register_loader("date", TextLoader)
    conn.adapters.register_loader("numeric", _SqliteNumberLoader)


class _SqliteNumberLoader(Loader):
    """A numeric read as an int when it is whole (sum() of a BIGINT column: money in cents), as SQLite gives an
    INTEGER; a fractional one (an average) stays an exact Decimal (no float near money)."""

    def load(self, data: Any) -> int | Decimal:
        text = bytes(data).decode()
        if text.lstrip("-").isdigit():
            return int(text)
        return Decimal(text)


class CvdeskPostgresDatabase(PostgresqlDatabase):
    """peewee's PostgresqlDatabase whose execute_sql takes our SQL with ? placeholders (translated once per distinct
    statement); the queries peewee builds itself go to the server as peewee wrote them."""

    def _connect(self) -> psycopg.Connection[Any]:
        conn = super()._connect()
        prepare_connection(conn)
        if not _lock_timeout_chosen(str(self.database)):
            conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        return conn

    def connection(self) -> psycopg.Connection[Any]:
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
    """A psycopg connection taking our SQL as sqlite3's does: execute(sql, params) and executemany(sql, rows) return
    the cursor, with ? placeholders."""

    __slots__ = ("connection",)

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor[Any]:
        cursor = self.connection.cursor()
        cursor.execute(to_psycopg(sql), tuple(params))
        return cursor

    def executemany(self, sql: str, rows: Any) -> psycopg.Cursor[Any]:
        cursor = self.connection.cursor()
        cursor.executemany(to_psycopg(sql), rows)
        return cursor

    @property
    def in_transaction(self) -> bool:
        return self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


PROMPT_ATTEMPTS = 3


def connect(target: PostgresTarget) -> CvdeskPostgresDatabase:
    """The models' database for target, its first connection made (so that a wrong address, a server down or a
    refused role is said at the opening, in French, not at the first query). When the server wants a password
    libpq has not found, the prompt (if any) asks for it, up to three times."""
    message = f"Mot de passe de la base PostgreSQL {target.display} :"
    asked = 0
    while True:
        typed = typed_password(target.url)
        database = CvdeskPostgresDatabase(target.url, **_connect_parameters(target, typed))
        try:
            database.connect()
            return database
        except BaseException as exc:
            prompt = password_prompt()
            if prompt is not None and _asks_for_password(exc):
                if asked == PROMPT_ATTEMPTS:
                    keep_typed_password(target.url, None)
                    raise StoreError(f"Connexion à la base PostgreSQL {target.display} refusée : le mot de passe "
                                     f"saisi a été refusé {PROMPT_ATTEMPTS} fois.") from None
                asked += 1
                answer = prompt(message if typed is None else
                                 f"Mot de passe refusé par le serveur ; mot de passe de la base {target.display} :")
                if answer is None:
                    raise StoreError(f"Connexion à la base PostgreSQL {target.display} abandonnée : aucun mot de "
                                     "passe n'a été saisi.") from None
                keep_typed_password(target.url, answer)
                continue
            problem = connection_error(target, exc)
            if problem is not None:
                raise problem from exc
            raise


# How long a statement waits for a row or table another session holds (a colleague's save, a merge or import being
# written) before it is refused, said in French (errors.describe_write_error: « la base est occupée … réessayez »),
# nothing written: without it a save behind a 24 s merge froze the window for as long. The same 5 s as SQLite's busy
# timeout (database.BUSY_TIMEOUT_MS). Bulk writers allow themselves longer in their own transaction (lock_wait.py).
LOCK_TIMEOUT_MS = 5000


def _lock_timeout_chosen(url: str) -> bool:
    """Whether the URL's options or PGOPTIONS already choose a lock_timeout (the administrator's choice is kept)."""
    return "lock_timeout" in url or "lock_timeout" in os.environ.get("PGOPTIONS", "")


# A server that does not answer is said after this many seconds, not after the system's TCP timeout (minutes, with
# the window frozen at its start); the URL's connect_timeout or PGCONNECT_TIMEOUT choose otherwise.
CONNECT_TIMEOUT_S = 10


def _connect_parameters(target: PostgresTarget, password: str | None) -> dict[str, Any]:
    """What libpq gets beside the URL: a connection timeout unless one is chosen, the password typed this run."""
    params: dict[str, Any] = {}
    if "connect_timeout=" not in target.url and not os.environ.get("PGCONNECT_TIMEOUT"):
        params["connect_timeout"] = CONNECT_TIMEOUT_S
    if password is not None:
        params["password"] = password
    return params


def _asks_for_password(exc: BaseException) -> bool:
    """Whether libpq failed for want of a password, or of the right one."""
    text = str(exc)
    return "no password supplied" in text or "password authentication failed" in text


def schema_is_empty(database: CvdeskPostgresDatabase) -> bool:
    """Whether the base's schema holds no table, view or sequence at all (a database just created)."""
    return not database.execute_sql(
        "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')").fetchone()[0]


def opening_facts(database: CvdeskPostgresDatabase) -> tuple[int | None, bool]:
    """What the opening needs to know, in two round trips instead of five (each is a wait on the server, before the
    window's first paint): the schema version (None without the cvdesk_schema table) and writes_refused()'s answer.
    has_table_privilege() of a missing table (a NULL regclass) is NULL: no table "action", nothing refused."""
    has_schema, refused = database.execute_sql(
        "SELECT to_regclass('cvdesk_schema') IS NOT NULL, pg_is_in_recovery()"
        " OR current_setting('transaction_read_only') = 'on'"
        " OR COALESCE(NOT (has_table_privilege(to_regclass('\"action\"'), 'INSERT')"
        " AND has_table_privilege(to_regclass('\"action\"'), 'UPDATE')), false)").fetchone()
    if not has_schema:
        return None, bool(refused)
    row = database.execute_sql("SELECT value FROM cvdesk_schema WHERE key = 'user_version'").fetchone()
    return (int(row[0]) if row else 0), bool(refused)


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


def connection_error(target: PostgresTarget, exc: BaseException) -> StoreError | None:
    """A French sentence for what the server or libpq refused at the opening, None for anything else."""
    if isinstance(exc, StoreError):
        return None
    cause: BaseException = exc
    # peewee re-raises psycopg's error as its own, the original left as the context.
    while not isinstance(cause, psycopg.Error) and (cause.__cause__ or cause.__context__) is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    if not isinstance(cause, (psycopg.Error, peewee.DatabaseError)):
        return None
    reason = _first_line(cause)
    if isinstance(cause, psycopg.errors.InsufficientPrivilege):
        return StoreError(f"Ce rôle n'a pas les droits nécessaires sur la base PostgreSQL {target.display} ({reason}).")
    if isinstance(cause, psycopg.OperationalError) or isinstance(exc, peewee.OperationalError):
        return StoreError(f"Impossible de se connecter à la base PostgreSQL {target.display} ({reason}).")
    return StoreError(f"La base PostgreSQL {target.display} n'a pas pu être ouverte ({reason}).")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else type(exc).__name__
