"""The money sums of a year (totals.year_figure_rows) kept in the base with the stamp of the data they were read from,
so that the dashboard paints them at start-up without reading the year's plan lines again (0.3 s on a national base).

The stamp is ROWS_VERSION, the generation that schema step 7's triggers bump (a row of action, funding,
action_quartier or quartier deleted, or one of the columns the sums read changing value: by a save, a merge, an
import, a meeting's closing, a tombstone, any SQLite tool), and the largest id of action, funding and
action_quartier, which any insert raises (no INSERT trigger: it would cost each inserted row about 8 µs, seconds on a
national merge). Kept sums are used only while the stamp is unchanged; names, populations and envelopes are read
live beside them. What the stamp cannot see: a row inserted by hand with an id below the largest one into a gap, or
replaced in place (INSERT OR REPLACE with its own id); cvdesk itself never writes either way.

Sums are read after their stamp, in separate statements: a change in between leaves them under an older stamp,
read again next time, never a newer stamp on older sums. They are written by the window's thread, never by a worker.

On PostgreSQL (search_schema_pg.FIGURE_CACHE_PG_V7) inserts bump the generation too (ids may commit out of order
there), once per transaction and at its commit: sums kept by a transaction that changed the data are stale after it.
"""
from __future__ import annotations

import json
import sqlite3
import sys
from typing import Any

from cvdesk.services.totals import year_figure_rows
from cvdesk.store.connection import engine_name, execute_sql  # plain SQL: read before peewee loads (first paint)

# Bumped when year_figure_rows changes what it reads or returns: sums kept by an older program are then read again.
ROWS_VERSION = 1
QUARTIER_PARTS = ("q", "l")  # year_figure_rows's parts by quartier, kept apart (sums AREAS and QUARTIERS)
AREAS, QUARTIERS = "sums", "quartier_sums"

STAMP_SQL = f"""SELECT '{ROWS_VERSION}:' || (SELECT generation FROM figure_generation WHERE id = 1)
    || ':' || COALESCE((SELECT max(id) FROM "action"), 0) || ':' || COALESCE((SELECT max(id) FROM funding), 0)
    || ':' || COALESCE((SELECT max(id) FROM action_quartier), 0)"""
# Whether this session may not keep sums: PRAGMA query_only on SQLite; on PostgreSQL a read-only transaction or a
# role that cannot write the table (asked first: a refused statement would spoil the transaction it ran in).
READ_ONLY_SQL = "PRAGMA query_only"
READ_ONLY_SQL_PG = """SELECT current_setting('transaction_read_only') = 'on'
    OR NOT has_table_privilege('year_figure_cache', 'INSERT') OR NOT has_table_privilege('year_figure_cache', 'UPDATE')
    OR NOT has_table_privilege('year_figure_cache', 'DELETE')"""

Rows = list[tuple[Any, ...]]


class KeptRows:
    """A year's sums and the stamp of the data they were read from (None: a base without the step's tables). A plain
    class: a NamedTuple or a dataclass costs a millisecond or more to create, at every start."""

    __slots__ = ("year", "stamp", "rows")

    def __init__(self, year: int, stamp: str | None, rows: Rows) -> None:
        self.year, self.stamp, self.rows = year, stamp, rows


def stamp() -> str | None:
    """The stamp of the data as it is now."""
    return execute_sql(STAMP_SQL).fetchone()[0]


def kept_rows(year: int, part: str = AREAS) -> Rows | None:
    """The year's sums as kept (AREAS: by funder and orientation; QUARTIERS: by quartier), if nothing they read has
    changed since; else None."""
    column = {AREAS: "sums", QUARTIERS: "quartier_sums"}[part]
    row = execute_sql(f"SELECT {column} FROM year_figure_cache WHERE year = ? AND stamp = ({STAMP_SQL})",
                      (year,)).fetchone()
    return None if row is None else [tuple(values) for values in json.loads(row[0])]


def read_rows(year: int) -> KeptRows:
    """The year's sums read now (totals.year_figure_rows), with the stamp read just before them."""
    before = stamp()
    return KeptRows(year, before, year_figure_rows(year))


def keep_rows(kept: KeptRows) -> bool:
    """Keep the sums for the next start (in the window's thread); those of other years under an older stamp go.
    False when they cannot be kept (a base opened read-only, busy or full) or are no longer those of the data (it
    changed since they were read): they are read again next time."""
    if kept.stamp is None:
        return False
    areas = [row for row in kept.rows if row[0] not in QUARTIER_PARTS]
    quartiers = [row for row in kept.rows if row[0] in QUARTIER_PARTS]
    try:
        postgres = engine_name() == "postgresql"
        if execute_sql(READ_ONLY_SQL_PG if postgres else READ_ONLY_SQL).fetchone()[0]:
            return False
        # Kept only while their stamp is still the data's (checked in the same statement): a reading delivered late
        # (after a backup was restored, or another base opened) would otherwise lie under a stamp the generation
        # can reach again, a restore having taken it back, and be painted one day as figures it never read.
        # An upsert both engines read (SQLite's needs the WHERE, which it has, to tell ON CONFLICT from a join's ON).
        stored = execute_sql(f"""INSERT INTO year_figure_cache (year, stamp, sums, quartier_sums)
            SELECT ?, ?, ?, ? WHERE ({STAMP_SQL}) = ?
            ON CONFLICT (year) DO UPDATE SET stamp = excluded.stamp, sums = excluded.sums,
              quartier_sums = excluded.quartier_sums""",
                             (kept.year, kept.stamp, _text(areas), _text(quartiers), kept.stamp)).rowcount
        if stored != 1:
            return False
        execute_sql("DELETE FROM year_figure_cache WHERE stamp <> ?", (kept.stamp,))
    except _database_errors():
        # Only a shortcut for the next start: a base that cannot take it now is read the slow way then.
        return False
    return True


def _text(rows: Rows) -> str:
    return json.dumps(rows, separators=(",", ":"))


def _database_errors() -> tuple[type[Exception], ...]:
    """What a failed statement raises: sqlite3's errors, or peewee's once the models are loaded (execute_sql goes
    through them then), or the driver's on PostgreSQL. Neither peewee nor the driver is loaded for this."""
    from cvdesk.store.server_lost import loaded_driver

    errors: tuple[type[Exception], ...] = (sqlite3.Error,)
    peewee, driver = sys.modules.get("peewee"), loaded_driver()
    if peewee is not None:
        errors += (peewee.DatabaseError,)
    if driver is not None:
        errors += (driver.Error,)
    return errors
