"""Writing a checked sheet's new actions in bulk: the rows, history, quartier links, funding lines, totals and
search index that save_action would leave for each, by prepared statements instead of one peewee save per record.

Only new actions come here (every value checked by prepare_actions, the reference free); an action the sheet
updates still goes through save_action. The caller holds the transaction: a refusal or a cancellation rolls all
of it back. What save_action also computes and the import never showed (the plan's warnings) is left out."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge_write import BULK_HASH_BYTES, FTS5_DEFAULT_HASH_BYTES, bulk_fold, fill_search
from cvdesk.exchange.sheet_preview import Item
from cvdesk.services.records import os_user
from cvdesk.store.bulk_journal import rollback_journal
from cvdesk.store.bulk_write import NewIds, insert_rows, page_cache, set_aside_indexes, set_aside_trigger
from cvdesk.store.deferred_references import broken_references, foreign_keys_off
from cvdesk.store.engine import is_postgres, raw
from cvdesk.store.models import UTC_FORMAT, Action, ActionQuartier, Funding, History, Record, db
from cvdesk.store.search_index import ACTION_INDEX, ACTION_SEARCH, source_view_sql
from cvdesk.store.settings import office_name

Progress = Callable[[int, int], None]
CHUNK = 2000  # actions between two progress reports and cancel checks
BULK_ROWS = 20_000  # below this many rows for a table, its indexes stay in place
# The page cache while the rows go in (as merge_write's): the indexes' pages are written once at commit rather
# than spilled to the WAL over and over; bounded, since every page of it is memory.
IMPORT_CACHE_KIB = 64 * 1024
# Columns a new action's history names by UUID, as services.records.plain_value does for a foreign key.
_ACTION_LINKS = {"orientation": "orientation", "porteur": "association"}


# The version nibble (4) and the variant bits (10xx) uuid.UUID(version=4) sets, as byte translation tables.
_VERSION = bytes((byte & 0x0F) | 0x40 for byte in range(256))
_VARIANT = bytes((byte & 0x3F) | 0x80 for byte in range(256))


# Where each group of a UUID's 32 hex digits goes in its 36-character text (8-4-4-4-12, dashes between).
_GROUPS = ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24))


def uuid4_batch(count: int) -> list[str]:
    """count version 4 UUIDs as text from one read of the system's randomness (the same bits uuid.uuid4 sets: the
    version nibble 4, the variant 10xx, set a whole chunk at a time by translating its 7th and 9th bytes); building
    UUID objects was a fifth of the writer's time. The texts are laid out by strided slices, one per hex digit of
    a UUID, over all of them at once (a slice per UUID and group took 0.7 s for the 867,000 of an import, 0.3 s
    so), then split apart."""
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = raw[6::16].translate(_VERSION)
    raw[8::16] = raw[8::16].translate(_VARIANT)
    digits = raw.hex().encode("ascii")
    text = bytearray(b"-" * (37 * count))  # each UUID's 36 characters and a space
    text[36::37] = b" " * count
    for start, end, at in _GROUPS:
        for k in range(end - start):
            text[at + k::37] = digits[start + k::32]
    return text.decode("ascii").split()


_TEXT = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) writes for a text (C)


def _json(value: Any) -> str:
    """One value as json.dumps(ensure_ascii=False) writes it, for the history rows written from a template."""
    if value is None:
        return "null"
    kind = type(value)
    if kind is str:
        return _TEXT(value)
    if kind is int:
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class _Table:
    """One table's INSERT with every column, each value given or the model's default, as peewee's insert."""

    def __init__(self, model: type[Record]) -> None:
        fields = list(model._meta.sorted_fields)  # the id too: given, or None for the base to choose
        self.template = [None if callable(f.default) else f.default for f in fields]
        self.position = {f.name: n for n, f in enumerate(fields)}
        self.name = model._meta.table_name
        self.columns = tuple(f.column_name for f in fields)


_SYSTEM = ("uuid", "created_at", "updated_at", "office", "deleted")
_ROW_COLUMNS = {History: ("record_type", "record_uuid", "operation", "os_user", "changes"),
                ActionQuartier: ("action", "quartier", "share_bp"),
                Funding: ("action", "funder", "requested", "granted", "paid", "decision_date", "notes")}


# Integers SQLite holds as such: a larger one bound raises, written as a literal it would become a float.
_INTEGER_RANGE = range(-2 ** 63, 2 ** 63)


def _literal(value: Any) -> str | None:
    """value as an SQL literal SQLite stores exactly as the bound value (None, a boolean as 0 or 1, a 64-bit integer,
    a text without NUL), None for a value to bind."""
    kind = type(value)
    if value is None:
        return "NULL"
    if kind is bool:
        return "1" if value else "0"
    if kind is int and value in _INTEGER_RANGE:
        return str(value)
    if kind is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    return None


def insert_constants_written(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """bulk_write.insert_rows, with each column that holds the same value (and type) in every row written into the
    INSERT as a literal instead of bound at each row. A lot's rows share their time, office, deleted flag, user and
    the defaults of the columns the sheet leaves out: 7 of a history row's 11 values. Binding a value copies it
    into SQLite at each row: the 433,000 history rows of a 100,000-action import went in 0.9 s so against 1.7 s
    (measured alone, sqlite3 only). PostgreSQL's COPY takes the rows as they are (insert_rows)."""
    if not rows or is_postgres():
        insert_rows(table, columns, rows)
        return
    first = rows[0]
    cells = list(zip(*rows))  # column by column
    count = len(rows)
    sql_values: list[str] = []
    varying: list[tuple[Any, ...]] = []
    for value, column in zip(first, cells):
        literal = _literal(value)
        # Equal is not enough: True == 1 == 1.0, yet a text column keeps 1 and 1.0 apart.
        if literal is not None and column.count(value) == count and len(set(map(type, column))) == 1:
            sql_values.append(literal)
        else:
            sql_values.append("?")
            varying.append(column)
    names = ", ".join(f'"{c}"' for c in columns)
    raw().executemany(f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(sql_values)})',
                      list(zip(*varying)) if varying else [()] * count)


class _Plan(NamedTuple):
    """How a new action's values go into its history's JSON (each name sorted, the text before its value, the
    UUIDs of its link's records or None; the JSON's texts between the values') and into its row (each name's column), for one set of columns given."""
    history: list[tuple[str, str, dict[int, str] | None]]
    slots: list[tuple[str, int]]
    between: list[str]  # the JSON's text before each value's, then after the last: "{" + head, "], " + head…, "]}"


def _history_text(value: Any, link: dict[int, str] | None) -> tuple[str, Any]:
    """One value's text in a new action's history (_json of what save_record keeps: a link's id by its record's
    UUID, a date as ISO text) and the value the row keeps (a date as that ISO text, anything else as it is)."""
    if isinstance(value, date):
        value = value.isoformat()
        return _TEXT(value), value
    if link is not None:
        return ("null" if value is None or (found := link.get(value)) is None else _TEXT(found)), value
    return _json(value), value


def _history_texts(column: list[Any], link: dict[int, str] | None) -> tuple[list[str], list[Any] | None]:
    """The texts of one name's values in the history of a lot's actions, a column at a time: the usual columns
    (all texts, all whole numbers, all empty, a link's ids) by one C loop each instead of a test of each value's
    type; and the values the rows keep, when some changed (dates), else None."""
    kinds = set(map(type, column))
    if link is not None and kinds <= {int, type(None)}:
        return ["null" if found is None else _TEXT(found) for found in map(link.get, column)], None
    if link is None:
        if kinds == {str}:
            return list(map(_TEXT, column)), None
        if kinds == {int}:
            return list(map(str, column)), None
        if kinds == {type(None)}:
            return ["null"] * len(column), None
    texts, kept = zip(*(_history_text(value, link) for value in column))
    return list(texts), list(kept)


def _uuids(table: str) -> dict[int, str]:
    return dict(db.execute_sql(f"SELECT id, uuid FROM {table}").fetchall())


class _Writer:
    def __init__(self) -> None:
        self.conn = raw()
        self.office = office_name()
        self.user = os_user()
        self.tables = {model: _Table(model) for model in (Action, ActionQuartier, Funding, History)}
        self.links = {name: _uuids(table) for name, table in _ACTION_LINKS.items()}
        self.quartiers = _uuids("quartier")
        self.funders = _uuids("funder")
        self.uuids: list[str] = []  # drawn by ready() for each chunk
        self.now = ""  # the chunk's time, set by ready()
        self.pending: dict[type[Record], list[Any]] = {Action: [], ActionQuartier: [], Funding: [],
                                                             History: []}
        # The rows below are written as tuples in each table's column order (id first, None for SQLite to choose;
        # then uuid, created_at, updated_at, office, deleted); this holds that order to what the models say.
        for model, columns in _ROW_COLUMNS.items():
            assert list(self.tables[model].position) == ["id", *_SYSTEM, *columns], model
        self.action_template = list(self.tables[Action].template)
        self.action_position = self.tables[Action].position
        assert list(self.action_position)[:6] == ["id", *_SYSTEM]  # an action's row starts as the others'
        # The actions' ids given here (NewIds), so that their lines and links can name them before they are inserted.
        self.new_ids = NewIds("action")
        self.action_ids: Iterator[int] = iter(())  # drawn by ready() for each chunk
        self.first_id = 0  # the first of them
        # Each new action's search text (id, text), made here from its row when the base's view is the one
        # bulk_fold reproduces (search_texts_made_here): read back through the view's join, then folded whole,
        # it took 0.6 s for 100,000 actions; so, the porteurs' names folded once each, 0.2 s.
        self.search: list[tuple[int, str | None]] | None = None
        self.porteur_names: dict[int, str] = {}
        self.searched = itemgetter(*(self.action_position[name] for name in ("reference", "title", "porteur",
                                                                            "description", "objectives")))
        self.plans: dict[tuple[str, ...], _Plan] = {}
        self.total_slots = [(self.action_position[name], name)
                            for name in ("requested_total", "granted_total", "paid_total")]

    def _plan(self, names: tuple[str, ...]) -> _Plan:
        links = self.links
        history = [(name, f'"{name}": [null, ', links.get(name)) for name in sorted(names)]
        between = [("], " if n else "{") + head for n, (_, head, _) in enumerate(history)] + ["]}" if history else "{}"]
        return _Plan(history=history,
                     slots=[(name, self.action_position[name]) for name in names if name in self.action_position],
                     between=between)

    def actions(self, items: Sequence[Item]) -> None:
        """These actions' rows, as action() writes each; their history's JSON made first for all of them, a name
        at a time (json.dumps(sort_keys=True) of what save_record keeps: the same text, a tenth of a national
        import's writing when made value by value)."""
        prepared = [self._values(item) for item in items]
        changes: list[str] = [""] * len(items)
        by_names: dict[tuple[str, ...], list[int]] = {}
        for n, item in enumerate(items):
            by_names.setdefault(tuple(item.values), []).append(n)
        for names, positions in by_names.items():
            plan = self.plans.get(names)
            if plan is None:
                plan = self.plans[names] = self._plan(names)
            # Each action's JSON joined from the columns of its parts: the fixed texts repeated, each name's texts.
            parts: list[Any] = []
            for (name, _, link), between in zip(plan.history, plan.between):
                texts, kept = _history_texts([prepared[n][name] for n in positions], link)
                parts += (repeat(between), texts)
                if kept is not None:
                    for n, value in zip(positions, kept):
                        prepared[n][name] = value
            parts.append(repeat(plan.between[-1], len(positions)))  # one finite column at least: zip stops
            for n, text in zip(positions, map("".join, zip(*parts))):
                changes[n] = text
        for item, values, change in zip(items, prepared, changes):
            self.action(item, values, change)

    def _values(self, item: Item) -> dict[str, Any]:
        """The values of a new action's row: the sheet's (the reference stripped, as save_action does) and the sums
        services.actions.recompute_totals keeps, taken from the lines written with it."""
        values = dict(item.values)
        if isinstance(values.get("reference"), str):
            values["reference"] = values["reference"].strip()
        fundings = item.extra.get("fundings")
        if fundings is not None:
            requested = granted = paid = 0
            for line in fundings:
                requested += line.requested
                granted += line.granted or 0
                paid += line.paid or 0
            values["requested_total"], values["granted_total"], values["paid_total"] = requested, granted, paid
        return values

    def make_search_texts(self) -> None:
        self.search = []
        self.porteur_names = {id_: bulk_fold(name) for id_, name in
                              self.conn.execute("SELECT id, name FROM association")}

    def ready(self, items: Sequence[Item]) -> None:
        """UUIDs enough for these actions' records and their history rows, drawn at once."""
        records = sum(1 + len(set(item.extra.get("quartiers") or ())) + len(item.extra.get("fundings") or ())
                      for item in items)
        self.uuids = uuid4_batch(2 * records)
        ids = self.new_ids.take(len(items))
        if not self.first_id and ids:
            self.first_id = ids[0]
        self.action_ids = iter(ids)
        # One time for the chunk (2,000 actions written within the same moment): save_action takes one per record.
        self.now = datetime.now(timezone.utc).strftime(UTC_FORMAT)

    def flush(self) -> None:
        for model, rows in self.pending.items():
            if rows:
                table = self.tables[model]
                if model is History:
                    self._flush_history(table, rows)
                else:
                    insert_constants_written(table.name, table.columns, rows)
                rows.clear()

    def _flush_history(self, table: _Table, rows: list[tuple[str, str, str, str]]) -> None:
        """The lot's history rows, given as (uuid, record type, record uuid, changes): the rest is the lot's own (its
        time, office, user; « create », not deleted), written once into the INSERT (as insert_constants_written
        finds it, without looking through the 433,000 rows of a national import for it)."""
        now, office, user = self.now, self.office, self.user
        shared = [_literal(value) for value in (now, office, user)]
        if is_postgres() or None in shared:  # COPY takes whole rows; a NUL in the office's name is bound
            insert_rows(table.name, table.columns, [(None, uuid, now, now, office, False, kind, record, "create", user,
                                                     changes) for uuid, kind, record, changes in rows])
            return
        now, office, user = shared
        values = ("?", now, now, office, "0", "?", "?", "'create'", user, "?")  # the columns after the id
        names = ", ".join(f'"{c}"' for c in table.columns[1:])
        raw().executemany(f'INSERT INTO "{table.name}" ({names}) VALUES ({", ".join(values)})', rows)

    def action(self, item: Item, values: dict[str, Any], changes: str) -> None:
        """One new action's rows and history rows (its values from _values, its history's JSON from actions())."""
        # A record gone since the preview (removed outright by another program) gives no UUID here: the rows are
        # written all the same and check_references, or the foreign keys, refuse the import whole.
        fundings = item.extra.get("fundings")
        plan = self.plans[tuple(item.values)]
        now = self.now
        uuids = self.uuids
        action_uuid = uuids.pop()
        office = self.office
        action_id = next(self.action_ids)
        row = self.action_template.copy()
        for name, at in plan.slots:  # a value that is no column of the action (none today) stays out, as before
            row[at] = values[name]
        if fundings is not None:
            for at, name in self.total_slots:
                row[at] = values[name]
        row[:6] = action_id, action_uuid, now, now, office, False
        self.pending[Action].append(row)
        if self.search is not None:
            # The view's text (search_index.source_view_sql): the fields joined by line breaks, the porteur's name
            # or nothing, NULL when a field is NULL (as || makes it); folded letter by letter, so part by part.
            reference, title, porteur, description, objectives = self.searched(row)
            if reference is None or title is None or description is None or objectives is None:
                self.search.append((action_id, None))
            else:
                name = self.porteur_names.get(porteur, "") if porteur is not None else ""
                self.search.append((action_id, f"{bulk_fold(reference)}\n{bulk_fold(title)}\n{name}\n"
                                               f"{bulk_fold(description)}\n{bulk_fold(objectives)}"))
        history = self.pending[History]  # (uuid, record type, record uuid, changes): _flush_history adds the rest
        history.append((uuids.pop(), "Action", action_uuid, changes))
        link_rows, funding_rows = self.pending[ActionQuartier], self.pending[Funding]
        # The links' and lines' history rows from a template: json.dumps(sort_keys=True) of their fixed fields, the
        # same text (the tests compare it with what save_action writes).
        for quartier_id in sorted(set(item.extra.get("quartiers") or ())):
            link_uuid = uuids.pop()
            link_rows.append((None, link_uuid, now, now, office, False, action_id, quartier_id, None))
            history.append((uuids.pop(), "ActionQuartier", link_uuid,
                            f'{{"action": [null, "{action_uuid}"], "quartier": [null, '
                            f'"{self.quartiers.get(quartier_id)}"], "share_bp": [null, null]}}'))
        funders = self.funders
        for line in fundings or ():
            decided = None if line.decision_date is None else line.decision_date.isoformat()
            requested, granted, paid, notes = line.requested, line.granted, line.paid, line.notes
            funding_uuid = uuids.pop()
            funding_rows.append((None, funding_uuid, now, now, office, False, action_id, line.funder_id,
                                 requested, granted, paid, decided, notes))
            # _json of each value, inline for the usual ones: an ISO date holds nothing to escape, an int is its
            # str(); anything else through _json.
            if type(requested) is int and type(notes) is str and (granted is None or type(granted) is int) \
                    and (paid is None or type(paid) is int):
                decided_json = "null" if decided is None else '"' + decided + '"'
                granted_json = "null" if granted is None else str(granted)
                paid_json = "null" if paid is None else str(paid)
                changes = (f'{{"action": [null, "{action_uuid}"], "decision_date": [null, {decided_json}], '
                           f'"funder": [null, "{funders.get(line.funder_id)}"], '
                           f'"granted": [null, {granted_json}], "notes": [null, {_TEXT(notes)}], '
                           f'"paid": [null, {paid_json}], "requested": [null, {requested}]}}')
            else:
                changes = (f'{{"action": [null, "{action_uuid}"], "decision_date": [null, {_json(decided)}], '
                           f'"funder": [null, "{funders.get(line.funder_id)}"], '
                           f'"granted": [null, {_json(granted)}], "notes": [null, {_json(notes)}], '
                           f'"paid": [null, {_json(paid)}], "requested": [null, {_json(requested)}]}}')
            history.append((uuids.pop(), "Funding", funding_uuid, changes))


def started_afresh(conn: Any, index: str) -> bool:
    """SQLite: a full-text index holding no row rebuilt empty ('rebuild' of an FTS5 table whose content table is
    empty: its segments dropped), so that the bulk fill's segment is written alone; whether it was.

    Why: FTS5 writes a deletion as more index data (a marker merged away later), so an index whose rows were all
    deleted still holds their segments. The fill's new segment was merged with them when the transaction flushed
    it: 0.6 s more for the national benchmark's base, whose 100,000 actions were removed (32 MB of dead segments).
    With no row in the index, 'rebuild' reads nothing and keeps nothing: the same rows, the same answers to any
    query. An index holding rows is left as it is (its rows would all be indexed again). PostgreSQL: nothing."""
    if is_postgres() or conn.execute(f"SELECT EXISTS (SELECT 1 FROM {index})").fetchone()[0]:
        return False
    conn.execute(f"INSERT INTO {index}({index}) VALUES ('rebuild')")
    return True


def search_texts_made_here(conn: Any) -> bool:
    """Whether the new actions' search texts may be made from their rows (SQLite, the base's view being the one
    generated from the fold table bulk_fold applies), rather than read back through the view (merge_write.fill_search
    decides the same for its fill)."""
    if is_postgres():
        return False
    stored = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?",
                          (ACTION_INDEX.view,)).fetchone()
    return stored is not None and stored[0] == source_view_sql(ACTION_INDEX)


def _fill_search_with(conn: Any, rows: list[tuple[int, str | None]]) -> None:
    """The action index filled with these rows, FTS5's buffer of pending terms enlarged meanwhile as
    merge_write.fill_search does (fewer segments to write and merge), SQLite's default set back after."""
    config = f"INSERT INTO {ACTION_SEARCH}({ACTION_SEARCH}, rank) VALUES ('hashsize', ?)"
    conn.execute(config, (BULK_HASH_BYTES,))
    conn.executemany(f"INSERT INTO {ACTION_SEARCH}(rowid, text) VALUES (?, ?)", rows)
    conn.execute(config, (FTS5_DEFAULT_HASH_BYTES,))


def rebuild_pays(present: int, adding: int) -> bool:
    """Whether building a table's indexes again over all its rows costs less than adding these rows to them: a
    sort of present + adding keys against adding random inserts, judged simply by which rows are more."""
    return adding >= present


def _set_aside_indexes(conn: Any, table: str, adding: int) -> list[str]:
    """Drop the table's indexes when the rows to add outnumber the rows there (a first import into a new base):
    built once at the end from sorted keys, they cost a fraction of as many random inserts into each (a random
    UUID lands anywhere in its index). Their CREATE statements, to run again in the same transaction (none on
    PostgreSQL: store.bulk_write)."""
    if adding < BULK_ROWS or not rebuild_pays(conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0], adding):
        return []
    return set_aside_indexes(table)


@contextmanager
def references_checked_at_end(adding: int) -> Iterator[bool]:
    """Foreign keys off for a bulk write of this many new records (BULK_ROWS or more), when no transaction is open yet (SQLite ignores the pragma inside
    one), as the merge does; yields whether they are off, then on again. While off, the caller runs
    check_references() before its transaction commits: the base checked once costs less than a lookup of each
    parent at each insert (an action's orientation, porteur; a line's action and funder; a link's quartier).
    The base also goes through the rollback journal meanwhile when nothing else has it open (store.bulk_journal)."""
    if adding < BULK_ROWS:
        yield False
        return
    # The rollback journal too (store.bulk_journal): the added pages written once, not to the WAL then the base.
    with rollback_journal(), foreign_keys_off() as off:
        yield off


def check_references(path: Path) -> None:
    """Every reference of the base leads to a record, or the import is refused whole (its transaction rolled
    back): what the foreign keys would have refused row by row."""
    broken = broken_references()
    if broken:
        raise ExchangeError(f"L'import du fichier {path} : {len(broken)} référence(s) de la table {broken[0][0]} "
                            "ne mènent à aucun enregistrement une fois écrites : rien n'a été écrit.")


def write_new_actions(items: Sequence[Item], progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None, done: int = 0, total: int = 0) -> None:
    """Insert these new actions with everything save_action writes for them; inside the caller's transaction.

    The search index's insert trigger is set aside while they are written and the index filled once for them
    at the end (the same text the trigger would have copied), then the trigger is put back; a rollback restores
    the trigger too."""
    if not items:
        return
    with collector_paused():  # the rows made here hold no cycle
        _write_new_actions(items, progress, cancelled, done, total)


def _write_new_actions(items: Sequence[Item], progress: Progress | None, cancelled: Callable[[], bool] | None,
                       done: int, total: int) -> None:
    writer = _Writer()
    conn = writer.conn
    trigger = set_aside_trigger(f"{ACTION_SEARCH}_insert")
    if trigger is not None:
        started_afresh(conn, ACTION_SEARCH)
        if search_texts_made_here(conn):
            writer.make_search_texts()
    links = sum(len(set(item.extra.get("quartiers") or ())) for item in items)
    lines = sum(len(item.extra.get("fundings") or ()) for item in items)
    rebuild = [sql for table, adding in (("action", len(items)), ("action_quartier", links), ("funding", lines),
                                         ("history", len(items) + links + lines))
               for sql in _set_aside_indexes(conn, table, adding)]
    with page_cache(IMPORT_CACHE_KIB):
        for start in range(0, len(items), CHUNK):
            if progress is not None:
                progress(done + start, total or len(items))
            if cancelled is not None and cancelled():
                raise Cancelled()
            chunk = items[start:start + CHUNK]
            writer.ready(chunk)
            writer.actions(chunk)
            writer.flush()
        for sql in rebuild:
            conn.execute(sql)
        if trigger is not None:
            # What the index's trigger does, in one pass.
            if writer.search is not None:
                _fill_search_with(conn, writer.search)
            else:
                fill_search(conn, ACTION_INDEX, writer.first_id)
            conn.execute(trigger)
