"""Create, update and tombstone any record, writing its history and moving its version (a stale form is refused);
validation errors come back as data."""
from __future__ import annotations

import getpass
import json
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeVar

from peewee import DatabaseError, Field, ForeignKeyField

from cvdesk.services.concurrency import (ConcurrentEdit, bump, claim, claim_update, claiming_update, expected_version,
                                         forget_written, note_written, part_changed, refuse_stale)
from cvdesk.store.change_listen import CHANNEL
from cvdesk.store.engine import is_postgres
from cvdesk.store.errors import StoreError, describe_write_error
from cvdesk.store.models import Action, History, Record, db, new_uuid, utcnow
from cvdesk.store.settings import DEFAULT_OFFICE, OFFICE, office_name

if TYPE_CHECKING:
    from cvdesk.services.history import HistoryEntry

R = TypeVar("R", bound=Record)

# Columns the services own: never set from a form, never listed as a change.
SYSTEM_FIELDS = frozenset({"id", "uuid", "created_at", "updated_at", "office", "deleted"})

Validator = Callable[[Mapping[str, Any], Record | None], dict[str, str]]


@dataclass
class SaveResult:
    """What a save did: the record when it was written, or the errors (field -> French sentence)."""

    record: Record | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What the form shows after the save without reading it back (each read is a round trip to a server): the
    # version the record is at now (known when a form said which version it read and no line of the record was
    # written: None otherwise), and the history row the save wrote for the record itself (None when it wrote none).
    version: int | None = None
    history: HistoryEntry | None = None
    # An action's plan (FundingInput lines, in the funders' order) and quartier ids as stored after the save, when
    # it read them and wrote none of them; None otherwise (the form reads them again).
    plan: list[Any] | None = None
    quartiers: list[int] | None = None
    # Of the warnings, those that are an action's plan's own (its form's plan editor shows them live); None: not told.
    plan_warnings: list[str] | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


class WriteRefused(Exception):
    """Raised inside a multi-record save to roll the whole of it back; carries the errors to return."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def save_or_raise(model: type[R], values: Mapping[str, Any], record_id: int | None = None,
                  validate: Validator | None = None) -> Record:
    """save_record for one part of a larger save: a refusal raises WriteRefused, so nothing half-written stays."""
    result = save_record(model, values, record_id, validate)
    if not result.ok:
        raise WriteRefused(result.errors)
    return result.record


def all_or_nothing(write: Callable[[], SaveResult]) -> SaveResult:
    """Run a save of several records in one transaction; a refusal or a disk error rolls all of it back."""
    try:
        with db.atomic():
            result = write()
            if not result.ok:
                raise WriteRefused(result.errors)
            return result
    except WriteRefused as exc:
        forget_written()
        return SaveResult(errors=exc.errors)
    except ConcurrentEdit:
        forget_written()
        raise  # the window offers to compare and choose: not a field's error
    except StoreError as exc:
        forget_written()
        return SaveResult(errors={"": str(exc)})
    except DatabaseError as exc:
        forget_written()
        return SaveResult(errors={"": describe_write_error(exc)})


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (service account, container): history still records the rest
        return ""


def plain_value(record: Record, name: str) -> Any:
    """A field's value as history and exports hold it: foreign keys by UUID, dates as ISO text."""
    model_field = record._meta.fields[name]
    if isinstance(model_field, ForeignKeyField):
        return _uuid_of(model_field, record.__data__.get(name))
    return _plain(getattr(record, name))


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _uuid_of(model_field: ForeignKeyField, target_id: Any) -> str | None:
    if target_id is None:
        return None
    target = model_field.rel_model
    row = target.select(target.uuid).where(target.id == target_id).tuples().first()
    return row[0] if row else None


def _stored_value(record: Record, name: str) -> Any:
    """A field's value as plain_value compares it, but a foreign key by its id: no query to tell a change."""
    if isinstance(record._meta.fields[name], ForeignKeyField):
        return record.__data__.get(name)
    return _plain(getattr(record, name))


def editable_fields(model: type[Record]) -> list[str]:
    return [name for name in model._meta.sorted_field_names if name not in SYSTEM_FIELDS]


# The history row as plain SQL: peewee took about as long to build its INSERT as the server to run it, in every
# save. The office is read by the INSERT itself (as office_name() reads it), and the new row's id given back by it
# (RETURNING on PostgreSQL, lastrowid on SQLite): two round trips to a server fewer in every save than a read of the
# setting before and of max(id) after (see concurrency.written_stamp).
_HISTORY_INSERT = ("INSERT INTO history (uuid, created_at, updated_at, office, deleted, record_type, record_uuid, "
                   "operation, os_user, changes) VALUES (?, ?, ?, COALESCE((SELECT value FROM setting WHERE key = ?), "
                   "?), 0, ?, ?, ?, ?, ?)")
# On PostgreSQL the windows listening on a shared base hear it at the commit (never for a rollback) and refresh their
# lists at once; said by the INSERT's own RETURNING, not by a statement (a round trip) of its own.
# The office comes back with the id: the history panel shows the row just written without reading it.
_RETURNING_PG = f" RETURNING id, office, pg_notify('{CHANNEL}', '')"
_HISTORY_INSERT_PG = _HISTORY_INSERT + _RETURNING_PG
# A record's update on PostgreSQL: the claiming UPDATE (new values, version checked) and the history row in one
# statement, one round trip; the row is inserted only if the UPDATE claimed the record (no row back: refused).
_HISTORY_AFTER_CLAIM_PG = ("WITH claimed AS ({update} RETURNING id) INSERT INTO history (uuid, created_at, updated_at, "
                           "office, deleted, record_type, record_uuid, operation, os_user, changes) SELECT ?, ?, ?, "
                           "COALESCE((SELECT value FROM setting WHERE key = ?), ?), 0, ?, ?, ?, ?, ?"
                           " FROM claimed" + _RETURNING_PG)


def _write_history(record: Record, operation: str, changes: dict[str, Any], entry: bool = False,
                   claiming: Sequence[Field] | None = None) -> HistoryEntry | None:
    """Write the record's history row; entry: give it back as the history panel shows it (else None). claiming
    (PostgreSQL): the record's changed fields, written by the same statement with its version claimed (see
    concurrency.claim_update), ConcurrentEdit when it is stale."""
    created_at = History._meta.fields["created_at"]
    stamp = created_at.db_value(utcnow())
    user, text = os_user(), json.dumps(changes, ensure_ascii=False, sort_keys=True)
    params = (new_uuid(), stamp, stamp, OFFICE, DEFAULT_OFFICE, type(record).__name__, record.uuid, operation, user,
              text)
    if claiming is not None:
        update, update_params = claiming_update(record, claiming)
        row = db.execute_sql(_HISTORY_AFTER_CLAIM_PG.format(update=update), (*update_params, *params)).fetchone()
        if row is None:
            refuse_stale(record)
        history_id, office, _ = row
    elif is_postgres():
        history_id, office, _ = db.execute_sql(_HISTORY_INSERT_PG, params).fetchone()
    else:
        history_id, office = db.execute_sql(_HISTORY_INSERT, params).lastrowid, None
    note_written(history_id)
    if not entry:
        return None
    if office is None:  # SQLite: a read in the same file, no round trip
        office = db.execute_sql("SELECT office FROM history WHERE id = ?", (history_id,)).fetchone()[0]
    from cvdesk.services.history import entry_of

    return entry_of(history_id, created_at.python_value(stamp), office, user, operation, text)


def _assign(record: Record, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        model_field = record._meta.fields.get(name)
        if model_field is None or name in SYSTEM_FIELDS:
            raise KeyError(f"Champ inconnu pour {type(record).__name__} : {name}")
        if isinstance(model_field, ForeignKeyField):
            setattr(record, model_field.object_id_name, value.id if isinstance(value, Record) else value)
        else:
            setattr(record, name, value)


def save_record(
    model: type[R],
    values: Mapping[str, Any],
    record_id: int | None = None,
    validate: Validator | None = None,
    current: Record | None = None,
    savepoint: bool = True,
) -> SaveResult:
    """Create (record_id None) or update a record with values, after validation, in one transaction.

    current is the live record with that id when the caller has just read it in the same transaction (a plan's
    lines, read together): it is not read again. savepoint=False, inside a transaction that a refusal or a disk
    error rolls back whole (all_or_nothing): no savepoint of its own (two round trips to a server fewer), and a
    disk error is not caught here but rolls the caller's transaction back, which says it in French."""
    existing = None
    if record_id is not None:
        if current is not None and current.id == record_id and not current.deleted:
            existing = current
        else:
            existing = model.get_or_none((model.id == record_id) & (model.deleted == False))  # noqa: E712
        if existing is None:
            return SaveResult(errors={"": f"Cet enregistrement n'existe plus (n° {record_id})."})
    errors = validate(values, existing) if validate else {}
    if errors:
        return SaveResult(errors=errors)
    if not savepoint and db.in_transaction():
        try:
            return _write(model, values, existing, savepoint=False)
        except ConcurrentEdit:
            if existing is not None:  # as below: the record shows what is stored again
                existing.__data__ = type(existing).get_by_id(existing.id).__data__
            raise
    try:
        return _write(model, values, existing)
    except DatabaseError as exc:
        forget_written()
        if existing is not None:
            existing.__data__ = type(existing).get_by_id(existing.id).__data__
        return SaveResult(errors={"": describe_write_error(exc)})
    except ConcurrentEdit:
        forget_written()
        if existing is not None:  # the form's values were assigned to it: it shows the stored record again
            existing.__data__ = type(existing).get_by_id(existing.id).__data__
        raise


def _write(model: type[R], values: Mapping[str, Any], existing: Record | None, savepoint: bool = True) -> SaveResult:
    with db.atomic() if savepoint else nullcontext():
        if existing is None:
            record = model(office=office_name())
            _assign(record, values)
            record.save(force_insert=True)
            part_changed(record)
            changes = {name: [None, plain_value(record, name)] for name in values}
            _write_history(record, "create", changes)  # a new record's form is read whole again
            return SaveResult(record=record)
        # Told apart by ids and plain values, so that an unchanged foreign key costs no query; only the fields
        # that changed are written (an unchanged title leaves the search index alone) and get their UUIDs looked up.
        before = {name: _stored_value(existing, name) for name in values}
        _assign(existing, values)
        changed = [name for name in values if _stored_value(existing, name) != before[name]]
        if not changed:  # the version still checked (a changed plan of an unchanged action), nothing written
            return SaveResult(record=existing, version=claim(existing, False))
        fields = existing._meta.fields
        changes = {name: [_uuid_of(fields[name], before[name]) if isinstance(fields[name], ForeignKeyField)
                          else before[name], plain_value(existing, name)] for name in changed}
        existing.updated_at = utcnow()
        # The first write, in plain SQL: the changed columns and the next version in one UPDATE, refused
        # (ConcurrentEdit, nothing written) unless the row is still at the version its form read; on PostgreSQL
        # the same statement writes the history row (one round trip).
        written = [fields[name] for name in changed] + [fields["updated_at"]]
        if is_postgres():
            history = _write_history(existing, "update", changes, entry=True, claiming=written)
            expected = expected_version(model, existing.id)
            version = None if expected is None else expected + 1
        else:
            version = claim_update(existing, written)
            history = _write_history(existing, "update", changes, entry=True)
        part_changed(existing)
        return SaveResult(record=existing, version=version, history=history)


class DeletionRefused(StoreError):
    """A deletion the rules forbid (an association that still carries actions); str() is the French reason."""


# A child table's reference to its parent, e.g. Funding.action: the rows a deletion takes with it.
ChildLink = ForeignKeyField


def _mark_deleted(record: Record) -> None:
    record.deleted = True
    record.updated_at = utcnow()
    record.save(only=[type(record).deleted, type(record).updated_at])
    bump(record)
    part_changed(record)
    _write_history(record, "delete", {"deleted": [False, True]})


def _deletion_failed(exc: DatabaseError) -> StoreError:
    return StoreError(describe_write_error(exc).replace("Enregistrement impossible", "Suppression impossible"))


def tombstone(record: Record) -> None:
    """Mark a record deleted; the mark travels in exports so the deletion reaches headquarters.

    A disk error raises StoreError with a French sentence, and the record stays as it was."""
    if record.deleted:
        return
    try:
        with db.atomic():
            _mark_deleted(record)
    except DatabaseError as exc:
        record.deleted = False
        raise _deletion_failed(exc) from exc


def live_children(record: Record, links: Iterable[ChildLink]) -> Iterator[Record]:
    """The live rows of each child table that point at record."""
    for link in links:
        child = link.model
        yield from child.select().where((link == record.id) & (child.deleted == False))  # noqa: E712


def delete_record(
    model: type[Record],
    record_id: int,
    children: Iterable[ChildLink] = (),
    refuse: Callable[[Record], str | None] | None = None,
    after: Callable[[Record], None] | None = None,
) -> bool:
    """Tombstone the live record with this id and its live children, each with its history row, all or nothing.

    False when there is no such live record. refuse(record) may give a French reason not to delete it: then
    DeletionRefused carries that sentence and nothing changes. after(record) refreshes what is cached from the
    children (inside the same transaction). A disk error raises StoreError, and nothing changes either."""
    try:
        with db.atomic():
            record = model.get_or_none((model.id == record_id) & (model.deleted == False))  # noqa: E712
            if record is None:
                return False
            reason = refuse(record) if refuse else None
            if reason:
                raise DeletionRefused(reason)
            for child in list(live_children(record, children)):
                _mark_deleted(child)
            _mark_deleted(record)
            if after is not None:
                after(record)
            return True
    except DatabaseError as exc:
        raise _deletion_failed(exc) from exc


SHOWN_REFERENCES = 2


def live_actions_phrase(live: Any) -> str | None:
    """« 4 actions (2016-VM-003, 2015-VM-001 et 2 autres) » for a query of live actions, newest first; None if none."""
    total = live.count()
    if not total:
        return None
    shown = [ref for (ref,) in live.select(Action.reference).order_by(Action.year.desc(), Action.reference)
             .limit(SHOWN_REFERENCES).tuples()]
    return f"{total} action{'s' if total > 1 else ''} ({some_references(shown, total)})"


def some_references(references: Sequence[str], total: int) -> str:
    """A few references and how many others, as a sentence lists them: « A, B et 3 autres », « A et B », « A »."""
    shown = list(references)
    others = total - len(shown)
    if others > 0:
        return ", ".join(shown) + f" et {others} autre{'s' if others > 1 else ''}"
    if len(shown) > 1:
        return ", ".join(shown[:-1]) + f" et {shown[-1]}"
    return "".join(shown)


def history_of(record: Record) -> list[History]:
    """The record's history, oldest first."""
    return list(
        History.select()
        .where((History.record_uuid == record.uuid) & (History.deleted == False))  # noqa: E712
        .order_by(History.created_at, History.id)
    )
