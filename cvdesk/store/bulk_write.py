"""What a bulk write (a merge, an import of thousands of records) does differently on each engine: on SQLite it sets
indexes and search triggers aside and enlarges the page cache; on PostgreSQL it sets indexes and search triggers aside
only in an empty table, takes new ids from the table's sequence, inserts by COPY and streams large reads
through a server-side cursor."""
from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from itertools import count as counter
from typing import Any, Iterator, Sequence

from cvdesk.store.engine import is_postgres, raw
from cvdesk.store.placeholders import to_psycopg

STREAM_ROWS = 2000  # rows a server-side cursor brings per round trip
_cursor_numbers = counter(1)  # a server-side cursor's name is unique in its session


def _owns(tables: Sequence[str]) -> bool:
    """PostgreSQL: whether this session's role owns every one of these tables (directly or through a role it belongs
    to): only an owner may drop an index or a key, or disable a trigger. A coordinator's role given every right on the
    tables but not their ownership writes its bulk loads the ordinary way (row by row checks and index updates)."""
    return bool(raw().execute("SELECT bool_and(pg_has_role(c.relowner, 'USAGE')) FROM pg_class c "
                              "WHERE c.oid = ANY (CAST(? AS regclass[]))",
                              ([f'"{table}"' for table in tables],)).fetchone()[0])


def set_aside_indexes(table: str) -> list[str]:
    """Drop the table's own indexes for a load of many rows into it, and give their CREATE statements to run again
    in the same transaction (an index is built from sorted keys much faster than by as many random inserts).

    On PostgreSQL only while the table is empty (a first load): a dropped index locks its table against every
    reader until the commit, which only an empty table's readers can bear. The indexes behind a constraint (the
    primary key) stay. The 100,000 national actions went in 4.7 s so against 17.9 s with their 14 indexes."""
    conn = raw()
    if is_postgres():
        if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] or not _owns([table]):
            return []
        indexes = conn.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = CAST(? AS regclass) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)", (f'"{table}"',)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        return [sql for _, sql in indexes]
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL", (table,)).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def set_aside_trigger(name: str) -> str | None:
    """Set aside this insert trigger of a search index (whose index the caller then fills in one pass) and give the
    statement that puts it back, None if it stays. SQLite: the trigger dropped (its CREATE statement given).
    PostgreSQL: only while its table is empty (a first load), the trigger disabled until the caller enables it
    again in the same transaction; the ALTER locks the table against other writers until the commit, which only an
    empty table's can bear (as set_aside_indexes), and other sessions never see it disabled. Elsewhere it keeps
    working row by row (other sessions write at the same time). The national actions' trigger took 6.2 s of the
    server's processor, lot by lot (the fold and the trigram index kept up to date)."""
    conn = raw()
    if is_postgres():
        found = conn.execute("SELECT c.relname FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid "
                             "WHERE g.tgname = ? AND pg_table_is_visible(c.oid)",
                             (name,)).fetchone()
        if found is None or conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{found[0]}")').fetchone()[0] \
                or not _owns([found[0]]):
            return None
        conn.execute(f'ALTER TABLE "{found[0]}" DISABLE TRIGGER "{name}"')
        return f'ALTER TABLE "{found[0]}" ENABLE TRIGGER "{name}"'
    found = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)).fetchone()
    if found is None:
        return None
    conn.execute(f'DROP TRIGGER "{name}"')
    return str(found[0])


def set_aside_foreign_keys(tables: Sequence[str]) -> list[str]:
    """PostgreSQL: drop the foreign keys of these tables for a first load into an empty base, and give the statements
    that add them back, which the caller runs in the same transaction before its commit (SQLite's references are set
    aside by store.deferred_references instead: nothing here).

    Each row inserted with its foreign keys on queues one check per reference, run one by one (the national
    package's 1.2 million of them took most of the server's COPY time); a key added back checks the whole table in
    one join, and refuses the statement (so the whole transaction) if a row names a record that is not there. Only
    while every table is empty: dropping a key locks both of its tables against every reader until the commit, which
    only an empty base's readers can bear; other sessions never see the base without its keys (same transaction)."""
    conn = raw()
    if not is_postgres() or not tables:
        return []
    if any(conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] for table in tables) \
            or not _owns(tables):
        return []
    keys = conn.execute(
        "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid "
        "WHERE c.contype = 'f' AND c.conrelid = ANY (CAST(? AS regclass[])) ORDER BY t.relname, c.conname",
        ([f'"{table}"' for table in tables],)).fetchall()
    for table, name, _ in keys:
        conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return [f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}' for table, name, definition in keys]


def set_aside_figures_insert(table: str) -> str | None:
    """PostgreSQL, a table emptied by truncate_for_freeze() in this transaction: its figures insert trigger disabled
    until the caller runs the statement given back, in the same transaction (None: left as it is).

    That statement trigger only notes, once per transaction, that the dashboard's figures changed; but its
    transition table keeps a copy of every row each COPY inserts (about a tenth of a COPY's time on the server).
    The TRUNCATE just before fired the table's figures truncate trigger, which noted the same change: so only
    when both triggers are there and enabled. Other sessions never see it disabled (the catalogue is
    transactional, and the table is locked since its indexes were set aside)."""
    if not is_postgres():
        return None
    insert = f"figures_{table}_insert"
    both = raw().execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = CAST(? AS regclass) AND tgenabled = 'O' "
                         "AND tgname IN (?, ?)", (f'"{table}"', insert, f"figures_{table}_truncate")).fetchone()[0]
    if both != 2:
        return None
    raw().execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{insert}"')
    return f'ALTER TABLE "{table}" ENABLE TRIGGER "{insert}"'


def without_parallel_workers() -> None:
    """PostgreSQL: the rest of this transaction's statements run by its own server process alone (SET LOCAL). A bulk
    write's index builds and large reads would each start helper processes that split the work, each worker's
    start and the merging of their sorts adding to the server's processor on a server others use: the indexes of
    the national actions, funding lines and quartiers built in 3.2 to 4.5 s of processor against 3.8 to 5.2 with
    two workers each."""
    if is_postgres():
        conn = raw()
        conn.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")


@contextmanager
def page_cache(kib: int) -> Iterator[None]:
    """SQLite's page cache at kib KiB for the time of a bulk write, the usual one after. PostgreSQL's buffers are
    the server's: nothing to do."""
    if is_postgres():
        yield
        return
    conn = raw()
    previous = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-kib}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")


class NewIds:
    """The ids of the records a bulk write creates in one table, given before their rows are inserted (their
    references are written with them).

    SQLite: the ids after the largest one, counted here (the transaction holds the base's only writer).
    PostgreSQL: drawn from the table's sequence, so that records others create meanwhile take other ids and the
    sequence needs no moving after."""

    def __init__(self, table: str, held: bool = False) -> None:
        self.table = table
        self.next: int | None = None
        # PostgreSQL: the caller holds the table against other writers (its indexes set aside): a batch's ids are
        # reserved in one move of the sequence, not drawn one by one (557,676 nextval() calls took 3.5 s of the
        # server's processor in the national merge). Another session's insert waits for the table, then draws
        # after the reserved ids.
        self.held = held

    def take(self, count: int) -> Sequence[int]:
        if count <= 0:
            return ()
        if is_postgres() and self.held:
            last = raw().execute(f"SELECT setval(pg_get_serial_sequence('\"{self.table}\"', 'id'), "
                                 f"nextval(pg_get_serial_sequence('\"{self.table}\"', 'id')) + ? - 1)",
                                 (count,)).fetchone()[0]
            return range(last - count + 1, last + 1)
        if is_postgres():
            return [row[0] for row in raw().execute(
                f"SELECT nextval(pg_get_serial_sequence('\"{self.table}\"', 'id')) FROM generate_series(1, ?)",
                (count,))]
        if self.next is None:
            self.next = raw().execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{self.table}"').fetchone()[0]
        first = self.next
        self.next = first + count
        return range(first, first + count)


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(f'"{c}"' for c in columns)
    return f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" for _ in columns)})'


def insert_rows(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Insert these rows (their values in the columns' order) into the table: on SQLite by one prepared INSERT, on
    PostgreSQL by COPY (a statement per row costs a round trip there). A first column "id" holding None in the first
    row lets the base choose the ids: SQLite does for a NULL id, PostgreSQL's identity column needs the column left
    out."""
    if not rows:
        return
    if not is_postgres():
        raw().executemany(_insert_sql(table, tuple(columns)), rows)
        return
    copy_columns(table, columns, list(zip(*rows)))


def copy_columns(table: str, names: Sequence[str], columns: Sequence[Sequence[Any]], freeze: bool = False) -> None:
    """PostgreSQL: insert the rows given a column at a time (columns[k][r]: column k of row r) by one COPY, the rows
    stored being those insert_rows() of the plain rows stores. A first column "id" holding None in the first row
    lets the base choose the ids (left out). freeze: the table was emptied by truncate_for_freeze() in this
    transaction, its rows are written frozen (COPY … FREEZE). COPY's text format (pg_driver.copy_columns): a date
    column's ISO texts and a flag's 0/1 are read by the server as the column's type."""
    if not columns or not len(columns[0]):
        return
    if names[0] == "id" and columns[0][0] is None:
        names, columns = names[1:], columns[1:]
    quoted = ", ".join(f'"{c}"' for c in names)
    sql = f'COPY "{table}" ({quoted}) FROM STDIN' + (" WITH (FREEZE)" if freeze else "")
    from cvdesk.store import pg_driver

    pg_driver.copy_columns(raw().connection, sql, columns)  # type: ignore[attr-defined]


def truncate_for_freeze(table: str) -> bool:
    """PostgreSQL: empty this table (already empty, its indexes set aside by the caller) by TRUNCATE, so that the
    rows copied into it in the same transaction can be written frozen (copy_columns(freeze=True)); whether it was.

    A row copied plain is marked committed by the first statement that reads it after the commit… within our own
    transaction already: the index builds, the keys added back and the totals read each page again and write it
    back with its hint bits. Frozen rows need none of that. Only for a table this role owns, still empty, that no
    other table's foreign key names (TRUNCATE refuses it): in a first load into an empty base, whose keys are set
    aside (set_aside_foreign_keys). TRUNCATE locks the table as the DROP INDEX before it already did; it fires the
    table's TRUNCATE triggers (the figures' generation, moved once per transaction as the inserts would)."""
    if not is_postgres():
        return False
    conn = raw()
    regclass = f'"{table}"'
    if conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0] or not _owns([table]):
        return False
    if conn.execute("SELECT EXISTS (SELECT 1 FROM pg_constraint WHERE contype = 'f' "
                    "AND confrelid = CAST(? AS regclass) AND conrelid <> CAST(? AS regclass))",
                    (regclass, regclass)).fetchone()[0]:
        return False
    conn.execute(f'TRUNCATE "{table}"')
    return True


def streamed(sql: str, params: Sequence[Any] = ()) -> Any:
    """A cursor over a large result, read by fetchmany(): on PostgreSQL a server-side cursor (the rows come as they
    are read, not all into memory at once; it must run inside a transaction), on SQLite the plain cursor."""
    conn = raw()
    if not is_postgres():
        return conn.execute(sql, params)
    from cvdesk.store import pg_driver

    name = f"cvdesk_stream_{next(_cursor_numbers)}"
    cursor = pg_driver.server_cursor(conn.connection, name, STREAM_ROWS)  # type: ignore[attr-defined]
    cursor.execute(to_psycopg(sql), tuple(params))
    return cursor


# The advisory lock key of the bulk writes (merges and imports) on a PostgreSQL base: « cvdesk » in ASCII.
BULK_WRITE_LOCK = 0x63766465736B


@contextmanager
def one_bulk_write_at_a_time() -> Iterator[bool]:
    """On PostgreSQL, this session the only one merging or importing into the base for the time of the block; yields
    False (and holds nothing) when another session is at it already, so that the caller refuses rather than have
    two merges decide on the same records at once. On SQLite the base's write lock does this: always True."""
    if not is_postgres():
        yield True
        return
    conn = raw()
    if not conn.execute("SELECT pg_try_advisory_lock(?)", (BULK_WRITE_LOCK,)).fetchone()[0]:
        yield False
        return
    try:
        yield True
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", (BULK_WRITE_LOCK,))
