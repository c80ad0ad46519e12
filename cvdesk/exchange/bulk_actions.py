"""Writing a checked sheet's new actions in bulk: the rows, history, quartier links, funding lines, totals and
search index that save_action would leave for each, by prepared statements instead of one peewee save per record.

Only new actions come here (every value checked by prepare_actions, the reference free); an action the sheet
updates still goes through save_action. The caller holds the transaction: a refusal or a cancellation rolls all
of it back. What save_action also computes and the import never showed (the plan's warnings) is left out."""
from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone
from typing import Any, Callable, Sequence

from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.sheet_preview import Item
from cvdesk.services.records import os_user
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
# json.dumps(changes, ensure_ascii=False, sort_keys=True) as services.records writes a history row, its encoder
# built once (json.dumps builds one per call when given options).
_CHANGES = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


_VARIANT = "89ab89ab89ab89ab"  # the variant nibble (10xx) from any random hex digit


def uuid4_batch(count: int) -> list[str]:
    """count version 4 UUIDs as text from one read of the system's randomness (the same bits uuid.uuid4 sets: the
    version nibble 4, the variant 10xx); building UUID objects was a fifth of the writer's time."""
    h = os.urandom(16 * count).hex()
    return [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-4{h[i + 13:i + 16]}-{_VARIANT[int(h[i + 16], 16)]}{h[i + 17:i + 20]}-"
            f"{h[i + 20:i + 32]}" for i in range(0, 32 * count, 32)]


def _json(value: Any) -> str:
    """One value as json.dumps(ensure_ascii=False) writes it, for the history rows written from a template."""
    if value is None:
        return "null"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


class _Table:
    """One table's INSERT with every column, each value given or the model's default, as peewee's insert."""

    def __init__(self, model: type[Record]) -> None:
        fields = list(model._meta.sorted_fields)  # the id too: given, or None for SQLite to choose
        self.template = [None if callable(f.default) else f.default for f in fields]
        self.position = {f.name: n for n, f in enumerate(fields)}
        columns = ", ".join(f'"{f.column_name}"' for f in fields)
        marks = ", ".join("?" for _ in fields)
        self.sql = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks})'

    def maker(self, *names: str) -> Callable[..., list[Any] | tuple[Any, ...]]:
        """A function taking these columns' values in this order, giving the row (the others at their defaults);
        dates must come as ISO text already (as sqlite3's adapter writes them)."""
        positions = [self.position[name] for name in names]
        template = self.template
        if list(self.position) == ["id", *names]:
            def whole(*values: Any) -> tuple[Any, ...]:  # every column given but the id: no template to fill
                return (None, *values)

            return whole

        def make(*values: Any) -> list[Any] | tuple[Any, ...]:
            row = template.copy()
            for position, value in zip(positions, values):
                row[position] = value
            return row

        return make


_SYSTEM = ("uuid", "created_at", "updated_at", "office", "deleted")


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _uuids(table: str) -> dict[int, str]:
    return dict(db.execute_sql(f"SELECT id, uuid FROM {table}").fetchall())


class _Writer:
    def __init__(self) -> None:
        self.conn = db.connection()
        self.office = office_name()
        self.user = os_user()
        self.tables = {model: _Table(model) for model in (Action, ActionQuartier, Funding, History)}
        self.links = {name: _uuids(table) for name, table in _ACTION_LINKS.items()}
        self.quartiers = _uuids("quartier")
        self.funders = _uuids("funder")
        self.uuids: list[str] = []  # drawn by ready() for each chunk
        self.pending: dict[type[Record], list[Any]] = {Action: [], ActionQuartier: [], Funding: [],
                                                             History: []}
        self.history_row = self.tables[History].maker(*_SYSTEM, "record_type", "record_uuid", "operation",
                                                      "os_user", "changes")
        self.link_row = self.tables[ActionQuartier].maker(*_SYSTEM, "action", "quartier", "share_bp")
        self.funding_row = self.tables[Funding].maker(*_SYSTEM, "action", "funder", "requested", "granted", "paid",
                                                      "decision_date", "notes")
        self.action_columns = [name for name in self.tables[Action].position if name not in (*_SYSTEM, "id")]
        self.action_row = self.tables[Action].maker("id", *_SYSTEM, *self.action_columns)
        # The actions' ids given here, so that their lines and links can name them before they are inserted:
        # the transaction holds the base's only writer, and nothing above the largest id is taken.
        self.next_id = self.conn.execute('SELECT COALESCE(MAX(id), 0) + 1 FROM "action"').fetchone()[0]
        self.first_id = self.next_id

    def _history(self, model: type[Record], record_uuid: str, now: str, changes: str) -> None:
        self.pending[History].append(self.history_row(self.uuids.pop(), now, now, self.office, False,
                                                      model.__name__, record_uuid, "create", self.user, changes))

    def ready(self, items: Sequence[Item]) -> None:
        """UUIDs enough for these actions' records and their history rows, drawn at once."""
        records = sum(1 + len(set(item.extra.get("quartiers") or ())) + len(item.extra.get("fundings") or ())
                      for item in items)
        self.uuids = uuid4_batch(2 * records)

    def flush(self) -> None:
        for model, rows in self.pending.items():
            if rows:
                self.conn.executemany(self.tables[model].sql, rows)
                rows.clear()

    def action(self, item: Item) -> None:
        values = dict(item.values)
        if isinstance(values.get("reference"), str):
            values["reference"] = values["reference"].strip()  # as save_action does
        fundings = item.extra.get("fundings")
        # The sums services.actions.recompute_totals keeps, taken from the lines written just below.
        if fundings is not None:
            requested = granted = paid = 0
            for line in fundings:
                requested += line.requested
                granted += line.granted or 0
                paid += line.paid or 0
            values["requested_total"], values["granted_total"], values["paid_total"] = requested, granted, paid
        # The history names what the sheet gave, as save_record does: links by UUID, dates as ISO text.
        changes = {}
        for name in item.values:
            value = values[name]
            if isinstance(value, date):
                value = values[name] = value.isoformat()
            elif value is not None and name in self.links:
                value = self.links[name].get(value)
            changes[name] = [None, value]
        now = datetime.now(timezone.utc).strftime(UTC_FORMAT)
        uuids = self.uuids
        action_uuid = uuids.pop()
        table = self.tables[Action]
        get = values.get
        action_id = self.next_id
        self.next_id += 1
        self.pending[Action].append(self.action_row(
            action_id, action_uuid, now, now, self.office, False,
            *[get(name, table.template[table.position[name]]) for name in self.action_columns]))
        self._history(Action, action_uuid, now, _CHANGES(changes))
        links, fundings_rows, office = self.pending[ActionQuartier], self.pending[Funding], self.office
        # The links' and lines' history rows from a template: json.dumps(sort_keys=True) of their fixed fields, the
        # same text (the tests compare it with what save_action writes).
        for quartier_id in sorted(set(item.extra.get("quartiers") or ())):
            link_uuid = uuids.pop()
            links.append(self.link_row(link_uuid, now, now, office, False, action_id, quartier_id, None))
            self._history(ActionQuartier, link_uuid, now,
                          f'{{"action": [null, "{action_uuid}"], "quartier": [null, "{self.quartiers[quartier_id]}"], '
                          '"share_bp": [null, null]}')
        for line in fundings or ():
            decided = _iso(line.decision_date)
            funding_uuid = uuids.pop()
            fundings_rows.append(self.funding_row(funding_uuid, now, now, office, False, action_id, line.funder_id,
                                                  line.requested, line.granted, line.paid, decided, line.notes))
            self._history(Funding, funding_uuid, now,
                          f'{{"action": [null, "{action_uuid}"], "decision_date": [null, {_json(decided)}], '
                          f'"funder": [null, "{self.funders[line.funder_id]}"], "granted": [null, {_json(line.granted)}], '
                          f'"notes": [null, {_json(line.notes)}], "paid": [null, {_json(line.paid)}], '
                          f'"requested": [null, {_json(line.requested)}]}}')


def _fill_search(conn: Any, first_id: int) -> None:
    """What the search index's insert trigger does, for the actions from first_id on, in one pass: the view's
    folded text computed by merge_write.bulk_fold (the same text, several times faster than the view's nested
    replace()) when this base's view is the one generated from today's fold table; else by the view itself."""
    from cvdesk.exchange.merge_write import bulk_fold

    index = ACTION_INDEX
    stored = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", (index.view,)).fetchone()
    if stored is None or stored[0] != source_view_sql(index):
        conn.execute(f"INSERT INTO {index.name}(rowid, text) SELECT id, text FROM {index.view} WHERE id >= ?",
                     (first_id,))
        return
    cursor = conn.execute(f"SELECT a.id, {', '.join(index.fields)} FROM {index.source} "
                          "WHERE a.deleted = 0 AND a.id >= ?", (first_id,))
    while rows := cursor.fetchmany(CHUNK):
        # The view's text: the fields joined by line breaks (NULL when one is NULL, as || makes it), folded.
        conn.executemany(f"INSERT INTO {index.name}(rowid, text) VALUES (?, ?)",
                         [(row[0], None if None in row else bulk_fold("\n".join(row[1:]))) for row in rows])


def rebuild_pays(present: int, adding: int) -> bool:
    """Whether building a table's indexes again over all its rows costs less than adding these rows to them: a
    sort of present + adding keys against adding random inserts, judged simply by which rows are more."""
    return adding >= present


def _set_aside_indexes(conn: Any, table: str, adding: int) -> list[str]:
    """Drop the table's indexes when the rows to add outnumber the rows there (a first import into a new base):
    built once at the end from sorted keys, they cost a fraction of as many random inserts into each (a random
    UUID lands anywhere in its index). Their CREATE statements, to run again in the same transaction."""
    if adding < BULK_ROWS or not rebuild_pays(conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0], adding):
        return []
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
                           "AND sql IS NOT NULL", (table,)).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in indexes]


def write_new_actions(items: Sequence[Item], progress: Progress | None = None,
                      cancelled: Callable[[], bool] | None = None, done: int = 0, total: int = 0) -> None:
    """Insert these new actions with everything save_action writes for them; inside the caller's transaction.

    The search index's insert trigger is set aside while they are written and the index filled once for them
    at the end (the same text the trigger would have copied), then the trigger is put back; a rollback restores
    the trigger too."""
    if not items:
        return
    writer = _Writer()
    conn = writer.conn
    trigger = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                           (f"{ACTION_SEARCH}_insert",)).fetchone()
    if trigger is not None:
        conn.execute(f'DROP TRIGGER "{trigger[0]}"')
    previous_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    links = sum(len(set(item.extra.get("quartiers") or ())) for item in items)
    lines = sum(len(item.extra.get("fundings") or ()) for item in items)
    rebuild = [sql for table, adding in (("action", len(items)), ("action_quartier", links), ("funding", lines),
                                         ("history", len(items) + links + lines))
               for sql in _set_aside_indexes(conn, table, adding)]
    try:
        for start in range(0, len(items), CHUNK):
            if progress is not None:
                progress(done + start, total or len(items))
            if cancelled is not None and cancelled():
                raise Cancelled()
            chunk = items[start:start + CHUNK]
            writer.ready(chunk)
            for item in chunk:
                writer.action(item)
            writer.flush()
        for sql in rebuild:
            conn.execute(sql)
        if trigger is not None:
            _fill_search(conn, writer.first_id)
            conn.execute(trigger[1])
    finally:
        conn.execute(f"PRAGMA cache_size = {previous_cache}")
