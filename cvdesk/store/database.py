"""Opening a cvdesk database: one program at a time, checks of the file, pragmas, permissions, schema upgrade."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from peewee import SqliteDatabase

from cvdesk.store import lock as db_lock
from cvdesk.store.backups import Backups, integrity_problem
from cvdesk.store.errors import StoreError, read_only_uri
from cvdesk.store.migrations import APPLICATION_ID, migrate
from cvdesk.store.models import db

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

SQLITE_HEADER = b"SQLite format 3\x00"

_held_lock: db_lock.DatabaseLock | None = None


def _create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _with_backup_hint(path: Path, message: str) -> str:
    good = Backups(path).newest_good()
    if good is None:
        return message + " Aucune sauvegarde en bon état n'a été trouvée."
    when = good.taken_at.astimezone().strftime("%d/%m/%Y à %H:%M")
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
    if integrity:
        verify_integrity(path, full=full_check)


def verify_integrity(path: Path, full: bool = False) -> None:
    """Raise StoreError, naming the newest good backup, when SQLite's check finds the file damaged."""
    problem = integrity_problem(path, full=full)
    if problem:
        raise StoreError(_with_backup_hint(path, f"La base {path} est endommagée ({problem})."))


def open_database(path: str | os.PathLike[str], *, create: bool = True, backup_on_open: bool = False,
                  defer_check: bool = False) -> SqliteDatabase:
    """Open (creating if allowed) the database at path, bind the models to it and migrate its schema.

    quick_check runs every time (the full integrity_check after an unclean exit), unless defer_check: then the
    caller runs verify_integrity() itself, as the window does in the background so that it shows at once.
    With backup_on_open, a verified backup is taken when one is due (at most once a day, only if it changed)."""
    global _held_lock
    close_database()
    path = Path(path)
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
    held = db_lock.acquire(path)
    try:
        if existed:
            _refuse_bad_file(path, full_check=held.unclean_exit, integrity=not defer_check)
        database = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
        db.initialize(database)
        try:
            database.connect(reuse_if_open=True)
            migrate(database)
        except sqlite3.DatabaseError as exc:
            database.close()
            raise StoreError(f"La base {path} est illisible ou endommagée ({exc}).") from exc
        except BaseException:
            database.close()
            raise
        if backup_on_open and existed:
            backups = Backups(path)
            if backups.due_at_open():
                backups.take("ouverture")
    except BaseException:
        held.release()
        raise
    _held_lock = held
    return database


def close_database() -> None:
    """Close the bound database, if any, and mark a clean exit."""
    global _held_lock
    database = db.obj
    if database is not None and not database.is_closed():
        database.close()
    if _held_lock is not None:
        _held_lock.release()
        _held_lock = None


def previous_exit_was_unclean() -> bool:
    """Whether the program that had the open database before did not close it (a crash, a power cut)."""
    return _held_lock is not None and _held_lock.unclean_exit


def database_path() -> Path | None:
    """The file the models are bound to."""
    database = db.obj
    return Path(database.database) if database is not None else None
