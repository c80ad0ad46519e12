"""Opening a cvdesk database: one program at a time, checks of the file, pragmas, permissions, schema upgrade.

The window and every command open the database through opened_database(), a context: leaving it (normally or by an
exception) closes the connection and releases the lock, which marks a clean exit, so that the next opening takes the
quick path (quick_check) instead of the full integrity check kept for unclean exits.

A PostgreSQL database (a postgresql:// URL instead of a path, cvdesk.store.target) opens without any of the file's
care (no lock, no WAL, no checks of a file, no backup at opening: the server keeps its data), on a plain psycopg2
connection (cvdesk.store.postgres_connect); peewee's PostgreSQL database (cvdesk.store.postgres) is made at the
models' first use and takes that connection, as on SQLite.

A SQLite base is opened with a plain sqlite3 connection (cvdesk.store.connection keeps it): on both engines peewee and
the models are loaded when a schema step is pending, when the caller asks for the models' database, or at their first
use; the window asks for neither, so that its first paint does not wait for them."""
from __future__ import annotations

import errno
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

from cvdesk.domain.dates import format_moment
from cvdesk.store import connection
from cvdesk.store import lock as db_lock
from cvdesk.store.errors import StoreError, describe_os_error, read_only_uri
from cvdesk.store.schema_latest import APPLICATION_ID, LATEST_SCHEMA
from cvdesk.store.search_index import FOLDED_FIELDS, folded_fields
from cvdesk.store.target import PostgresTarget, is_postgres_url, parse_target

if TYPE_CHECKING:
    from peewee import SqliteDatabase

    from cvdesk.store.migrations import Migration

BUSY_TIMEOUT_MS = 5000

PRAGMAS = {
    "journal_mode": "wal",
    # The coordinator often holds the only copy: a confirmed save must survive a power cut.
    "synchronous": "full",
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "cache_size": -32000,
    "temp_store": "memory",
}
# A database on a read-only folder or medium (a CD, a write-protected key, a share without write rights):
# no WAL to create, no lock file, and SQLite itself refuses every write.
READ_ONLY_PRAGMAS = {"foreign_keys": 1, "busy_timeout": BUSY_TIMEOUT_MS, "cache_size": -32000,
                     "temp_store": "memory", "query_only": 1}
READ_ONLY_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)

SQLITE_HEADER = b"SQLite format 3\x00"

_held_lock: db_lock.DatabaseLock | None = None
_read_only = False
_open_path: Path | None = None
_full_check_pending = False
_open_target: PostgresTarget | None = None


def _create_private_file(path: Path) -> None:
    """Create a database file readable by its owner only, marked as ours from its first page on (so that a
    creation cut short is recognised as ours, and an empty SQLite file of another program is not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.close(fd)
    conn = sqlite3.connect(path)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
    finally:
        conn.close()


def integrity_problem(path: Path, full: bool = True, stop: Callable[[], bool] | None = None) -> str | None:
    """SQLite's verdict on the file (cvdesk.store.backups), its module loaded when a check runs: the window's
    opening defers the check until after its first paint."""
    from cvdesk.store.backups import integrity_problem as problem

    return problem(path, full=full, stop=stop)


def _with_backup_hint(path: Path, message: str) -> str:
    from cvdesk.store.backups import Backups  # only for a refused file: not on the way of a sound one

    good = Backups(path).newest_good()
    if good is None:
        return message + " Aucune sauvegarde en bon état n'a été trouvée."
    when = format_moment(good.taken_at, " à ")
    return message + f" La sauvegarde en bon état la plus récente date du {when} : {good.path}."


def refuse_foreign_file(path: Path) -> None:
    """Refuse, without locking or writing, a file that is not a sound cvdesk database."""
    _refuse_bad_file(path, full_check=False)


def _refuse_bad_file(path: Path, full_check: bool, integrity: bool = True) -> None:
    """Refuse a file that is empty, not SQLite, truncated, damaged, or another program's database."""
    size = path.stat().st_size
    if size == 0:
        raise StoreError(_with_backup_hint(path, f"Le fichier {path} est vide : ce n'est pas une base cvdesk."))
    with path.open("rb") as handle:
        header = handle.read(100)
    if header[:16] != SQLITE_HEADER:
        raise StoreError(f"Le fichier {path} n'est pas une base de données cvdesk (ce n'est pas un fichier SQLite).")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    wal = Path(str(path) + "-wal")
    if pages and page_size and size < pages * page_size and not (wal.exists() and wal.stat().st_size):
        raise StoreError(_with_backup_hint(path, f"La base {path} est tronquée ({size} octets sur "
                                                 f"{pages * page_size} attendus)."))
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(_with_backup_hint(path, f"La base {path} est illisible ou endommagée ({exc}).")) from exc
    if tables and app_id != APPLICATION_ID:
        raise StoreError(f"Le fichier {path} est une base SQLite d'un autre programme, pas une base cvdesk.")
    if not tables and app_id != APPLICATION_ID:
        raise StoreError(f"Le fichier {path} est une base SQLite vide qui n'a pas été créée par cvdesk : "
                         "elle n'est pas adoptée (choisissez « Nouvelle base » pour en créer une).")
    if integrity:
        verify_integrity(path, full=full_check)


def verify_integrity(path: Path, full: bool = False, stop: Callable[[], bool] | None = None) -> None:
    """Raise StoreError, naming the newest good backup, when SQLite's check finds the file damaged
    (CheckInterrupted when stop() asked it to give up)."""
    problem = integrity_problem(path, full=full, stop=stop)
    if problem:
        raise StoreError(_with_backup_hint(path, f"La base {path} est endommagée ({problem})."))


def open_database(path: str | os.PathLike[str], *, create: bool = True, backup_on_open: bool = False,
                  defer_check: bool = False, full_check: bool = False,
                  migrations: Sequence[Migration] | None = None, models: bool = True) -> SqliteDatabase | None:
    """Open (creating if allowed) the database at path, bind the models to it and migrate its schema.

    Prefer opened_database(), which closes it again. quick_check runs every time (the full integrity_check after
    an unclean exit), unless defer_check: then the caller runs verify_integrity() itself, as the window does in
    the background so that it shows at once. full_check runs the full integrity check whatever the last exit was
    (the `check` command: a damaged file is refused here, naming its newest good backup). With backup_on_open, a
    verified backup is taken when one is due (at most once a day, only if it changed). A sound database on a
    read-only folder or medium opens read-only (is_read_only() then says so). migrations are the schema steps
    (tests add their own). Returns the models' database (peewee's), or None with models=False: then peewee and the
    models load at their first use (the window's start)."""
    global _held_lock, _read_only
    close_database()
    target = parse_target(path)
    if isinstance(target, PostgresTarget):
        _open_postgres(target, create, migrations)
        return _models_database() if models else None
    path = target.path
    if path.is_dir():
        raise StoreError(f"{path} est un dossier, pas un fichier de base de données.")
    existed = path.exists()
    if not existed and not create:
        raise StoreError(f"La base {path} n'existe pas.")
    if not existed:
        try:
            _create_private_file(path)
        except OSError as exc:
            raise StoreError(f"Impossible de créer la base {path} : {exc.strerror or exc}.") from exc
    try:
        held = db_lock.acquire(path)
    except OSError as exc:
        if not existed or exc.errno not in READ_ONLY_ERRNOS:
            raise StoreError(f"Impossible d'ouvrir la base {path} : {describe_os_error(exc)}.") from exc
        _open_read_only(path, defer_check, full_check, _latest(migrations))
        return _models_database() if models else None
    try:
        if existed:
            _refuse_bad_file(path, full_check=full_check or held.unclean_exit, integrity=not defer_check)
        try:
            _bind(path, str(path), PRAGMAS)
            if _schema_version() != _latest(migrations):
                _run_schema_steps(path, migrations)
        except sqlite3.DatabaseError as exc:
            _unbind()
            raise _unreadable(path, exc) from exc
        except BaseException:
            _unbind()
            raise
        if backup_on_open and existed:
            from cvdesk.store.backups import Backups

            backups = Backups(path)
            if backups.due_at_open():
                backups.take("ouverture")
    except BaseException:
        held.release()
        raise
    _held_lock = held
    _read_only = False
    return _models_database() if models else None


def _open_postgres(target: PostgresTarget, create: bool, migrations: Sequence[Migration] | None) -> None:
    """Connect to a PostgreSQL database with plain psycopg2 and bring its schema up to date; a base this role may read
    but not write opens read-only (is_read_only()). peewee and the models are not loaded here unless a schema step is
    pending (or the caller asks for the models' database): the window paints its first tab before them."""
    global _open_target, _read_only
    from cvdesk.store.postgres_connect import connect_first, connection_error, opening_facts, schema_is_empty

    first = connect_first(target)
    connection.opened_postgres(target, first)
    _open_target = target
    try:
        stored, refused = opening_facts(first)  # the schema version and whether writes are refused, one round trip
        version = stored or 0
        if version == 0 and not create and schema_is_empty(first):
            raise StoreError(f"La base PostgreSQL {target.display} est vide : ce n'est pas encore une base cvdesk "
                             "(créez-la avec « cvdesk demo » ou « cvdesk copy »).")
        if refused:
            if version != _latest(migrations):
                raise StoreError(f"La base PostgreSQL {target.display} doit être mise à jour (schéma {version}, ce "
                                 f"programme utilise le schéma {_latest(migrations)}), mais ce rôle ne peut "
                                 "pas y écrire : demandez la mise à jour à son administrateur.")
            _read_only = True
        elif version != _latest(migrations):
            from cvdesk.store.migrations import migrate

            migrate(_models_database(), _steps(migrations))
    except BaseException as exc:
        _unbind()
        problem = connection_error(target, exc)
        if problem is not None:
            raise problem from exc
        raise


def _latest(migrations: Sequence[Migration] | None) -> int:
    """The version these schema steps reach; None: the program's own steps, whose number is read without importing
    them (and their frozen SQL) before the window's first paint."""
    if migrations is None:
        return LATEST_SCHEMA
    from cvdesk.store.migrations import latest_version

    return latest_version(migrations)


def _steps(migrations: Sequence[Migration] | None) -> Sequence[Migration]:
    """The schema steps to climb: these, or the program's own."""
    if migrations is not None:
        return migrations
    from cvdesk.store.migrations import MIGRATIONS

    return MIGRATIONS


def _models_database() -> SqliteDatabase:
    """The models' database, bound to the open base (loading the models binds them)."""
    from cvdesk.store.models import db

    return db


def _unreadable(path: Path, exc: BaseException) -> StoreError:
    return StoreError(_with_backup_hint(path, f"La base {path} est illisible ou endommagée ({exc})."))


def _run_schema_steps(path: Path, migrations: Sequence[Migration] | None) -> None:
    """Bring the schema up to date through the models' database (a pending step is the only opening that loads
    peewee before the first use of the models)."""
    import peewee

    from cvdesk.store.migrations import migrate

    try:
        migrate(_models_database(), _steps(migrations))
    except peewee.DatabaseError as exc:
        raise _unreadable(path, exc) from exc


def _schema_version() -> int:
    if connection.engine_name() == "postgresql":
        from cvdesk.store.migrations import schema_version

        return schema_version(_models_database())
    return int(connection.execute_sql("PRAGMA user_version").fetchone()[0])


def _bind(path: Path, database: str, pragmas: dict[str, object], **kwargs: object) -> None:
    """Open the base's first connection as peewee opens its own (autocommit, the pragmas, the fold function of the
    lists); cvdesk.store.connection keeps it, and the models' database takes it when the models are loaded."""
    global _open_path
    first = sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False,
                            **kwargs)
    try:
        for key, value in pragmas.items():
            first.execute(f"PRAGMA {key} = {value}")
        first.create_function(FOLDED_FIELDS, -1, folded_fields, deterministic=True)
    except BaseException:
        first.close()
        raise
    connection.opened(path, database, pragmas, kwargs, first)
    _open_path = path


def _unbind() -> None:
    """Close the connection of a base refused while opening."""
    global _open_path, _open_target
    connection.closed()
    _open_path = None
    _open_target = None


def _open_read_only(path: Path, defer_check: bool, full_check: bool, latest: int) -> None:
    """Open a sound, up-to-date database that this program may not write to, for reading only."""
    global _read_only
    _refuse_bad_file(path, full_check=full_check, integrity=not defer_check)
    try:
        _bind(path, read_only_uri(path), READ_ONLY_PRAGMAS, uri=True)
        version = _schema_version()
    except sqlite3.DatabaseError as exc:
        _unbind()
        raise StoreError(f"La base {path} est dans un dossier en lecture seule et n'a pas pu être lue "
                         f"({exc}).") from exc
    if version != latest:
        _unbind()
        raise StoreError(f"La base {path} est dans un dossier en lecture seule et doit être mise à jour (schéma "
                         f"{version}, ce programme utilise le schéma {latest}) : copiez-la dans un "
                         "dossier où vous pouvez écrire.")
    _read_only = True


def is_read_only() -> bool:
    """Whether the open database was opened for reading only (a read-only folder or medium, or a PostgreSQL role
    that may read but not write)."""
    return _read_only


def read_only_notice(path: Path | str) -> str:
    if _open_target is not None or (isinstance(path, str) and is_postgres_url(path)):
        shown = _open_target.display if _open_target is not None else path
        return (f"Votre rôle sur la base PostgreSQL {shown} permet de la lire mais pas de la modifier : elle est "
                "ouverte en consultation, aucune modification ne pourra être enregistrée.")
    return (f"La base {path} est dans un dossier ou sur un support en lecture seule : elle est ouverte en "
            "consultation, aucune modification ne pourra être enregistrée.")


def keep_full_check_pending() -> None:
    """The full integrity check owed after an unclean exit was stopped before its verdict: the next opening runs it."""
    global _full_check_pending
    _full_check_pending = True


def close_database() -> None:
    """Close the bound database, if any, and mark a clean exit (or a full check still owed)."""
    global _held_lock, _read_only, _open_path, _full_check_pending, _open_target
    connection.closed()
    _read_only = False
    _open_path = None
    _open_target = None
    if _held_lock is not None:
        _held_lock.release(check_pending=_full_check_pending)
        _held_lock = None
    _full_check_pending = False


@contextmanager
def opened_database(path: str | os.PathLike[str], *, create: bool = True, backup_on_open: bool = False,
                    defer_check: bool = False, full_check: bool = False,
                    migrations: Sequence[Migration] | None = None,
                    models: bool = True) -> Iterator[SqliteDatabase | None]:
    """The one way to use a database: opened on entry, closed on every exit, so that the next opening is clean.
    With models=False it gives None, and peewee and the models load at their first use (see open_database)."""
    database = open_database(path, create=create, backup_on_open=backup_on_open, defer_check=defer_check,
                             full_check=full_check, migrations=migrations, models=models)
    try:
        yield database
    finally:
        close_database()


def previous_exit_was_unclean() -> bool:
    """Whether the program that had the open database before did not close it (a crash, a power cut)."""
    return _held_lock is not None and _held_lock.unclean_exit


def database_path() -> Path | None:
    """The file the models are bound to (None on PostgreSQL: see database_target())."""
    return _open_path


def database_target() -> PostgresTarget | None:
    """The PostgreSQL database the models are bound to, None on SQLite."""
    return _open_target


def database_display() -> str:
    """The open base as messages name it: its file, or its PostgreSQL address."""
    if _open_target is not None:
        return _open_target.display
    return str(_open_path) if _open_path is not None else ""
