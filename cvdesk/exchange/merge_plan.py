"""The first pass over a package: every record checked, compared with this database, and the merge decided.

Nothing is written here. The pass streams the package member by member (cvdesk.exchange.package_reader), checks
each batch of records as a form would (cvdesk.exchange.record_checks), and keeps only what the second pass needs:
the UUID sets of the record types others refer to, and, for the few records that exist here in another version,
the decision taken about them.

Who changed what, without trusting a clock
-------------------------------------------
Packages carry every history row, and a history row has a UUID of its own: the set of history rows an office
holds is a clock-free record of the edits it has seen (a version vector, in effect, with one entry per edit).
For a record that exists here and arrives different:
- *changed there* = the package holds a history row about the record that this database lacks;
- *changed here* = this database holds a history row about the record that the package lacks;
- rows that merges write (operations merge, merge_update, merge_delete) are left out of both: they repeat an
  edit that travels by its own row.
Changed on both sides: a conflict, the local version kept. Only there: the incoming version is taken. Only here:
the local version is kept. Neither (records written without history: synthetic or forged data): the later
updated_at wins, an incoming time beyond this computer's clock counting as "now".
We chose this over a per-peer mark on history ids or a hybrid logical clock because it needs no new column, no
agreement between clocks and no memory of past exchanges: it works for a package relayed by a third office, for
an old package received twice, and for an office whose clock jumps back and forth, since no time is compared
across machines. An office whose clock runs ahead no longer wins anything: its times are clamped to the
receiver's clock (with a warning) and only decide between records that no history describes.

Columns a package does not carry
--------------------------------
A package written before a schema step lacks the columns that step added (package_format.ADDED_COLUMNS; the
manifest's schema_version says which may be missing, the reader reports per file which are: plan.absent). Such a
column is *not known*, never empty: it is left out of the comparison (a record differing only there is unchanged),
an update leaves its value here in place (merge_write leaves it out of the SET list, the merge's history and a
conflict's stored version), and only a record new here takes the column's default. For the same reason a local edit
that touched nothing but such columns is no "changed here": the incoming version cannot contradict it, so the
record's other changes still apply without a conflict.

Who may delete what
-------------------
An incoming tombstone of a live record is accepted only if the sending office created the record (its office),
received packages from the office that did (manifest "received"), or provably had the record: the package holds
a history row about it that this database holds too. Any other tombstone becomes a conflict for a person to
decide. History rows are append-only: a package that brings an existing history row with other contents (a
rewrite, or a tombstone on it) is refused whole.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Protocol

from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.merge_summary import (
    BOTH_CHANGED,
    FOREIGN_TOMBSTONE,
    TABLE_LABELS,
    Conflict,
    ImportSummary,
    TableCounts,
    readable_time,
)
from cvdesk.exchange.package_format import TableSpec, compared_columns, table_specs
from cvdesk.exchange.package_reader import Manifest, MemberReader, read_manifest
from cvdesk.exchange.record_checks import check_records, refuse
from cvdesk.exchange.zipguard import open_checked_zip
from cvdesk.services.history import FIELD_LABELS, MERGE_OPERATIONS
from cvdesk.store.dialect import json_each_sql
from cvdesk.store.engine import raw
from cvdesk.store.exchange_models import ExchangeConflict
from cvdesk.store.models import UTC_FORMAT, utcnow

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
# A little slack for computers whose clocks differ by a few minutes; beyond it a time is in the future.
CLOCK_TOLERANCE = timedelta(minutes=10)
LOOKUP_BATCH = 5000
STAMPS = ("created_at", "updated_at")


@dataclass(frozen=True)
class Decision:
    """What the merge does with one record that exists here in another version: "update" or "conflict"."""

    action: str
    local_id: int
    reason: str = ""


@dataclass
class _Candidate:
    table: str
    local_id: int
    local_updated_at: str
    local_deleted: bool
    local_office: str
    label: str
    incoming_updated_at: str
    incoming_deleted: bool


@dataclass
class MergePlan:
    path: Path
    manifest: Manifest
    summary: ImportSummary
    now: str  # this computer's clock when the package was read
    limit: str  # now plus the tolerance: a later time is in the future
    total: int  # records in the package
    decisions: dict[str, dict[str, Decision]] = field(default_factory=dict)  # table -> uuid -> decision
    local_ids: dict[str, dict[str, int]] = field(default_factory=dict)  # referenced tables: uuid -> id here
    had_rows: dict[str, bool] = field(default_factory=dict)  # whether the table had rows here
    absent: dict[str, frozenset[str]] = field(default_factory=dict)  # table -> columns the package does not carry




def referenced_tables() -> set[str]:
    return {c.target for s in table_specs() for c in s.columns if c.kind == "fk"}


def _label(spec: TableSpec, row: tuple[Any, ...]) -> str:
    keys = spec.keys
    parts = [str(row[keys.index(k)]) for k in ("reference", "code", "name", "title", "kind", "record_type")
             if k in keys and row[keys.index(k)] not in (None, "")]
    return " – ".join(parts[:2]) or spec.model.__name__


def local_rows_sql(spec: TableSpec) -> str:
    """The rows here whose UUIDs are in a JSON array (the one parameter), in package form, with their ids."""
    from cvdesk.exchange.export_package import select_sql

    return (select_sql(spec).replace("SELECT ", "SELECT t.id, ", 1)
            .replace(" ORDER BY t.id", f" WHERE t.uuid IN (SELECT value FROM {json_each_sql()})"))


def local_rows(spec: TableSpec, uuids: list[str]) -> dict[str, tuple[int, tuple[Any, ...]]]:
    bools = [n for n, c in enumerate(spec.columns) if c.kind == "bool"]
    out: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for row in raw().execute(local_rows_sql(spec), (json.dumps(uuids),)):
        values = list(row[1:])
        for n in bools:
            if values[n] is not None:
                values[n] = bool(values[n])
        out[values[0]] = (row[0], tuple(values))
    return out


class TableSink(Protocol):
    """What takes each checked batch when checks and writes share one pass (merge_write, into an empty base)."""

    def begin(self, spec: TableSpec, count: int) -> Any: ...

    def write(self, state: Any, rows: list[tuple[Any, ...]], columns: list[tuple[Any, ...]]) -> None: ...

    def end(self, state: Any) -> None: ...


class Reading:
    """The state of the first pass while it walks the package; with a sink, also the pass that writes."""

    def __init__(self, path: Path, manifest: Manifest, progress: Progress | None,
                 cancelled: CancelCheck | None) -> None:
        now = utcnow()
        self.path, self.manifest = path, manifest
        self.progress, self.cancelled = progress, cancelled
        self.now = now.strftime(UTC_FORMAT)
        self.limit = (now + CLOCK_TOLERANCE).strftime(UTC_FORMAT)
        self.total = sum(count for count, _ in manifest.files.values())
        self.done = 0
        self.targets = referenced_tables()
        conn = raw()
        self.local_ids = {t: dict(conn.execute(f'SELECT uuid, id FROM "{t}"')) for t in self.targets}
        self.incoming = {t: set() for t in self.targets}
        self.candidates: dict[tuple[str, str], _Candidate] = {}
        self.by_uuid: dict[str, list[tuple[str, str]]] = {}  # record uuid -> candidate keys
        self.evidence: dict[str, list[tuple[str, str]]] = {}  # record uuid -> incoming history (uuid, operation)
        self.future = 0
        self.latest_future = ""
        self.known = set(ExchangeConflict.select(ExchangeConflict.record_uuid,
                                                 ExchangeConflict.incoming_updated_at).tuples())
        self.summary = ImportSummary(path, manifest.office, manifest.exported_at, False)
        self.had_rows: dict[str, bool] = {}
        self.absent: dict[str, frozenset[str]] = {}
        self.sink: TableSink | None = None
        self.passes = 2  # the share of the progress this pass reports: half, or all when it writes too

    def table(self, archive: Any, spec: TableSpec) -> None:
        count, digest = self.manifest.files[spec.file]
        counts = self.summary.counts[spec.table] = TableCounts()
        has_local = bool(raw().execute(f'SELECT EXISTS (SELECT 1 FROM "{spec.table}")').fetchone()[0])
        self.had_rows[spec.table] = has_local
        if not digest:
            return
        reader = MemberReader(archive, self.path, spec, count, digest, self.manifest.optional(spec.table))
        seen: set[str] = self.incoming.get(spec.table, set())
        state = self.sink.begin(spec, count) if self.sink else None
        late: list[tuple[int, tuple[Any, ...], str, str]] = []  # references to records later in the same file
        try:
            for first, rows in reader.batches():
                self.absent[spec.table] = reader.absent  # decided by the first record, the same for every batch
                try:
                    columns = check_records(reader.where, spec, first, rows, reader.typed)
                except ExchangeError:
                    # Worded from the standard parser's reading of the batch, as before orjson (see package_reader).
                    check_records(reader.where, spec, first, reader.exact_rows())
                    raise
                self._unique(reader.where, spec, first, rows, columns[0], seen)
                self._references(reader.where, spec, first, rows, columns, late)
                self._stamps(spec, columns)
                if has_local:
                    self._compare(reader.where, spec, first, rows, counts, reader.absent)
                else:
                    counts.added += len(rows)
                if spec.table == "history" and self.by_uuid:
                    self._collect_evidence(spec, rows)
                if self.sink:
                    self.sink.write(state, rows, columns)
                self.done += len(rows)
                if self.progress:
                    self.progress(self.done, self.passes * self.total)
                if self.cancelled and self.cancelled():
                    raise Cancelled()
            for number, row, key, ref in late:
                if ref not in seen and ref not in self.local_ids.get(spec.table, {}):
                    raise refuse(reader.where, number, row, key, f"il renvoie à un enregistrement ({ref}) qui "
                                 "n'existe ni dans le paquet ni dans cette base")
            if self.sink:
                self.sink.end(state)
        except ExchangeError:
            if reader.tampered():
                reader.check_digest()
            raise
        finally:
            reader.close()

    def _unique(self, where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]], uuids: tuple[str, ...],
                seen: set[str]) -> None:
        fresh = set(uuids)
        if len(fresh) != len(rows) or not seen.isdisjoint(fresh):
            batch: set[str] = set()
            for offset, row in enumerate(rows):
                if row[0] in seen or row[0] in batch:
                    raise ExchangeError(f"{where}, ligne {first + offset} : l'UUID {row[0]} figure deux fois dans "
                                        "le fichier.")
                batch.add(row[0])
        seen.update(fresh)

    def _references(self, where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]],
                    columns: list[tuple[Any, ...]], late: list[tuple[int, tuple[Any, ...], str, str]]) -> None:
        for n, column in enumerate(spec.columns):
            if column.kind != "fk":
                continue
            known, here = self.incoming[column.target], self.local_ids[column.target]
            refs = set(columns[n])
            refs.discard(None)
            missing = refs.difference(known).difference(here)
            if not missing:
                continue
            for offset, row in enumerate(rows):
                if row[n] in missing:
                    if column.target == spec.table:
                        late.append((first + offset, (row[0],), column.key, row[n]))  # the UUID names it
                    else:
                        raise refuse(where, first + offset, row, column.key, f"il renvoie à un enregistrement "
                                     f"({row[n]}) qui n'existe ni dans le paquet ni dans cette base")

    def _stamps(self, spec: TableSpec, columns: list[tuple[Any, ...]]) -> None:
        for key in STAMPS:
            stamps = columns[spec.index(key)]
            latest = max(stamps)
            if latest > self.limit:
                self.future += sum(1 for stamp in stamps if stamp > self.limit)
                self.latest_future = max(self.latest_future, latest)

    def _compare(self, where: str, spec: TableSpec, first: int, rows: list[tuple[Any, ...]],
                 counts: TableCounts, absent: frozenset[str]) -> None:
        history = spec.table == "history"
        if history:  # every column but the times, which a merge may have clamped
            compare = tuple(n for n, c in enumerate(spec.columns) if c.key not in ("created_at", "updated_at"))
        else:
            compare = compared_columns(spec)
        if absent:  # not known: no difference
            compare = tuple(n for n in compare if spec.columns[n].key not in absent)
        updated_n, deleted_n, office_n = spec.index("updated_at"), spec.index("deleted"), spec.index("office")
        for start in range(0, len(rows), LOOKUP_BATCH):
            part = rows[start:start + LOOKUP_BATCH]
            here = local_rows(spec, [row[0] for row in part])
            for offset, row in enumerate(part):
                mine = here.get(row[0])
                if mine is None:
                    counts.added += 1
                    continue
                local_id, local = mine
                if all(row[n] == local[n] for n in compare):
                    counts.unchanged += 1
                    continue
                if history:
                    key = next(spec.columns[n].key for n in compare if row[n] != local[n])
                    raise refuse(where, first + start + offset, row, key, "cette ligne d'historique existe déjà ici "
                                 "avec un autre contenu ; l'historique ne se réécrit ni ne s'efface : paquet refusé")
                self.candidates[(spec.table, row[0])] = _Candidate(
                    spec.table, local_id, local[updated_n], bool(local[deleted_n]), local[office_n],
                    _label(spec, local), row[updated_n], bool(row[deleted_n]))
                self.by_uuid.setdefault(row[0], []).append((spec.table, row[0]))

    def _collect_evidence(self, spec: TableSpec, rows: list[tuple[Any, ...]]) -> None:
        about, operation = spec.index("record_uuid"), spec.index("operation")
        for row in rows:
            if row[about] in self.by_uuid:
                self.evidence.setdefault(row[about], []).append((row[0], row[operation]))

    def decide(self) -> dict[str, dict[str, Decision]]:
        """Update, conflict or keep, for each record that exists here in another version (see the docstring)."""
        decisions: dict[str, dict[str, Decision]] = {}
        local_history = self._local_history()
        manifest = self.manifest
        for (table, uuid), c in self.candidates.items():
            counts = self.summary.counts[table]
            if (uuid, c.incoming_updated_at) in self.known:
                counts.unchanged += 1  # this very version was already reported as a conflict
                continue
            mine = local_history.get(uuid, [])
            theirs = self.evidence.get(uuid, [])
            mine_ids = {u for u, _, _ in mine}
            theirs_ids = {u for u, _ in theirs}
            absent = self.absent.get(table, frozenset())
            changed_there = any(op not in MERGE_OPERATIONS and u not in mine_ids for u, op in theirs)
            changed_here = any(op not in MERGE_OPERATIONS and u not in theirs_ids
                               and not (absent and _only_columns(changes, absent)) for u, op, changes in mine)
            deleting = c.incoming_deleted and not c.local_deleted
            if deleting and not (c.local_office == manifest.office or c.local_office in manifest.received
                                 or mine_ids & theirs_ids):
                take, reason = False, FOREIGN_TOMBSTONE  # reported even when the local version is newer
            elif changed_there and changed_here:
                take, reason = False, BOTH_CHANGED
            elif changed_there or changed_here:
                take, reason = changed_there, ""
            else:
                incoming_at = c.incoming_updated_at if c.incoming_updated_at <= self.limit else self.now
                take, reason = incoming_at > c.local_updated_at, ""
            if take:
                decisions.setdefault(table, {})[uuid] = Decision("update", c.local_id)
                if c.incoming_deleted and not c.local_deleted:
                    counts.deleted += 1
                else:
                    counts.updated += 1
            elif reason:
                decisions.setdefault(table, {})[uuid] = Decision("conflict", c.local_id, reason)
                counts.conflicts += 1
                self.summary.conflicts.append(Conflict(table, uuid, c.label, c.local_updated_at,
                                                       c.incoming_updated_at, reason))
            else:
                counts.unchanged += 1  # the local version is the newer one
        return decisions

    def _local_history(self) -> dict[str, list[tuple[str, str, str]]]:
        """record uuid -> its history rows here: (uuid, operation, changes as JSON text)."""
        out: dict[str, list[tuple[str, str, str]]] = {}
        uuids = list(self.by_uuid)
        for start in range(0, len(uuids), LOOKUP_BATCH):
            for about, uuid, operation, changes in raw().execute(
                    "SELECT record_uuid, uuid, operation, changes FROM history WHERE record_uuid IN "
                    f"(SELECT value FROM {json_each_sql()})", (json.dumps(uuids[start:start + LOOKUP_BATCH]),)):
                out.setdefault(about, []).append((uuid, operation, changes))
        return out

    def warnings(self) -> list[str]:
        out = []
        office = self.manifest.office
        if self.manifest.exported_at > self.limit:
            out.append(f"le paquet se dit exporté le {readable_time(self.manifest.exported_at)}, après l'heure de cet "
                       f"ordinateur : l'horloge du bureau « {office} » semble en avance ; l'heure de réception est "
                       "retenue.")
        ahead = sorted(name for name, moment in self.manifest.received.items() if moment > self.limit)
        if ahead:
            out.append(f"le paquet dit avoir reçu des paquets datés d'après l'heure de cet ordinateur (bureau "
                       f"« {ahead[0]} »{' et autres' if len(ahead) > 1 else ''}) : des horloges semblent en avance ; "
                       "ces dates ne servent pas à la fusion.")
        unknown = [(spec, self.absent[spec.table]) for spec in table_specs() if self.absent.get(spec.table)]
        if unknown:
            named = " ; ".join(f"{TABLE_LABELS.get(spec.table, spec.table)} : " + ", ".join(
                FIELD_LABELS.get(key, key) for key in spec.keys if key in keys) for spec, keys in unknown)
            out.append(f"le bureau « {office} » utilise une version plus ancienne de cvdesk (schéma "
                       f"{self.manifest.schema_version}) dont les paquets ne portent pas ces champs ({named}) : leurs "
                       "valeurs ici sont gardées, les nouveaux enregistrements les reçoivent vides.")
        if self.future:
            out.append(f"{self.future} date(s) de création ou de modification sont dans le futur (jusqu'au "
                       f"{readable_time(self.latest_future)}) : l'horloge du bureau « {office} » semble en avance ; "
                       "ces dates sont ramenées à l'heure de réception.")
        return out


def _only_columns(changes: str, columns: frozenset[str]) -> bool:
    """Whether a history row's changes name some columns, all of them among these."""
    try:
        named = json.loads(changes)
    except (TypeError, ValueError):
        return False
    return isinstance(named, dict) and bool(named) and named.keys() <= columns


def plan_package(path: Path, progress: Progress | None = None, cancelled: CancelCheck | None = None) -> MergePlan:
    """Read and check the whole package against this database and decide the merge; write nothing.
    ExchangeError (one French sentence naming the file, the line, the record and the field) when refused."""
    path = Path(path)
    with collector_paused(), open_checked_zip(path, "un paquet d'échange cvdesk") as archive:
        manifest = read_manifest(archive, path)
        reading = Reading(path, manifest, progress, cancelled)
        for spec in table_specs():
            reading.table(archive, spec)
    return finished_plan(reading)


def plan_of(reading: Reading) -> MergePlan:
    """The plan as the reading knows it so far (its maps and counts are shared, and fill as it goes on)."""
    return MergePlan(reading.path, reading.manifest, reading.summary, reading.now, reading.limit, reading.total, {},
                     reading.local_ids, reading.had_rows, reading.absent)


def finished_plan(reading: Reading) -> MergePlan:
    """The plan once the reading has walked the whole package: the decisions taken, the warnings said."""
    plan = plan_of(reading)
    plan.decisions = reading.decide()
    plan.summary.warnings.extend(reading.warnings())
    return plan
