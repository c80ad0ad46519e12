"""Foreign keys off for a bulk write, and the whole base's references checked once before its commit instead."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from cvdesk.store.engine import is_postgres, raw


@contextmanager
def foreign_keys_off() -> Iterator[bool]:
    """Foreign keys off for the time of a bulk write, if no transaction is open (SQLite ignores the pragma inside
    one); yields whether they are off, then on again. While off, the caller asks broken_references() before its
    transaction commits: the whole base checked at once costs less than a lookup of each parent at each insert.
    PostgreSQL keeps its foreign keys on (it checks each row itself): yields False there."""
    if is_postgres():
        yield False
        return
    conn = raw()
    if conn.in_transaction or not conn.execute("PRAGMA foreign_keys").fetchone()[0]:
        yield False
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield not conn.execute("PRAGMA foreign_keys").fetchone()[0]
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def broken_references() -> list[Any]:
    """The references that lead to no record (PRAGMA foreign_key_check: table, rowid, parent, key), none if sound
    (always none on PostgreSQL, which refuses a broken reference when it is written)."""
    if is_postgres():
        return []
    return raw().execute("PRAGMA foreign_key_check").fetchall()
