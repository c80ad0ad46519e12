"""Shared helpers for the exchange tests: whole-table pictures, file fingerprints, the command line in-process."""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from cvdesk import cli
from cvdesk.exchange.export_package import package_rows
from cvdesk.exchange.package_format import table_specs
from cvdesk.store.database import close_database, open_database


def tables_picture() -> dict[str, list[tuple[Any, ...]]]:
    """Every exchanged table of the open database, foreign keys as UUIDs, sorted by UUID."""
    return {spec.table: sorted(package_rows(spec)) for spec in table_specs()}


def ids_picture() -> dict[str, list[tuple[int, str]]]:
    """Every exchanged table's integer keys with their UUIDs."""
    from cvdesk.store.models import db

    return {spec.table: list(db.execute_sql(f'SELECT id, uuid FROM "{spec.table}" ORDER BY id'))
            for spec in table_specs()}


def fingerprint(db: Path) -> tuple[str, ...]:
    """The bytes of the database and its WAL, as they are on disk."""
    out = []
    for suffix in ("", "-wal"):
        part = Path(str(db) + suffix)
        out.append(hashlib.sha256(part.read_bytes()).hexdigest() if part.exists() else "-")
    return tuple(out)


def settle(db: Path) -> None:
    """Fold the WAL into the file, so that opening and closing it later leaves every byte in place."""
    close_database()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def copy_db(source: Path, target: Path) -> Path:
    close_database()
    shutil.copyfile(source, target)
    return target


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    """cvdesk's command line run in this process (much faster than a subprocess); the database closed after."""
    capsys.readouterr()
    code = cli.main(list(args))
    close_database()
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def open_db(path: Path) -> None:
    open_database(path)
