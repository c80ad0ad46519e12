"""Opening a cvdesk database: pragmas, file permissions, recognising our files, bringing the schema up to date."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from peewee import SqliteDatabase

from cvdesk.store.errors import StoreError
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


def _create_private_file(path: Path) -> None:
    """Create an empty database file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _refuse_foreign_file(path: Path) -> None:
    """Refuse a file that is not SQLite, or that is another program's SQLite database."""
    size = path.stat().st_size
    if size == 0:
        return
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise StoreError(f"Le fichier {path} n'est pas une base de données cvdesk (ce n'est pas un fichier SQLite).")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"Le fichier {path} est illisible ou endommagé ({exc}).") from exc
    if tables and app_id != APPLICATION_ID:
        raise StoreError(f"Le fichier {path} est une base SQLite d'un autre programme, pas une base cvdesk.")


def open_database(path: str | os.PathLike[str], *, create: bool = True) -> SqliteDatabase:
    """Open (creating if allowed) the database at path, bind the models to it and migrate its schema."""
    path = Path(path)
    if path.is_dir():
        raise StoreError(f"{path} est un dossier, pas un fichier de base de données.")
    if path.exists():
        _refuse_foreign_file(path)
    elif create:
        try:
            _create_private_file(path)
        except OSError as exc:
            raise StoreError(f"Impossible de créer la base {path} : {exc.strerror or exc}.") from exc
    else:
        raise StoreError(f"La base {path} n'existe pas.")
    database = SqliteDatabase(str(path), pragmas=PRAGMAS, check_same_thread=False)
    db.initialize(database)
    try:
        database.connect(reuse_if_open=True)
        migrate(database)
    except sqlite3.DatabaseError as exc:
        database.close()
        raise StoreError(f"La base {path} est illisible ou endommagée ({exc}).") from exc
    except StoreError:
        database.close()
        raise
    return database


def close_database() -> None:
    """Close the bound database, if any."""
    database = db.obj
    if database is not None and not database.is_closed():
        database.close()


def database_path() -> Path | None:
    """The file the models are bound to."""
    database = db.obj
    return Path(database.database) if database is not None else None
