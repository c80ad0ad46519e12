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
from itertools import accumulate, chain, repeat
from operator import add, attrgetter, itemgetter, sub
from typing import Any, Callable, Iterator, NamedTuple, Sequence

from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge_write import (BULK_HASH_BYTES, FTS5_DEFAULT_HASH_BYTES, fill_search, index_texts,
                                         view_is_generated)
from cvdesk.exchange.sheet_preview import Item
from cvdesk.services.records import os_user
from cvdesk.store.bulk_journal import rollback_journal
from cvdesk.store.bulk_write import NewIds, page_cache, set_aside_indexes, set_aside_trigger
from cvdesk.store.column_insert import Same, insert_lot
from cvdesk.store.deferred_references import broken_references, foreign_keys_off
from cvdesk.store.engine import is_postgres, raw
from cvdesk.store.models import UTC_FORMAT, Action, ActionQuartier, Funding, History, Record, db
from cvdesk.store.search_index import ACTION_INDEX, ACTION_SEARCH
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


def insert_constants_written(table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """column_insert.insert_lot of rows given row by row: each column that holds the same value (and type) in every
    row bound once for each statement of many rows instead of at each row (the 433,000 history rows of a
    100,000-action import went in 0.9 s so against 1.7 s, measured alone). PostgreSQL: COPY of the rows as they
    are."""
    if not rows:
        return
    insert_lot(table, columns, list(zip(*rows)))


class _Plan(NamedTuple):
    """How a new action's values go into its history's JSON, for one set of columns given: each name sorted, the
    text before its value and the UUIDs of its link's records or None; the JSON's texts between the values'."""
    history: list[tuple[str, str, dict[int, str] | None]]
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


_NONE = type(None)


def json_column(column: Sequence[Any]) -> list[str]:
    """list(map(_json, column)), the usual columns (texts; whole numbers and empty values) without a Python call
    per value."""
    kinds = set(map(type, column))
    if kinds == {str}:
        return list(map(_TEXT, column))
    if kinds == {int}:
        return list(map(str, column))
    if kinds <= {int, _NONE}:
        return ["null" if value is None else str(value) for value in column]
    if kinds <= {str, _NONE}:
        return ["null" if value is None else _TEXT(value) for value in column]
    return list(map(_json, column))


def _joined(*parts: Any) -> list[str]:
    """The texts made by joining, row by row, these columns and fixed texts (a str stands for itself on every row;
    one column at least)."""
    return list(map("".join, zip(*(repeat(part) if isinstance(part, str) else part for part in parts))))


def _spread(values: Sequence[Any], counts: Sequence[int]) -> list[Any]:
    """Each value repeated as many times as its count says, in order (an action's id for each of its lines)."""
    return list(chain.from_iterable(map(repeat, values, counts)))


def _places(starts: Sequence[int], counts: Sequence[int]) -> list[int]:
    """The numbers from each start, as many as its count (the places of an action's lines among a lot's records)."""
    return list(chain.from_iterable(map(range, starts, map(add, starts, counts))))


def search_texts(references: Sequence[Any], titles: Sequence[Any], names: Sequence[str],
                 descriptions: Sequence[Any], objectives: Sequence[Any]) -> list[str | None]:
    """The search index's text of each action of a lot, from its columns: reference, title, porteur's name (or
    nothing), description, objectives, made as the merge makes them (merge_write.index_texts)."""
    return index_texts(zip(references, titles, names, descriptions, objectives))


# A funding line's values, in the order of its row's columns after the action's id.
_LINE_VALUES = attrgetter("funder_id", "requested", "granted", "paid", "decision_date", "notes")


def _uuids(table: str) -> dict[int, str]:
    return dict(db.execute_sql(f"SELECT id, uuid FROM {table}").fetchall())


class _Writer:
    """The rows of new actions, their quartier links, funding lines and history, written a lot at a time (lot()),
    each table's columns made whole rather than row by row."""

    def __init__(self) -> None:
        self.conn = raw()
        self.office = office_name()
        self.user = os_user()
        self.tables = {model: _Table(model) for model in (Action, ActionQuartier, Funding, History)}
        self.links = {name: _uuids(table) for name, table in _ACTION_LINKS.items()}
        self.quartiers = _uuids("quartier")
        self.funders = _uuids("funder")
        # The columns below are given in each table's column order (id first, None for SQLite to choose; then uuid,
        # created_at, updated_at, office, deleted); this holds that order to what the models say.
        for model, columns in _ROW_COLUMNS.items():
            assert list(self.tables[model].position) == ["id", *_SYSTEM, *columns], model
        self.action_template = list(self.tables[Action].template)
        self.action_position = self.tables[Action].position
        assert list(self.action_position)[:6] == ["id", *_SYSTEM]  # an action's row starts as the others'
        # The actions' ids given here (NewIds), so that their lines and links can name them before they are inserted.
        self.new_ids = NewIds("action")
        self.first_id = 0  # the first of them
        # Each new action's search text (id, text), made here from its row when the base's view is the one
        # bulk_fold reproduces (search_texts_made_here): read back through the view's join, then folded whole,
        # it took 0.6 s for 100,000 actions.
        self.search: list[tuple[int, str | None]] | None = None
        self.porteur_names: dict[int, str] = {}
        self.plans: dict[tuple[str, ...], _Plan] = {}

    def _plan(self, names: tuple[str, ...]) -> _Plan:
        links = self.links
        history = [(name, f'"{name}": [null, ', links.get(name)) for name in sorted(names)]
        between = [("], " if n else "{") + head for n, (_, head, _) in enumerate(history)] + ["]}" if history else "{}"]
        return _Plan(history=history, between=between)

    def make_search_texts(self) -> None:
        self.search = []
        # COALESCE(p.name, ''), as the view reads it; folded with the rest of each text.
        self.porteur_names = dict(self.conn.execute("SELECT id, COALESCE(name, '') FROM association"))

    def lot(self, items: Sequence[Item]) -> None:
        """These new actions written with their links, lines and history rows: what save_action leaves for each.

        Made a column at a time (20 µs an action row by row): each table's columns whole, the JSON of the
        history's rows joined from columns of texts, the search texts folded for the lot at once. The records'
        UUIDs and the history's rows keep the order a record at a time gave them (each action, then its links,
        then its lines; each record's UUID drawn before its history row's), so that the same draw leaves the very
        same tables."""
        count = len(items)
        quartiers = [sorted(set(item.extra.get("quartiers") or ())) for item in items]
        fundings = [item.extra.get("fundings") for item in items]
        link_counts = list(map(len, quartiers))
        line_counts = [len(lines or ()) for lines in fundings]
        links, lines = sum(link_counts), sum(line_counts)
        records = count + links + lines
        drawn = uuid4_batch(2 * records)
        ids = self.new_ids.take(count)
        if not self.first_id and ids:
            self.first_id = ids[0]
        # One time for the lot (2,000 actions written within the same moment): save_action takes one per record.
        now = datetime.now(timezone.utc).strftime(UTC_FORMAT)
        office = self.office
        # Each record's place among the lot's records (an action, its links, its lines, the next action…) and its
        # UUIDs: drawn[-1] the first record's, drawn[-2] its history row's, and so on.
        drawn.reverse()
        record_uuids, history_uuids = drawn[0::2], drawn[1::2]
        action_at = list(accumulate(map(add, map(add, link_counts, line_counts), repeat(1)), initial=0))[:-1]
        links_from = [at + 1 for at in action_at]
        lines_from = list(map(add, links_from, link_counts))
        link_at, line_at = _places(links_from, link_counts), _places(lines_from, line_counts)
        uuid_at = record_uuids.__getitem__
        action_uuids = list(map(uuid_at, action_at))
        link_uuids, line_uuids = list(map(uuid_at, link_at)), list(map(uuid_at, line_at))

        all_lines = list(chain.from_iterable(lines_ for lines_ in fundings if lines_))
        funder_ids, requested, granted, paid, dates, notes = (zip(*map(_LINE_VALUES, all_lines)) if all_lines
                                                              else ((),) * 6)
        action_changes, action_columns = self._actions(items, fundings, line_counts, (requested, granted, paid))
        action_columns[:6] = ids, action_uuids, Same(now), Same(now), Same(office), Same(False)

        quartier_ids = list(chain.from_iterable(quartiers))
        link_action_uuids = _spread(action_uuids, link_counts)
        link_changes = _joined('{"action": [null, "', link_action_uuids, '"], "quartier": [null, "',
                               map(str, map(self.quartiers.get, quartier_ids)), '"], "share_bp": [null, null]}')
        link_columns = [Same(None), link_uuids, Same(now), Same(now), Same(office), Same(False),
                        _spread(ids, link_counts), quartier_ids, Same(None)]

        decided = [None if day is None else day.isoformat() for day in dates]
        line_changes = _joined('{"action": [null, "', _spread(action_uuids, line_counts),
                               '"], "decision_date": [null, ', json_column(decided),
                               '], "funder": [null, "', map(str, map(self.funders.get, funder_ids)),
                               '"], "granted": [null, ', json_column(granted), '], "notes": [null, ', json_column(notes),
                               '], "paid": [null, ', json_column(paid), '], "requested": [null, ',
                               json_column(requested), "]}") if all_lines else []
        line_columns = [Same(None), line_uuids, Same(now), Same(now), Same(office), Same(False),
                        _spread(ids, line_counts), funder_ids, requested, granted, paid, decided, notes]

        # The history rows in the records' order: the three kinds' columns merged by their places (each kind's
        # places ascend, so the sort merges three runs).
        places = action_at + link_at + line_at
        order = sorted(range(records), key=places.__getitem__)
        kinds = ["Action"] * count + ["ActionQuartier"] * links + ["Funding"] * lines
        changes = action_changes + link_changes + line_changes
        history_columns = [Same(None), history_uuids, Same(now), Same(now), Same(office), Same(False),
                           list(map(kinds.__getitem__, order)), record_uuids, Same("create"), Same(self.user),
                           list(map(changes.__getitem__, order))]

        if self.search is not None:
            position = self.action_position

            def column(name: str) -> Sequence[Any]:
                found = action_columns[position[name]]
                return [found.value] * count if isinstance(found, Same) else found

            self.search += zip(ids, search_texts(column("reference"), column("title"),
                                                 list(map(self.porteur_names.get, column("porteur"), repeat(""))),
                                                 column("description"), column("objectives")))
        for model, columns in ((Action, action_columns), (ActionQuartier, link_columns), (Funding, line_columns),
                               (History, history_columns)):
            table = self.tables[model]
            insert_lot(table.name, table.columns, columns)

    def _actions(self, items: Sequence[Item], fundings: list[Any], line_counts: list[int],
                 amounts: tuple[Sequence[Any], Sequence[Any], Sequence[Any]]) -> tuple[list[str], list[Any]]:
        """The history JSON of each action (json.dumps(sort_keys=True) of what save_record keeps: the same text)
        and the columns of their rows but the first six (each a list, or Same for a column the sheet leaves out):
        the sheet's values (the reference stripped, as save_action does; dates as ISO text), and the sums
        services.actions.recompute_totals keeps, taken from the lines written with them."""
        count = len(items)
        template, position = self.action_template, self.action_position
        columns: list[Any] = [Same(value) for value in template]
        changes: list[str] = [""] * count
        groups: dict[tuple[str, ...], list[int]] = {}
        for n, item in enumerate(items):
            groups.setdefault(tuple(item.values), []).append(n)
        for names, positions in groups.items():
            plan = self.plans.get(names)
            if plan is None:
                plan = self.plans[names] = self._plan(names)
            whole = len(positions) == count
            given = [items[n].values for n in positions]
            if len(names) > 1:
                values = dict(zip(names, map(list, zip(*map(itemgetter(*names), given)))))
            else:
                values = {name: [row[name] for row in given] for name in names}
            if "reference" in values:
                values["reference"] = [value.strip() if isinstance(value, str) else value
                                       for value in values["reference"]]
            # Each action's JSON joined from the columns of its parts: the fixed texts repeated, each name's texts.
            parts: list[Any] = []
            for (name, _, link), between in zip(plan.history, plan.between):
                texts, kept = _history_texts(values[name], link)
                parts += (between, texts)
                if kept is not None:
                    values[name] = kept
            made = _joined(*parts, plan.between[-1]) if parts else [plan.between[-1]] * len(positions)
            if whole:
                changes = made
            else:
                for n, text in zip(positions, made):
                    changes[n] = text
            for name, column in values.items():
                at = position.get(name)
                if at is None:  # a value that is no column of the action (none today) stays out, as before
                    continue
                if whole:
                    columns[at] = column
                else:
                    if isinstance(columns[at], Same):
                        columns[at] = [template[at]] * count
                    for n, value in zip(positions, column):
                        columns[at][n] = value
        if any(lines is not None for lines in fundings):
            self._totals(columns, fundings, line_counts, amounts)
        return changes, columns

    def _totals(self, columns: list[Any], fundings: list[Any], line_counts: list[int],
                amounts: tuple[Sequence[Any], Sequence[Any], Sequence[Any]]) -> None:
        """The requested, granted and paid sums of each action that has its lines (fundings not None) into its
        row's columns, from the lot's lines' columns of these amounts: differences of running sums when every
        amount is a whole number (the very sums), else added line by line as recompute_totals adds them."""
        count = len(fundings)
        ends = list(accumulate(line_counts))
        starts = [0, *ends[:-1]]
        every = all(lines is not None for lines in fundings)
        for name, column, empty_is_zero in zip(("requested_total", "granted_total", "paid_total"), amounts,
                                               (False, True, True)):
            column = [amount or 0 for amount in column] if empty_is_zero else column
            if set(map(type, column)) <= {int}:
                running = [0, *accumulate(column)]
                sums = list(map(sub, map(running.__getitem__, ends), map(running.__getitem__, starts)))
            else:
                sums = []
                for start, end in zip(starts, ends):
                    total = 0
                    for amount in column[start:end]:
                        total += amount
                    sums.append(total)
            at = self.action_position[name]
            before = columns[at]
            if every:
                columns[at] = sums
            else:
                kept = [before.value] * count if isinstance(before, Same) else before
                columns[at] = [made if lines is not None else was for made, was, lines in zip(sums, kept, fundings)]


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
    """Whether the new actions' search texts may be made from their rows (SQLite, the base's view being the
    generated one) rather than read back through the view, as the merge decides (merge_write.view_is_generated)."""
    return not is_postgres() and view_is_generated(conn, ACTION_INDEX)


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
            writer.lot(items[start:start + CHUNK])
        if progress is not None:
            # Every row written: what remains (indexes, search, checks, commit) takes seconds at national scale,
            # and the user is told the rows are in rather than seeing the last lot's count stand still.
            progress(done + len(items), total or len(items))
        for sql in rebuild:
            conn.execute(sql)
        if trigger is not None:
            # What the index's trigger does, in one pass.
            if writer.search is not None:
                _fill_search_with(conn, writer.search)
            else:
                fill_search(conn, ACTION_INDEX, writer.first_id)
            conn.execute(trigger)
