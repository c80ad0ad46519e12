"""Several people on one base: the version a form was read at, checked when it is saved, and what changed since."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterator, Mapping, NoReturn, Sequence

from peewee import Field, ForeignKeyField

from cvdesk.domain.dates import format_moment
from cvdesk.store.engine import is_postgres
from cvdesk.store.errors import StoreError
from cvdesk.store.models import (
    Action,
    ActionQuartier,
    Contract,
    Funding,
    Quartier,
    QuartierCommune,
    QuartierIndicator,
    Record,
    Signatory,
    UtcDateTimeField,
    db,
)

# The versions the forms of this thread were read at, by (table, id). A context variable and not an argument: the
# services between the form and save_record (save_action, save_quartier…) need not know about it, and a second
# editor in another thread (another connection) has versions of its own.
_read_versions: ContextVar[dict[tuple[str, int], int]] = ContextVar("read_versions", default={})
# The lines a form saves with its record (an action's plan and quartiers, a quartier's communes and indicators, the
# contract's signatories), by their link to it: a line written moves its record's version, so that a form open with
# the old plan is refused.
PARTS: dict[type[Record], tuple[type[Record], str]] = {
    Funding: (Action, "action"), ActionQuartier: (Action, "action"),
    QuartierCommune: (Quartier, "quartier"), QuartierIndicator: (Quartier, "quartier"),
    Signatory: (Contract, "contract"),
}


@dataclass(frozen=True)
class LastChange:
    """Who last changed a record and when, from its newest history row."""

    os_user: str
    office: str
    at: datetime | None

    def who(self) -> str:
        if self.os_user:
            return self.os_user + (f" ({self.office})" if self.office else "")
        return f"le bureau {self.office}" if self.office else "quelqu'un d'autre"


class ConcurrentEdit(StoreError):
    """A save refused because the record was saved by someone else since the form read it; str() is the French
    sentence, and nothing of the save was written (the transaction it was raised in is rolled back)."""

    def __init__(self, model: type[Record], record_id: int, read_version: int, current_version: int | None,
                 last: LastChange) -> None:
        self.model = model
        self.record_id = record_id
        self.read_version = read_version
        self.current_version = current_version
        self.last = last
        super().__init__(conflict_sentence(last))


def conflict_sentence(last: LastChange) -> str:
    """« Cette fiche a été modifiée par jdupont le 30/11/2026 à 17:02 depuis que vous l'avez ouverte. »"""
    when = ""
    if last.at is not None:
        local = format_moment(last.at, between=" à ")
        when = f" le {local}"
    return f"Cette fiche a été modifiée par {last.who()}{when} depuis que vous l'avez ouverte."


def _table(model: type[Record]) -> str:
    return model._meta.table_name


def version_of(model: type[Record], record_id: int) -> int | None:
    """The record's version as stored now (None when there is no such row): read it before the form's values."""
    row = db.execute_sql(f'SELECT version FROM "{_table(model)}" WHERE id = ?', (record_id,)).fetchone()
    return None if row is None else int(row[0])


@contextmanager
def read_at(model: type[Record], record_id: int | None, version: int | None) -> Iterator[None]:
    """Saves of this record inside the block check that it is still at the version its form was read at."""
    if record_id is None or version is None:
        yield
        return
    token = _read_versions.set({**_read_versions.get(), (_table(model), record_id): version})
    try:
        yield
    finally:
        _read_versions.reset(token)


@contextmanager
def read_many(model: type[Record], versions: Mapping[int, int | None]) -> Iterator[None]:
    """read_at for several records of one model at once (the items of an agenda as its panel shows them)."""
    table = _table(model)
    token = _read_versions.set({**_read_versions.get(),
                                **{(table, record_id): v for record_id, v in versions.items() if v is not None}})
    try:
        yield
    finally:
        _read_versions.reset(token)


def expected_version(model: type[Record], record_id: int) -> int | None:
    """The version the form being saved read this record at, or None when no form said (a command, an import)."""
    return _read_versions.get().get((_table(model), record_id))


def claim(record: Record, changed: bool) -> int | None:
    """Inside the save's transaction: move the record to its next version when it changed, refusing it when a form
    read it at an older version than the one stored (someone else saved it meanwhile). On PostgreSQL the UPDATE
    locks the row: a second saver waits for the first to commit, then finds the version moved and is refused.
    Returns the version the record is now at when a form said which one it read (else None: not read back)."""
    return claim_update(record, [], changed)


def claim_update(record: Record, fields: Sequence[Field], changed: bool = True) -> int | None:
    """claim(), writing the record's new values of these fields in the same UPDATE (one round trip, the first write
    of the save): refused with ConcurrentEdit, nothing written, unless the row is still at the version its form
    read. Returns the version the record is now at when a form said which one it read (else None)."""
    model, record_id = type(record), record.id
    if fields and not is_postgres():
        # SQLite: the version claimed first, by a statement that fires no trigger. One that updates a searched
        # column opens its read snapshot (the search index's configuration) before it asks for the write lock; if
        # another save commits while it waits, SQLite gives up at once (« base occupée ») instead of finding the
        # version moved (ConcurrentEdit). Two statements cost no round trip on a file.
        version = claim_update(record, [], changed)
        columns = ", ".join(f'"{f.column_name}" = ?' for f in fields)
        db.execute_sql(f'UPDATE "{_table(model)}" SET {columns} WHERE id = ?',
                       (*(f.db_value(record.__data__.get(f.name)) for f in fields), record_id))
        return version
    expected = expected_version(model, record_id)
    if expected is None and not changed:
        return None
    sql, params = claiming_update(record, fields, changed)
    cursor = db.execute_sql(sql, params)
    if expected is None:
        return None
    if cursor.rowcount == 0:
        refuse_stale(record)
    return expected + 1 if changed else expected


def claiming_update(record: Record, fields: Sequence[Field], changed: bool = True) -> tuple[str, tuple[Any, ...]]:
    """claim_update's statement (? placeholders) and its parameters: the record's new values of fields and its next
    version (or the same, unchanged), only while it is at the version its form read, when one said."""
    model, record_id = type(record), record.id
    expected = expected_version(model, record_id)
    step = "version + 1" if changed else "version"  # an unchanged record with a changed plan is still checked
    columns = "".join(f'"{f.column_name}" = ?, ' for f in fields)
    params: list[Any] = [f.db_value(record.__data__.get(f.name)) for f in fields]
    params.append(record_id)
    where = "id = ?"
    if expected is not None:
        where += " AND version = ?"
        params.append(expected)
    return f'UPDATE "{_table(model)}" SET {columns}version = {step} WHERE {where}', tuple(params)


def refuse_stale(record: Record) -> NoReturn:
    """The claiming UPDATE found the record at another version than its form read: ConcurrentEdit, told who."""
    model, record_id = type(record), record.id
    expected = expected_version(model, record_id)
    raise ConcurrentEdit(model, record_id, expected if expected is not None else 0, version_of(model, record_id),
                         last_change(record))


def bump(record: Record) -> None:
    """A change that no form checks (a tombstone): the record's version moves on, so that open forms see it."""
    db.execute_sql(f'UPDATE "{_table(type(record))}" SET version = version + 1 WHERE id = ?', (record.id,))


def part_changed(record: Record) -> None:
    """A line of a record's form was created, changed or tombstoned (a funding line by a form, or by a meeting's
    closing): the record it belongs to moves to its next version."""
    link = PARTS.get(type(record))
    if link is None:
        return
    owner, name = link
    owner_id = record.__data__.get(name)
    if owner_id is not None:
        db.execute_sql(f'UPDATE "{_table(owner)}" SET version = version + 1 WHERE id = ?', (owner_id,))


def last_change(record: Record) -> LastChange:
    """Who changed the record last and when: its newest history row, or its lines' (PARTS) when newer."""
    conditions, params = ["record_uuid = ?"], [record.uuid]
    for part, (owner, name) in PARTS.items():
        if owner is type(record):
            column = part._meta.fields[name].column_name
            conditions.append(f'record_uuid IN (SELECT uuid FROM "{_table(part)}" WHERE {column} = ?)')
            params.append(record.id)
    row = db.execute_sql(f"SELECT os_user, office, created_at FROM history WHERE {' OR '.join(conditions)} "
                         "ORDER BY id DESC LIMIT 1", tuple(params)).fetchone()
    if row is None:
        return LastChange("", "", None)
    return LastChange(row[0] or "", row[1] or "", UtcDateTimeField().python_value(row[2]) if row[2] else None)


def changed_since(model: type[Record], record_id: int) -> str:
    """The sentence for a record saved by someone else while its form is open with unsaved edits."""
    record = model.get_or_none(model.id == record_id)
    return conflict_sentence(last_change(record)) if record is not None else ""


@dataclass(frozen=True)
class Difference:
    """One field whose value in the form differs from the one stored now: the compare dialog's row."""

    name: str
    label: str
    mine: str
    theirs: str


def form_fields(values: Mapping[str, Any]) -> Mapping[str, Any]:
    """The record's own fields among what a form collected (the Actions and Quartiers forms nest them)."""
    nested = values.get("values")
    return nested if isinstance(nested, Mapping) else values


def _plain_input(model: type[Record], name: str, value: Any) -> Any:
    """A form's value as history holds it: a foreign key by its UUID, a date as ISO text, a record by its UUID."""
    model_field = model._meta.fields[name]
    if isinstance(model_field, ForeignKeyField):
        target_id = value.id if isinstance(value, Record) else value
        if target_id is None:
            return None
        target = model_field.rel_model
        row = target.select(target.uuid).where(target.id == target_id).tuples().first()
        return row[0] if row else None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return (a in (None, "") and b in (None, "")) or a == b


def differences(model: type[Record], record_id: int, values: Mapping[str, Any]) -> list[Difference]:
    """The fields of the form whose value differs from the record as stored now, labelled and shown as the history
    shows them; empty when the record is gone or agrees with the form."""
    from cvdesk.services.history import FIELD_LABELS, show_value
    from cvdesk.services.records import SYSTEM_FIELDS, plain_value

    current = model.get_or_none(model.id == record_id)
    if current is None:
        return []
    found = []
    for name, value in form_fields(values).items():
        if name in SYSTEM_FIELDS or name not in model._meta.fields:
            continue
        mine, theirs = _plain_input(model, name, value), plain_value(current, name)
        if not _same(mine, theirs):
            found.append(Difference(name, FIELD_LABELS.get(name, name), show_value(name, mine),
                                    show_value(name, theirs)))
    if model is Action:
        found += _plan_differences(record_id, values.get("fundings"))
        found += _quartier_differences(record_id, values.get("quartiers"))
    return found


def _amounts(requested: int | None, granted: int | None, paid: int | None) -> str:
    from cvdesk.domain.money import format_money

    def shown(cents: int | None) -> str:
        return format_money(cents) if cents is not None else "—"

    return f"demandé {shown(requested)}, accordé {shown(granted)}, versé {shown(paid)}"


def _plan_differences(action_id: int, fundings: Any) -> list[Difference]:
    """One row per funder whose line differs between the form's plan and the stored one (the Actions form)."""
    if fundings is None:
        return []
    stored = {row[0]: tuple(row[1:]) for row in db.execute_sql(
        "SELECT funder_id, requested, granted, paid FROM funding WHERE action_id = ? AND deleted = 0",
        (action_id,)).fetchall()}
    mine = {line.funder_id: (line.requested, line.granted, line.paid) for line in fundings}
    funders = sorted(set(stored) | set(mine))
    # In the plan's order, as the forms list the funders.
    names = dict(db.execute_sql(f"SELECT id, name FROM funder WHERE id IN ({', '.join('?' * len(funders))}) "
                                "ORDER BY position, id", tuple(funders)).fetchall()) if funders else {}
    return [Difference("fundings", f"Plan : {name}",
                       _amounts(*mine[funder]) if funder in mine else "(pas de ligne)",
                       _amounts(*stored[funder]) if funder in stored else "(pas de ligne)")
            for funder, name in names.items() if mine.get(funder) != stored.get(funder)]


def _quartier_differences(action_id: int, quartier_ids: Any) -> list[Difference]:
    """The action's quartiers, when the form's differ from the stored ones (the Actions form)."""
    if quartier_ids is None:
        return []
    stored = {row[0] for row in db.execute_sql(
        "SELECT quartier_id FROM action_quartier WHERE action_id = ? AND deleted = 0", (action_id,)).fetchall()}
    mine = set(quartier_ids)
    if mine == stored:
        return []
    both = sorted(mine | stored)
    codes = dict(db.execute_sql(f"SELECT id, code FROM quartier WHERE id IN ({', '.join('?' * len(both))})",
                                tuple(both)).fetchall())

    def listed(ids: set[int]) -> str:
        return ", ".join(sorted(codes.get(i, "?") for i in ids)) or "(aucun)"

    return [Difference("quartiers", "Quartiers", listed(mine), listed(stored))]


# The id of the newest history row this process's saves wrote, given back by its INSERT: the window's stamp after
# its own save, without reading max(id) again (a round trip to a server). None once taken, or after a save that was
# rolled back (its id may be given again by SQLite to someone else's row).
_written: list[int | None] = [None]


def note_written(history_id: int | None) -> None:
    """A save wrote this history row (its transaction may still roll back: forget_written then)."""
    _written[0] = history_id


def forget_written() -> None:
    """The save was refused or rolled back: the id it noted is not a stamp of the base."""
    _written[0] = None


def written_stamp() -> int | None:
    """The history id the last save wrote (taken once), or None: the caller reads data_stamp() then. Another
    program's row committed meanwhile has a lower id (caught up with, as a max() read would) or a higher one (the
    next look sees it: a refresh, never a missed change)."""
    stamp, _written[0] = _written[0], None
    return stamp


def data_stamp() -> int:
    """A number that moves whenever anyone writes to the base: every save, deletion, import and merge writes a
    history row, so the newest history id (one look into the primary key, on either engine) tells the lists to
    refresh."""
    row = db.execute_sql("SELECT max(id) FROM history").fetchone()
    return int(row[0] or 0) if row else 0
