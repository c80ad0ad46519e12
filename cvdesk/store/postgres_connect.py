"""A PostgreSQL base's connections made with the driver alone (cvdesk.store.pg_driver, no peewee): the password
prompt, the session settings, the opening's questions, and our SQL's ? placeholders run on a plain connection.

The window's first paint reads its tab through the first connection made here (cvdesk.store.connection keeps it):
peewee, the models and cvdesk.store.postgres load after the paint, and the models' database then takes that same
connection in the thread that opened the base, as on SQLite."""
from __future__ import annotations

import os
import sys
from typing import Any, Sequence

from cvdesk.store import pg_driver
from cvdesk.store.errors import StoreError
from cvdesk.store.placeholders import to_psycopg
from cvdesk.store.postgres_prompt import keep_typed_password, password_prompt, typed_password
from cvdesk.store.target import PostgresTarget

# How long a statement waits for a row or table another session holds (a colleague's save, a merge or import being
# written) before it is refused, said in French (errors.describe_write_error: « la base est occupée … réessayez »),
# nothing written: without it a save behind a 24 s merge froze the window for as long. The same 5 s as SQLite's busy
# timeout (database.BUSY_TIMEOUT_MS). Bulk writers allow themselves longer in their own transaction (lock_wait.py).
LOCK_TIMEOUT_MS = 5000

# A server that does not answer is said after this many seconds, not after the system's TCP timeout (minutes, with
# the window frozen at its start); the URL's connect_timeout or PGCONNECT_TIMEOUT choose otherwise.
CONNECT_TIMEOUT_S = 10

PROMPT_ATTEMPTS = 3


def _lock_timeout_chosen(url: str) -> bool:
    """Whether the URL's options or PGOPTIONS already choose a lock_timeout (the administrator's choice is kept)."""
    return "lock_timeout" in url or "lock_timeout" in os.environ.get("PGOPTIONS", "")


def _options_chosen(url: str) -> bool:
    """Whether the URL or PGOPTIONS give the server options of their own (ours would replace theirs)."""
    return "options=" in url or bool(os.environ.get("PGOPTIONS"))


def needs_lock_timeout_statement(url: str) -> bool:
    """Whether a new connection must be told our lock_timeout by a statement: only when options of the URL or of
    PGOPTIONS, which libpq would otherwise lose, prevent giving it with the connection (no round trip then)."""
    return not _lock_timeout_chosen(url) and _options_chosen(url)


def connect_parameters(target: PostgresTarget, password: str | None) -> dict[str, Any]:
    """What libpq gets beside the URL: a connection timeout unless one is chosen, our lock_timeout as a server option
    (set by the server at the session's start: no statement, no round trip) unless options are chosen, the password
    typed this run."""
    params: dict[str, Any] = {}
    if "connect_timeout=" not in target.url and not os.environ.get("PGCONNECT_TIMEOUT"):
        params["connect_timeout"] = CONNECT_TIMEOUT_S
    if not _lock_timeout_chosen(target.url) and not _options_chosen(target.url):
        params["options"] = f"-c lock_timeout={LOCK_TIMEOUT_MS}"
    if password is not None:
        params["password"] = password
    return params


def set_up_session(conn: Any, url: str) -> None:
    """A new connection made ready for our SQL: adapters, autocommit (as peewee keeps its connections), and the
    lock_timeout when it could not go with the connection."""
    pg_driver.prepare_connection(conn)
    conn.autocommit = True
    if needs_lock_timeout_statement(url):
        pg_driver.run(conn, f"SET lock_timeout = {LOCK_TIMEOUT_MS}")


def connect_first(target: PostgresTarget) -> Any:
    """The base's first connection (so that a wrong address, a server down or a refused role is said at the opening,
    in French, not at the first query). When the server wants a password libpq has not found, the prompt (if any)
    asks for it, up to three times; the password typed is kept for the run (the other threads' connections)."""
    message = f"Mot de passe de la base PostgreSQL {target.display} :"
    asked = 0
    while True:
        typed = typed_password(target.url)
        try:
            conn = pg_driver.connect(target.url, **connect_parameters(target, typed))
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
        try:
            set_up_session(conn, target.url)
        except BaseException:
            conn.close()
            raise
        return conn


def _asks_for_password(exc: BaseException) -> bool:
    """Whether libpq failed for want of a password, or of the right one."""
    text = str(exc)
    return "no password supplied" in text or "password authentication failed" in text


def run(conn: Any, sql: str, params: Sequence[Any] | None = None) -> Any:
    """Our SQL (? placeholders) on a plain connection, as the models' database runs it: the cursor, to fetch from."""
    return pg_driver.run(conn, to_psycopg(sql), params or ())


# writes_refused()'s question, as an expression: a server in recovery or a read-only session, or no right to insert
# and update actions (a role granted SELECT only). has_table_privilege() of a missing table (a NULL regclass) is NULL:
# no table "action", nothing refused.
_REFUSED = ("pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
            " OR COALESCE(NOT (has_table_privilege(to_regclass('\"action\"'), 'INSERT')"
            " AND has_table_privilege(to_regclass('\"action\"'), 'UPDATE')), false)")


def opening_facts(conn: Any) -> tuple[int | None, bool]:
    """What the opening needs to know: the schema version (None without the cvdesk_schema table, 0 without its row)
    and whether this role may not write. One round trip for a cvdesk base (each is a wait on the server, before the
    window's first paint); a base without our schema table (a new one, another program's) is asked again, apart."""
    try:
        version, refused = run(conn, "SELECT (SELECT value FROM cvdesk_schema WHERE key = 'user_version'), "
                                     + _REFUSED).fetchone()
    except (pg_driver.UndefinedTable, pg_driver.UndefinedColumn):
        has_schema, refused = run(conn, f"SELECT to_regclass('cvdesk_schema') IS NOT NULL, {_REFUSED}").fetchone()
        if has_schema:
            raise  # a cvdesk_schema table without our columns: said as a base that could not be opened
        return None, bool(refused)
    return (int(version) if version is not None else 0), bool(refused)


def schema_is_empty(conn: Any) -> bool:
    """Whether the base's schema holds no table, view or sequence at all (a database just created)."""
    return not run(conn,
                   "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                   "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'v', 'm', 'p', 'f', 'S')").fetchone()[0]


def connection_error(target: PostgresTarget, exc: BaseException) -> StoreError | None:
    """A French sentence for what the server or libpq refused at the opening, None for anything else."""
    if isinstance(exc, StoreError):
        return None
    peewee = sys.modules.get("peewee")  # its errors only once it is loaded: the opening itself goes without it
    peewee_errors: tuple[type[BaseException], ...] = (peewee.DatabaseError,) if peewee is not None else ()
    cause: BaseException = exc
    # peewee re-raises the driver's error as its own, the original left as the context.
    while not isinstance(cause, pg_driver.Error) and (cause.__cause__ or cause.__context__) is not None:
        cause = cause.__cause__ or cause.__context__  # type: ignore[assignment]
    if not isinstance(cause, (pg_driver.Error, *peewee_errors)):
        return None
    reason = _first_line(cause)
    if isinstance(cause, pg_driver.InsufficientPrivilege):
        return StoreError(f"Ce rôle n'a pas les droits nécessaires sur la base PostgreSQL {target.display} ({reason}).")
    if isinstance(cause, pg_driver.OperationalError) or (peewee is not None and isinstance(exc, peewee.OperationalError)):
        return StoreError(f"Impossible de se connecter à la base PostgreSQL {target.display} ({reason}).")
    return StoreError(f"La base PostgreSQL {target.display} n'a pas pu être ouverte ({reason}).")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0].rstrip(".") if lines else type(exc).__name__
