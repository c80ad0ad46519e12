"""The second pass over a package: the merge that merge_plan decided, written table by table in one transaction.

The package is streamed again (its checksums checked again: a file changed since the first pass rolls all back),
so no table is ever held whole in memory; only the UUID -> id maps of the record types others refer to are kept.
The merge records its own history: one row per record it updates or deletes here, and one about the package.
A column the package does not carry (plan.absent: an office on an older schema) is inserted with its default but
never updated: it stays out of the UPDATE's SET list, of the merge's history and of a conflict's stored version.
"""
from __future__ import annotations

import json
import re
import uuid as uuidlib
from array import array
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from itertools import compress, repeat
from operator import and_, is_not, itemgetter, neg, not_, sub
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge_plan import (
    MergePlan,
    Reading,
    finished_plan,
    local_rows,
    plan_of,
    referenced_tables,
)
from cvdesk.exchange.merge_summary import ImportSummary
from cvdesk.exchange.package_format import DERIVED, KEPT_ON_UPDATE, NOT_COMPARED, TableSpec, table_specs
from cvdesk.exchange.package_reader import MemberReader, read_manifest
from cvdesk.exchange.record_checks import PACKAGE_RECORD_TYPE
from cvdesk.exchange.zipguard import open_checked_zip
from cvdesk.services.records import os_user
from cvdesk.store.bulk_journal import rollback_journal
from cvdesk.store.bulk_write import (
    NewIds,
    copy_columns,
    insert_rows,
    page_cache,
    set_aside_foreign_keys,
    set_aside_figures_insert,
    set_aside_indexes,
    set_aside_trigger,
    streamed,
    truncate_for_freeze,
    without_parallel_workers,
)
from cvdesk.store.column_insert import insert_columns
from cvdesk.store.deferred_references import broken_references, foreign_keys_off
from cvdesk.store.dialect import json_each_sql
from cvdesk.store.engine import is_postgres, raw
from cvdesk.store.exchange_models import ExchangeConflict, ExchangePeer
from cvdesk.store.lock_wait import allow_bulk_lock_wait
from cvdesk.store.models import UTC_FORMAT, db, new_uuid, utcnow
from cvdesk.store.search_schema_pg import view_folds_as_python
from cvdesk.store.settings import office_name

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
BATCH = 5000
BULK_ROWS = 20_000
# PostgreSQL: an empty table's indexes are set aside from this many rows (the table is locked and empty: no reader
# waits on it, and its indexes built once beat row-by-row upkeep long before 20,000 rows: the national associations).
PG_BULK_ROWS = 5_000
# The page cache during a large merge: pages are written once at commit rather than spilled to the WAL over and
# over; bounded, since every page of it is memory.
MERGE_CACHE_KIB = 64 * 1024
# The full-text indexes' buffer of pending terms while they are filled in bulk (bounded: it is memory), and
# SQLite's own default (FTS5_DEFAULT_HASHSIZE), which they keep otherwise.
BULK_HASH_BYTES = 64 * 1024 * 1024
FTS5_DEFAULT_HASH_BYTES = 1024 * 1024
# An action's totals and the funding line amounts they sum, in the same order.
TOTALS = ("requested_total", "granted_total", "paid_total")
LINE_AMOUNTS = ("requested", "granted", "paid")
PACKAGE_NAMESPACE = uuidlib.UUID("5b0f5d1e-6c1a-4a8e-9d7b-3f1c2e4a6b80")


def package_uuid(office: str, exported_at: str) -> str:
    """The same UUID for every merge of one package, so that its history rows gather under one record."""
    return str(uuidlib.uuid5(PACKAGE_NAMESPACE, f"{office}\n{exported_at}"))


def _search_index(table: str) -> Any:
    """The full-text index (store.search_index.SearchIndex) whose insert trigger copies this table's rows, if any."""
    from cvdesk.store.search_index import ACTION_INDEX, ASSOCIATION_INDEX

    return {"action": ACTION_INDEX, "association": ASSOCIATION_INDEX}.get(table)


# The action index's porteur field and the join it comes from (store.search_index.ACTION_INDEX).
_PORTEUR_NAME = "COALESCE(p.name, '')"
_PORTEUR_JOIN = "LEFT JOIN association p ON p.id = a.porteur_id"


_NON_ASCII = re.compile("[^\x00-\x7f]+")
_LONG_TEXT = 1000  # below, set intersection over the text itself costs less than the regex's call


@cache
def _fold_table() -> tuple[frozenset[str], dict[str, str]]:
    from cvdesk.domain.text_fold import FOLDS

    return frozenset(accented for accented, _ in FOLDS), dict(FOLDS)


def bulk_fold(text: str) -> str:
    """text_fold.fold(text), by a replace() for each accented letter the text holds (some three times faster over
    the national package's actions than str.translate, which reads a non-ASCII text letter by letter). The same
    result: each letter's plain form holds no letter of the table (a test holds the two to each other)."""
    if text.isascii():
        return text
    letters, plain = _fold_table()
    # The letters to replace, among the text's non-ASCII ones: in a long text (a batch's texts joined), those found
    # by one regex scan first (0.11 s against 0.25 s for the national actions' 7 MB), hashing only them.
    present = letters.intersection("".join(_NON_ASCII.findall(text)) if len(text) > _LONG_TEXT else text)
    for letter in present:
        text = text.replace(letter, plain[letter])
    return text


def index_texts(rows: Iterable[Sequence[Any]]) -> list[str | None]:
    """The search text of each row of an index's fields (search_index.source_view_sql): the fields joined by line
    breaks, None when one is None (as || makes it), folded by bulk_fold. The batch's texts are folded as one text,
    joined and then split at NUL, which no stored text holds (the checks and the forms refuse it): one pass of each
    accented letter's replace() for the batch rather than for each text; a batch where a text holds NUL after all
    (more pieces than texts) is folded text by text."""
    texts = [None if None in row else "\n".join(row) for row in rows]
    whole = [text for text in texts if text is not None]
    folded = bulk_fold("\x00".join(whole)).split("\x00") if whole else []
    if len(folded) != len(whole):
        folded = list(map(bulk_fold, whole))
    pieces = iter(folded)
    return [None if text is None else next(pieces) for text in texts]


def index_rows(rows: Sequence[tuple[Any, ...]]) -> list[tuple[int, str | None]]:
    """(id, text) of each row (its id, then the index's fields): index_texts of its fields."""
    return list(zip(map(itemgetter(0), rows), index_texts([row[1:] for row in rows])))


def view_is_generated(conn: Any, index: Any) -> bool:
    """SQLite: whether the base's view of this search index is the one generated from the fold table bulk_fold
    applies (search_index.source_view_sql), so that its texts may be made here (index_texts) rather than read
    back through it."""
    from cvdesk.store.search_index import source_view_sql

    stored = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (index.view,)).fetchone()
    return stored is not None and stored[0] == source_view_sql(index)


def fill_search(conn: Any, index: Any, first_id: int) -> None:
    """What the index's insert trigger would have done for the records from first_id on, in one pass.

    The trigger copies each record's text from the index's view, which folds the accents with some eighty nested
    replace() calls: over a whole national base that is most of the work (for the 20,000 associations, 3.6 s of
    trigger against 0.1 s here). The view was generated from the fold table that text_fold.fold() applies in one
    str.translate (search_index.source_view_sql): when this base's view is exactly that generated text, the same
    folded text is computed here (bulk_fold), several times faster; otherwise (a base whose view came from another table) the
    view itself fills the index.

    On PostgreSQL (whose bulk writes set the search triggers aside only in an empty table: bulk_write.set_aside_trigger)
    the index's view fills it in one statement, a row already there rewritten rather than refused."""
    from cvdesk.store.engine import is_postgres
    from cvdesk.store.search_index import source_view_sql

    if is_postgres():
        # An empty index (a first load) gets its trigram index built once after its rows (bulk_write), and its
        # rows folded here when its view is step 4's (search_schema_pg.view_folds_as_python): the view's nested
        # replace() took 1 to 2 s of the server's processor for the national actions, bulk_fold 0.25 s of ours.
        rebuild = set_aside_indexes(index.name)
        if rebuild and view_folds_as_python(conn, index.view):
            _fill_search_by_copy(conn, index, first_id)
        else:
            conn.execute(f"INSERT INTO {index.name} (id, text) SELECT id, text FROM {index.view} WHERE id >= ? "
                         "ON CONFLICT (id) DO UPDATE SET text = excluded.text", (first_id,))
        for sql in rebuild:
            conn.execute(sql)
        return
    # FTS5 writes its pending terms out as a new segment (later merged with the others) each time they pass its
    # hash size, 1 MiB by default: with a larger one for the bulk fill, fewer segments to write and merge (the
    # national actions' fill about 20 % less processor); SQLite's default is set back after (same transaction).
    _set_hash_size(conn, index, BULK_HASH_BYTES)
    _fill_search_rows(conn, index, first_id, source_view_sql(index))
    _set_hash_size(conn, index, FTS5_DEFAULT_HASH_BYTES)


def _fill_search_by_copy(conn: Any, index: Any, first_id: int) -> None:
    """PostgreSQL, into an empty index: the view's text of each live record from first_id on (its fields joined by
    line breaks, NULL when one is NULL as || makes it, folded by bulk_fold), read a batch at a time and sent by COPY."""
    from cvdesk.store.pg_driver import transaction_open

    sql = f"SELECT a.id, {', '.join(index.fields)} FROM {index.source} WHERE a.deleted = 0 AND a.id >= ?"
    # A server-side cursor lives in a transaction; a bulk write outside one (autocommit) reads the rows at once.
    in_transaction = transaction_open(conn.connection)
    cursor = streamed(sql, (first_id,)) if in_transaction else conn.execute(sql, (first_id,))
    try:
        while rows := cursor.fetchmany(BATCH):
            insert_rows(index.name, ("id", "text"), index_rows(rows))
    finally:
        cursor.close()


class _SearchTexts:
    """SQLite, a table filled in bulk (its search trigger set aside): the search texts of each batch of new rows
    made from the batch's columns, as the index's view would read them back once the rows are written (the fields
    joined by line breaks, NULL when one is NULL as || makes it, folded: index_rows; the porteur's name or nothing;
    the deleted rows left out), and written to the index at once: the national actions' rows are not read back
    through their join with the associations at the end."""

    __slots__ = ("index", "sources", "live")

    def __init__(self, index: Any, sources: list[tuple[int, dict[int, str] | None]], live: int) -> None:
        self.index = index
        self.sources = sources  # per field of the index: the column it reads, and the names it reads them by
        self.live = live  # the column "deleted"

    @classmethod
    def made_here(cls, conn: Any, spec: TableSpec, index: Any) -> _SearchTexts | None:
        """How this table's search texts are made here, or None when the base's view is not the generated one
        (then the view fills the index: fill_search) or a field is not one this knows."""
        if is_postgres() or not view_is_generated(conn, index):
            return None
        by_sql = {c.sql: n for n, c in enumerate(spec.columns)}
        sources: list[tuple[int, dict[int, str] | None]] = []
        for expression in index.fields:
            if expression == _PORTEUR_NAME and index.source.endswith(_PORTEUR_JOIN) and "porteur_id" in by_sql:
                # COALESCE(p.name, ''): the name of the association whatever its state, '' for none.
                names = {id_: "" if name is None else name
                         for id_, name in conn.execute("SELECT id, name FROM association")}
                sources.append((by_sql["porteur_id"], names))
            elif expression.startswith("a.") and expression[2:] in by_sql:
                sources.append((by_sql[expression[2:]], None))
            else:
                return None
        return cls(index, sources, spec.index("deleted"))

    def write(self, conn: Any, ids: Sequence[int], columns: list[Any]) -> None:
        """These new rows' texts (their ids, then the rows by column, references as ids) into the index."""
        fields = [columns[n] if names is None else map(names.get, columns[n], repeat(""))
                  for n, names in self.sources]
        rows = list(compress(zip(ids, *fields), map(not_, columns[self.live])))
        if rows:
            conn.executemany(f"INSERT INTO {self.index.name}(rowid, text) VALUES (?, ?)", index_rows(rows))


def _set_hash_size(conn: Any, index: Any, size: int) -> None:
    conn.execute(f"INSERT INTO {index.name}({index.name}, rank) VALUES ('hashsize', ?)", (size,))


def _fill_search_rows(conn: Any, index: Any, first_id: int, view_sql: str) -> None:
    stored = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?",
                          (index.view,)).fetchone()
    if stored is None or stored[0] != view_sql:
        conn.execute(f"INSERT INTO {index.name}(rowid, text) SELECT id, text FROM {index.view} WHERE id >= ?",
                     (first_id,))
        return
    # The view's text: the fields joined by line breaks (NULL when one is NULL, as || makes it), folded.
    cursor = conn.execute(f"SELECT a.id, {', '.join(index.fields)} FROM {index.source} "
                          "WHERE a.deleted = 0 AND a.id >= ?", (first_id,))
    while True:
        rows = cursor.fetchmany(BATCH)
        if not rows:
            return
        conn.executemany(f"INSERT INTO {index.name}(rowid, text) VALUES (?, ?)", index_rows(rows))


@cache
def _plain_columns(spec: TableSpec) -> frozenset[int]:
    """The insert's columns (the id first) that hold neither None nor bool once checked (column_insert.insert_columns
    binds them without a look): the id, and every column the checks hold to be filled, but booleans and references
    (one to a record later in the file waits as None)."""
    return frozenset({0} | {n + 1 for n, c in enumerate(spec.columns) if not c.null and c.kind not in ("bool", "fk")})


@cache
def _owners() -> dict[str, tuple[str, str]]:
    """The tables of a form's lines (an action's funding lines and quartiers…): table -> (the table of the record
    they belong to, their key naming it), as services.concurrency moves that record's version when they change."""
    from cvdesk.services.concurrency import PARTS

    return {part._meta.table_name: (owner._meta.table_name, name) for part, (owner, name) in PARTS.items()}


def recompute_action_totals(action_ids: set[int]) -> None:
    """Refresh the denormalised sums of these actions from their live funding lines, in one statement.

    One grouped read of the lines (not three lookups per action), and only the actions whose sums differ are
    written: after a large merge most already carry the right sums, and every write also moves an index entry."""
    if not action_ids:
        return
    if len(action_ids) > BULK_ROWS and is_postgres():
        _recompute_many_action_totals(action_ids)
        return
    raw().execute(
        f"""
        UPDATE "action" SET requested_total = s.requested, granted_total = s.granted, paid_total = s.paid
        FROM (SELECT a.id AS id, COALESCE(SUM(f.requested), 0) AS requested, COALESCE(SUM(f.granted), 0) AS granted,
                     COALESCE(SUM(f.paid), 0) AS paid
              FROM "action" a LEFT JOIN funding f ON f.action_id = a.id AND f.deleted = 0
              WHERE a.id IN (SELECT CAST(value AS INTEGER) FROM {json_each_sql()})
              GROUP BY a.id) AS s
        WHERE "action".id = s.id
          AND ("action".requested_total, "action".granted_total, "action".paid_total)
              IS DISTINCT FROM (s.requested, s.granted, s.paid)
        """,
        (json.dumps(sorted(action_ids)),),
    )


def _recompute_many_action_totals(action_ids: set[int]) -> None:
    """recompute_action_totals() for many actions on PostgreSQL (a first load touches every action): the live lines'
    sums of every action in one grouped pass, joined by hashes to the actions named in an array (whose size the
    planner knows), rather than three index lookups per action planned for a list of unknown length: 1.5 s of the
    server's processor against 0.4 s for the national base's 100,000 actions (sums as BIGINT, compared as such)."""
    raw().execute(
        """
        UPDATE "action" SET requested_total = s.requested, granted_total = s.granted, paid_total = s.paid
        FROM (SELECT a.id AS id, COALESCE(f.requested, 0) AS requested, COALESCE(f.granted, 0) AS granted,
                     COALESCE(f.paid, 0) AS paid
              FROM "action" a LEFT JOIN (
                  SELECT action_id, CAST(SUM(requested) AS BIGINT) AS requested,
                         CAST(SUM(granted) AS BIGINT) AS granted, CAST(SUM(paid) AS BIGINT) AS paid
                  FROM funding WHERE deleted = 0 GROUP BY action_id) f ON f.action_id = a.id
              WHERE a.id = ANY (CAST(? AS INTEGER[]))) AS s
        WHERE "action".id = s.id
          AND ("action".requested_total, "action".granted_total, "action".paid_total)
              IS DISTINCT FROM (s.requested, s.granted, s.paid)
        """,
        (sorted(action_ids),),
    )


@dataclass
class _TableWrite:
    """One table while its rows are written."""

    spec: TableSpec
    all_adds: bool  # the table had no rows here: every row is new
    new_ids: NewIds
    first_id: int
    rebuild: list[str]  # run at the end: the CREATE statements of the indexes set aside for a bulk load, and the
    # statement enabling the figures trigger set aside with them
    search_trigger: str | None  # set aside while every row is new: the index is filled at the end
    search_index: Any = None
    frozen: bool = False  # PostgreSQL: emptied by TRUNCATE in this transaction, its rows copied frozen
    late: list[tuple[int, str, str]] = field(default_factory=list)  # (column, row uuid, referenced uuid)
    # SQLite, the index's view being the generated one: how each batch's search texts are made from its columns
    # (_SearchTexts), written batch by batch; None: the index is filled at the end by fill_search.
    texts: _SearchTexts | None = None


class _Writer:
    """The second pass: each table streamed again and written as the plan says."""

    def __init__(self, plan: MergePlan, progress: Progress | None, cancelled: CancelCheck | None) -> None:
        self.plan, self.progress, self.cancelled = plan, progress, cancelled
        self.conn = raw()
        self.ids = plan.local_ids  # grown with the records added, as they get their ids
        self.targets = referenced_tables()
        self.touched_actions: set[int] = set()
        # Actions and funding lines both new here (their tables were empty): every line of the base passes through
        # _insert, so the sums are counted as they pass and compared with the totals the actions carried; only the
        # actions whose totals differ are recomputed by SQL (for the national package, none: 1.2 s of the server's
        # processor saved, a grouped read of 300,000 lines with no statistics yet spilling to disk).
        # (Known table by table: a merge into an empty base learns whether a table had rows as it reaches it.)
        self.counting: set[str] = set()  # those of the two tables that were empty, while every line is countable
        self.uncountable = False
        # For each amount, by action (its id less first_action): the sums of its live lines less the total it was
        # written with, zero when they agree. Arrays of 64-bit integers: 24 bytes an action, where a dict of lists
        # took some 250 (25 MB for the national package); an action's ids are contiguous (bulk_write.NewIds), else
        # a sum beyond 64 bits, stops the counting: SQL sums.
        self.first_action = 0
        self.balance = (array("q"), array("q"), array("q"))
        self.unsure: set[int] = set()  # actions written with a NULL total (recomputed whatever their lines)
        self.moved: dict[str, set[int]] = {}  # owner table -> the records whose lines this merge wrote
        self.done = plan.total
        self.history: list[tuple[str, str, str, dict[str, list[Any]]]] = []  # type, uuid, operation, changes
        self.user = os_user()

    def table(self, archive: Any, spec: TableSpec) -> None:
        count, digest = self.plan.manifest.files[spec.file]
        if not digest:
            return
        reader = MemberReader(archive, self.plan.path, spec, count, digest, self.plan.manifest.optional(spec.table))
        state = self.begin(spec, count)
        try:
            for _, rows in reader.batches():
                self.write(state, rows, None)
                self.done += len(rows)
                if self.progress:
                    self.progress(min(self.done, 2 * self.plan.total - 1), 2 * self.plan.total)
                if self.cancelled and self.cancelled():
                    raise Cancelled()
        finally:
            reader.close()
        self.end(state)

    def begin(self, spec: TableSpec, count: int) -> _TableWrite:
        """Ready the table for its rows (count of them): in bulk, its indexes and search trigger set aside."""
        all_adds = not self.plan.had_rows[spec.table]
        if all_adds and (spec.table == "action" or spec.table == "funding" and "action" in self.counting):
            self.counting.add(spec.table)  # the actions first: each line's sum goes to an action already carried
        # Filling an empty table in bulk is faster with its indexes rebuilt once at the end (same transaction).
        bulk = count > (min(BULK_ROWS, PG_BULK_ROWS) if is_postgres() else BULK_ROWS)
        rebuild = set_aside_indexes(spec.table) if all_adds and bulk else []
        # A search index is filled by a trigger, row by row; when every row is new, once at the end (same transaction).
        index = _search_index(spec.table) if all_adds and count else None
        search_trigger = set_aside_trigger(f"{index.name}_insert") if index else None
        first_id = self.conn.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{spec.table}"').fetchone()[0] \
            if search_trigger else 0
        # PostgreSQL, a first load: the table emptied again by TRUNCATE, so that its rows go in frozen (no hint
        # bits to set by every later read in this transaction: bulk_write.truncate_for_freeze).
        frozen = bool(rebuild) and is_postgres() and truncate_for_freeze(spec.table)
        figures = set_aside_figures_insert(spec.table) if frozen else None
        if figures:
            rebuild.append(figures)  # run at the end with the indexes' CREATE statements
        texts = _SearchTexts.made_here(self.conn, spec, index) if search_trigger else None
        if texts is not None:
            _set_hash_size(self.conn, index, BULK_HASH_BYTES)
        return _TableWrite(spec, all_adds, NewIds(spec.table, held=bool(rebuild)), first_id, rebuild, search_trigger,
                           index, frozen, texts=texts)

    def write(self, state: _TableWrite, rows: list[tuple[Any, ...]], columns: list[tuple[Any, ...]] | None) -> None:
        """One batch of the table's rows (checked by the first pass): added, updated or kept as decided. columns:
        the same rows by column when the caller has them (merge_plan.Reading), else None."""
        spec, conn = state.spec, self.conn
        if state.all_adds:
            self._insert(spec, rows, state.new_ids, state.late, columns, state.frozen, state.texts)
            return
        here = {u for (u,) in conn.execute(f'SELECT uuid FROM "{spec.table}" WHERE uuid IN '
                                            f"(SELECT value FROM {json_each_sql()})",
                                            (json.dumps([row[0] for row in rows]),))}
        self._decided(spec, [row for row in rows if row[0] in here], state.late)
        self._insert(spec, [row for row in rows if row[0] not in here], state.new_ids, state.late)

    def end(self, state: _TableWrite) -> None:
        """The table's indexes and search index back, and the references to rows that came later in its file."""
        spec, conn, late = state.spec, self.conn, state.late
        for sql in state.rebuild:
            conn.execute(sql)
        if state.texts is not None:
            _set_hash_size(conn, state.search_index, FTS5_DEFAULT_HASH_BYTES)
        elif state.search_trigger:
            fill_search(conn, state.search_index, state.first_id)
        if state.search_trigger:
            conn.execute(state.search_trigger)
        if late:
            ids = self.ids[spec.table]
            for n, row_uuid, ref in late:
                conn.execute(f'UPDATE "{spec.table}" SET "{spec.columns[n].sql}" = ? WHERE id = ?',
                             (ids[ref], ids[row_uuid]))

    def _values(self, spec: TableSpec, row: tuple[Any, ...], late: list[tuple[int, str, str]]) -> list[Any]:
        """The row as the table stores it: references as ids, future times clamped to the receiving clock."""
        values = list(row)
        limit, now = self.plan.limit, self.plan.now
        for n, column in enumerate(spec.columns):
            value = values[n]
            if value is None:
                continue
            if column.kind == "fk":
                found = self.ids[column.target].get(value)
                if found is None:  # a record later in the same file (an action renewing a later one)
                    late.append((n, row[0], value))
                values[n] = found
            elif column.kind == "utc" and value > limit:
                values[n] = now
        return values

    def _insert(self, spec: TableSpec, adds: list[tuple[Any, ...]], id_source: NewIds,
                late: list[tuple[int, str, str]], by_column: list[tuple[Any, ...]] | None = None,
                frozen: bool = False, texts: _SearchTexts | None = None) -> None:
        if not adds:
            return
        # References are converted before this batch's rows get their ids: a reference to a row of the same
        # batch waits (late) until the row exists, since the database checks each reference as it is inserted.
        new_ids = id_source.take(len(adds))
        columns = self._columns(spec, adds, late, by_column)
        ids = self.ids.get(spec.table) if spec.table in self.targets else None
        if ids is not None:
            ids.update(zip(map(itemgetter(0), adds), new_ids))  # rows get the next ids in package order
        names = ("id", *(c.sql for c in spec.columns))
        if is_postgres():
            copy_columns(spec.table, names, [new_ids, *columns], frozen)
        else:
            insert_columns(spec.table, names, [new_ids, *columns], _plain_columns(spec))
        if texts is not None:
            texts.write(self.conn, new_ids, columns)
        # The actions whose sums change: these, or those of these funding lines (their ids just converted).
        if spec.table == "action":
            self.touched_actions.update(new_ids)
            if "action" in self.counting:
                self._carry(new_ids, *(columns[spec.index(key)] for key in TOTALS))
        elif spec.table == "funding":
            self.touched_actions.update(columns[spec.index("action")])
            self.touched_actions.discard(None)
            if self.counting == {"action", "funding"}:
                self._count(spec, columns)
        owner = _owners().get(spec.table)
        if owner and self.plan.had_rows.get(owner[0]):  # else every owner is new: no form can be open on it
            self.moved.setdefault(owner[0], set()).update(columns[spec.index(owner[1])])

    def _carry(self, ids: Sequence[int], *totals: Sequence[Any]) -> None:
        """Start the balance of these new actions (by column) at minus the totals they carry."""
        balance = self.balance
        if not balance[0]:
            self.first_action = ids[0]
        expected = range(self.first_action + len(balance[0]), self.first_action + len(balance[0]) + len(ids))
        if self.uncountable or (ids != expected and list(ids) != list(expected)):  # ids drawn apart (PostgreSQL)
            self.uncountable = True
            return
        for sums, column in zip(balance, totals):
            if None in column:
                self.unsure.update(action for action, value in zip(ids, column) if value is None)
                column = [0 if value is None else value for value in column]
            try:
                sums.extend(map(neg, column))
            except OverflowError:  # minus the smallest 64-bit integer
                self.uncountable = True
                return

    def _count(self, spec: TableSpec, columns: list[Any]) -> None:
        """Add these new funding lines (by column) to their actions' sums, as SUM() counts them: deleted lines left
        out, a NULL amount left out. A line whose action comes later (late) stops the counting: SQL sums."""
        actions = columns[spec.index("action")]
        if self.uncountable or None in actions:
            self.uncountable = True
            return
        balance = self.balance
        offsets = list(map(sub, actions, repeat(self.first_action)))
        if offsets and (min(offsets) < 0 or max(offsets) >= len(balance[0])):  # an action not carried here
            self.uncountable = True
            return
        deleted = columns[spec.index("deleted")]
        live = list(map(not_, deleted)) if any(deleted) else None
        try:
            for sums, amounts in zip(balance, (columns[spec.index(key)] for key in LINE_AMOUNTS)):
                # The lines that count, chosen at C speed: live, and with an amount.
                keep = list(map(is_not, amounts, repeat(None))) if None in amounts else None
                if live is not None:
                    keep = live if keep is None else list(map(and_, keep, live))
                pairs: Iterable[tuple[int, Any]] = zip(offsets, amounts)
                if keep is not None:
                    pairs = compress(pairs, keep)
                for n, amount in pairs:
                    sums[n] += amount
        except OverflowError:  # beyond 64 bits: SQL sums, and says so
            self.uncountable = True

    def _disagreeing(self, touched: set[int]) -> set[int]:
        """Of the touched actions, those whose carried totals are not their lines' sums (or are NULL)."""
        balance = self.balance
        carried = range(self.first_action, self.first_action + len(balance[0]))
        return (touched.difference(carried) | self.unsure
                | set(compress(carried, map(any, zip(*balance)))).intersection(touched))

    def _columns(self, spec: TableSpec, rows: list[tuple[Any, ...]], late: list[tuple[int, str, str]],
                 by_column: list[tuple[Any, ...]] | None = None) -> list[Any]:
        """_values() for many rows, a column at a time (the same result, several times faster); by_column: the rows
        already by column (not changed here)."""
        columns: list[Any] = list(by_column) if by_column is not None else list(zip(*rows))
        limit, now = self.plan.limit, self.plan.now
        for n, column in enumerate(spec.columns):
            if column.kind == "fk":
                # No id is keyed by None: a missing reference stays None, as does an unknown one (then late).
                converted = list(map(self.ids[column.target].get, columns[n]))
                if None in converted:
                    for row, old, new in zip(rows, columns[n], converted):
                        if old is not None and new is None:
                            late.append((n, row[0], old))
                columns[n] = converted
            elif column.kind == "utc" and max(columns[n]) > limit:
                columns[n] = [now if v > limit else v for v in columns[n]]
        return columns

    def _touch(self, spec: TableSpec, rows: list[tuple[int, tuple[Any, ...]]]) -> None:
        if spec.table == "action":
            self.touched_actions.update(local_id for local_id, _ in rows)
        elif spec.table == "funding":
            n = spec.index("action")
            self.touched_actions.update(self.ids["action"][row[n]] for _, row in rows)
        owner = _owners().get(spec.table)
        if owner:
            n, ids = spec.index(owner[1]), self.ids[owner[0]]
            self.moved.setdefault(owner[0], set()).update(ids.get(row[n]) for _, row in rows)

    def _decided(self, spec: TableSpec, rows: list[tuple[Any, ...]], late: list[tuple[int, str, str]]) -> None:
        """The rows that exist here: updated or kept as conflicts, as the plan decided; the others stay."""
        decisions = self.plan.decisions.get(spec.table)
        if not decisions:
            return
        chosen = [(decisions[row[0]], row) for row in rows if row[0] in decisions]
        if not chosen:
            return
        updates = [(d, row) for d, row in chosen if d.action == "update"]
        absent = self.plan.absent.get(spec.table, frozenset())  # not known: the value here stays
        if updates:
            before = local_rows(spec, [row[0] for _, row in updates])
            written = [n for n, c in enumerate(spec.columns) if c.key not in KEPT_ON_UPDATE and c.key not in absent]
            # The version moves as a save's does (services.concurrency): a form open on the record is refused.
            sets = ", ".join([*(f'"{spec.columns[n].sql}" = ?' for n in written), '"version" = "version" + 1'])
            shown = [n for n, c in enumerate(spec.columns) if c.key not in NOT_COMPARED
                     and c.key not in DERIVED.get(spec.table, ()) and c.key not in absent]
            deleted_n = spec.index("deleted")
            params = []
            for decision, row in updates:
                values = self._values(spec, row, late)
                params.append((*[values[n] for n in written], decision.local_id))
                old = before[row[0]][1]
                changes = {spec.columns[n].key: [old[n], row[n]] for n in shown if old[n] != row[n]}
                operation = "merge_delete" if row[deleted_n] and not old[deleted_n] else "merge_update"
                self.history.append((spec.model.__name__, row[0], operation, changes))
            self.conn.executemany(f'UPDATE "{spec.table}" SET {sets} WHERE id = ?', params)
            self._touch(spec, [(d.local_id, row) for d, row in updates])
        manifest = self.plan.manifest
        for decision, row in chosen:
            if decision.action != "conflict":
                continue
            local = local_rows(spec, [row[0]])[row[0]][1]
            ExchangeConflict.create(
                record_type=spec.model.__name__, record_uuid=row[0], from_office=manifest.office,
                package_exported_at=manifest.exported_at, incoming_updated_at=row[spec.index("updated_at")],
                local_updated_at=local[spec.index("updated_at")],
                incoming=json.dumps({k: v for k, v in zip(spec.keys, row) if k not in absent}, ensure_ascii=False,
                                    sort_keys=True))

    def finish(self) -> None:
        touched = self.touched_actions
        if self.counting == {"action", "funding"} and not self.uncountable:  # only the actions whose carried totals
            # are not their lines' sums
            touched = self._disagreeing(touched)
        recompute_action_totals(touched)
        for table, ids in self.moved.items():  # a record whose lines changed is changed, for its open forms
            ids.discard(None)
            if ids:
                self.conn.execute(f'UPDATE "{table}" SET version = version + 1 WHERE id IN '
                                  f"(SELECT CAST(value AS INTEGER) FROM {json_each_sql()})", (json.dumps(sorted(ids)),))
        plan, summary = self.plan, self.plan.summary
        manifest = plan.manifest
        now = utcnow().strftime(UTC_FORMAT)
        here = office_name()
        rows = [(new_uuid(), now, now, here, False, record_type, record_uuid, operation, self.user,
                 json.dumps(changes, ensure_ascii=False, sort_keys=True))
                for record_type, record_uuid, operation, changes in self.history]
        if summary.changed or summary.conflicts:
            total = summary.total()
            about = {
                "package_office": [None, manifest.office], "package_exported_at": [None, manifest.exported_at],
                "package_file": [None, plan.path.name], "added": [None, total.added],
                "updated": [None, total.updated], "deleted": [None, total.deleted],
                "conflicts": [None, total.conflicts],
            }
            rows.append((new_uuid(), now, now, here, False, PACKAGE_RECORD_TYPE,
                         package_uuid(manifest.office, manifest.exported_at), "merge", self.user,
                         json.dumps(about, ensure_ascii=False, sort_keys=True)))
        insert_rows("history", ("uuid", "created_at", "updated_at", "office", "deleted", "record_type", "record_uuid",
                                "operation", "os_user", "changes"), rows)
        received = min(manifest.exported_at, plan.now)  # a sender's clock ahead of ours is not believed
        peer = ExchangePeer.get_or_none(ExchangePeer.office == manifest.office)
        if peer is None:
            ExchangePeer.create(office=manifest.office, last_received_at=received)
        elif received > peer.last_received_at:
            peer.last_received_at = received
            peer.imported_at = utcnow()
            peer.save()


def _merge_cache(total: int) -> Any:
    """A larger page cache for the time of a large merge (SQLite), the usual one after."""
    return page_cache(MERGE_CACHE_KIB) if total > BULK_ROWS else nullcontext()


@contextmanager
def _references_checked_at_commit(total: int) -> Iterator[bool]:
    """Foreign keys off for an empty-base load (the national package's 557,676 inserts; yields whether they are),
    and, for a large one, SQLite's rollback journal instead of the WAL when nothing else has the base open
    (store.bulk_journal): the added pages, nearly all of them, written once into the base, not to the WAL and
    again at the checkpoint."""
    with rollback_journal() if total > BULK_ROWS else nullcontext(), foreign_keys_off() as off:
        yield off


def _check_references(path: Path) -> None:
    """Every reference of the base leads to a record, or the merge is refused whole (its transaction rolled back)."""
    broken = broken_references()
    if broken:
        table = broken[0][0]
        raise ExchangeError(f"Le paquet {path} : {len(broken)} référence(s) de la table {table} ne mènent à aucun "
                            "enregistrement une fois écrites : rien n'a été importé.")


def _keys_back(path: Path, keys: list[str]) -> None:
    """The foreign keys set aside added back (PostgreSQL), each checking every row of its table at once: a reference
    to no record refuses the merge whole (its transaction rolled back, the keys with it)."""
    if not keys:
        return
    from cvdesk.store.pg_driver import ForeignKeyViolation

    for sql in keys:
        try:
            raw().execute(sql)
        except ForeignKeyViolation as exc:
            table = sql.split('"')[1]
            raise ExchangeError(f"Le paquet {path} : des références de la table {table} ne mènent à aucun "
                                "enregistrement une fois écrites : rien n'a été importé.") from exc


def write_plan(plan: MergePlan, progress: Progress | None = None, cancelled: CancelCheck | None = None) -> None:
    """Merge the package as planned, in one transaction: all of it or, on any error, nothing."""
    with collector_paused(), _merge_cache(plan.total), db.atomic():
        allow_bulk_lock_wait()  # a merge waits for the rows a colleague is saving (store/lock_wait.py)
        writer = _Writer(plan, progress, cancelled)
        if plan.summary.changed or plan.summary.conflicts:  # else only the memory of the exchange changes
            with open_checked_zip(plan.path, "un paquet d'échange cvdesk") as archive:
                if read_manifest(archive, plan.path).files != plan.manifest.files:
                    raise ExchangeError(f"Le paquet {plan.path} a changé pendant l'import : rien n'a été "
                                        "écrit.")
                for spec in table_specs():
                    writer.table(archive, spec)
        writer.finish()
    if progress:
        progress(2 * plan.total, 2 * plan.total)


def base_is_empty() -> bool:
    """Whether this database holds no record of any exchanged type (then every record of a package is new here)."""
    conn = raw()
    return not any(conn.execute(f'SELECT EXISTS (SELECT 1 FROM "{spec.table}")').fetchone()[0]
                   for spec in table_specs())


def merge_into_empty(path: Path, progress: Progress | None = None,
                     cancelled: CancelCheck | None = None) -> ImportSummary:
    """Merge a package into a database that holds no record yet, checking and writing each batch in one pass.

    With nothing here there is nothing to compare or decide: every record is new. Each batch passes the same checks
    as in the first pass of a merge (merge_plan.Reading) before it is written, all in one transaction, so that a
    refusal, a cancellation or a write error rolls back everything written before it: the package is read (and
    parsed, and hashed) once instead of twice. No backup is due, as for any merge into an empty database."""
    path = Path(path)
    with collector_paused(), open_checked_zip(path, "un paquet d'échange cvdesk") as archive:
        manifest = read_manifest(archive, path)
        reading = Reading(path, manifest, progress, cancelled)
        reading.passes = 1
        # Every reference is checked by the reading (to the package's records) and, with foreign keys off, once
        # more by SQLite over the whole base before the commit.
        with _references_checked_at_commit(reading.total) as deferred, _merge_cache(reading.total), db.atomic():
            allow_bulk_lock_wait()
            without_parallel_workers()
            # PostgreSQL: the foreign keys set aside for a large load and added back, checked in one join each,
            # before the commit (bulk_write.set_aside_foreign_keys).
            keys = set_aside_foreign_keys([s.table for s in table_specs()]) if reading.total > BULK_ROWS else []
            writer = _Writer(plan_of(reading), None, None)
            reading.sink = writer
            for spec in table_specs():
                reading.table(archive, spec)
            finished_plan(reading)  # no decision to take; the summary's warnings
            writer.finish()
            if deferred:
                _check_references(path)
            _keys_back(path, keys)
    if progress:
        progress(reading.total, reading.total)
    return reading.summary
