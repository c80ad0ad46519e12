"""SQLite's rollback journal instead of its WAL for the time of a large import, when the importing connection is the
base's only one (the command line)."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator

from cvdesk.store.engine import is_postgres, raw


@contextmanager
def rollback_journal() -> Iterator[bool]:
    """The base in rollback-journal mode (DELETE) for the time of a bulk write, then in WAL again; yields whether
    it was switched. To open before the write's transaction (SQLite changes the mode outside one only).

    Why: in WAL mode every page of the write goes to the WAL, then the checkpoint at the commit reads it there and
    writes it again into the base (an import of 100,000 actions adds about 450 MB). A rollback journal keeps only
    the old content of the pages the write changes; the pages added past the end of the file, nearly all of them
    here, are written once, into the base. Just as safe: with synchronous=full, a power cut during the write
    leaves a journal that SQLite rolls back at the next opening, before it sets WAL again.

    Only when no other connection has the base open (SQLite refuses the change otherwise, at once, since the busy
    timeout is set to nothing for the attempt): in the window, whose other threads keep theirs, the import stays
    in WAL, where its readers never wait for the writer. PostgreSQL has no such modes: nothing is done there."""
    if is_postgres():
        yield False
        return
    conn = raw()
    if conn.in_transaction or str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
        yield False
        return
    timeout = conn.execute("PRAGMA busy_timeout").fetchone()[0]
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        switched = str(conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]).lower() == "delete"
    except sqlite3.OperationalError:  # « database is locked »: another connection holds the WAL open
        switched = False
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(timeout)}")
    try:
        yield switched
    finally:
        if switched:
            try:
                conn.execute("PRAGMA journal_mode = WAL")
            except sqlite3.OperationalError:
                pass  # the next opening of the base sets WAL again (cvdesk.store.database's pragmas)
