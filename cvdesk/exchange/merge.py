"""Importing an exchange package: checked whole first, then merged by UUID in one transaction (or only counted)."""
from __future__ import annotations

import hashlib
import json
import operator
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Callable, Iterable

from peewee import DatabaseError

from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.package_format import (
    DERIVED,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    TableSpec,
    table_specs,
)
from cvdesk.exchange.zipguard import open_checked_zip
from cvdesk.store.backups import backup_before_import
from cvdesk.store.errors import describe_write_error
from cvdesk.store.exchange_models import ExchangeConflict, ExchangePeer
from cvdesk.store.migrations import latest_version
from cvdesk.store.models import UTC_FORMAT, db, utcnow
from cvdesk.store.settings import office_name

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
BATCH = 5000
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
UUID_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
UTC_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")

TABLE_LABELS = {
    "contract": "Contrats", "signatory": "Signataires", "orientation": "Orientations", "commune": "Communes",
    "quartier": "Quartiers", "quartier_commune": "Communes des quartiers", "quartier_indicator": "Indicateurs",
    "association": "Associations", "action": "Actions", "action_quartier": "Quartiers des actions",
    "funder": "Financeurs", "funding": "Financements", "envelope": "Enveloppes", "meeting": "Réunions",
    "meeting_item": "Points de réunion", "history": "Historique",
}


@dataclass
class TableCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    conflicts: int = 0

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.deleted


@dataclass(frozen=True)
class Conflict:
    table: str
    uuid: str
    label: str
    local_updated_at: str
    incoming_updated_at: str


@dataclass
class ImportSummary:
    path: Path
    office: str
    exported_at: str
    dry_run: bool
    counts: dict[str, TableCounts] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(c.changed for c in self.counts.values())

    def total(self) -> TableCounts:
        t = TableCounts()
        for c in self.counts.values():
            t.added += c.added
            t.updated += c.updated
            t.unchanged += c.unchanged
            t.deleted += c.deleted
            t.conflicts += c.conflicts
        return t

    def lines(self) -> list[str]:
        when = _readable_time(self.exported_at)
        out = [f"Paquet du bureau « {self.office} » exporté le {when}."]
        header = f"{'Type':<24} {'ajoutés':>9} {'mis à jour':>11} {'inchangés':>10} {'supprimés':>10} {'conflits':>9}"
        out.append(header)
        for table, c in self.counts.items():
            out.append(f"{TABLE_LABELS.get(table, table):<24} {c.added:>9} {c.updated:>11} {c.unchanged:>10} "
                       f"{c.deleted:>10} {c.conflicts:>9}")
        t = self.total()
        out.append(f"{'Total':<24} {t.added:>9} {t.updated:>11} {t.unchanged:>10} {t.deleted:>10} {t.conflicts:>9}")
        if self.conflicts:
            out.append("Conflits (modifiés ici et dans l'autre bureau depuis le dernier échange ; "
                       "la version locale est conservée) :")
            for c in self.conflicts:
                out.append(f"  {TABLE_LABELS.get(c.table, c.table)} : {c.label} ({c.uuid})")
        if self.dry_run:
            out.append("Simulation (--dry-run) : rien n'a été écrit.")
        elif self.changed == 0 and not self.conflicts:
            out.append("Aucun changement : la base contenait déjà tout ce paquet.")
        return out


def _readable_time(iso: str) -> str:
    try:
        moment = datetime.strptime(iso, UTC_FORMAT)
    except ValueError:
        return iso
    return moment.strftime("%d/%m/%Y à %H:%M (UTC)")


@dataclass
class _Manifest:
    office: str
    exported_at: str
    received: dict[str, str]
    files: dict[str, tuple[int, str]]


def _read_manifest(archive: Any, path: Path) -> _Manifest:
    names = set(archive.namelist())
    if MANIFEST not in names:
        raise ExchangeError(f"Le paquet {path} n'a pas de fichier {MANIFEST} : ce n'est pas un paquet cvdesk.")
    info = archive.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST_BYTES:
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est anormalement gros ({info.file_size} octets).")
    try:
        raw = archive.read(MANIFEST)
        manifest = json.loads(raw.decode("utf-8"))
    except Exception as exc:  # bad deflate, bad CRC, bad UTF-8, bad JSON: all the same to the user
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est illisible ou mal formé ({type(exc).__name__}).") from None
    if not isinstance(manifest, dict):
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (un objet JSON est attendu).")
    if manifest.get("format") != FORMAT_NAME:
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} n'annonce pas le format {FORMAT_NAME} "
                            f"(il indique {manifest.get('format')!r}).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ExchangeError(f"Le paquet {path} est au format d'échange version {version!r}, que ce programme ne "
                            f"connaît pas (il lit la version {FORMAT_VERSION}) : mettez cvdesk à jour.")
    schema = manifest.get("schema_version")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (champ schema_version).")
    if schema > latest_version():
        raise ExchangeError(f"Le paquet {path} vient d'une version plus récente de cvdesk (schéma {schema}, ce "
                            f"programme connaît le schéma {latest_version()}) : mettez cvdesk à jour.")
    office, exported_at = manifest.get("office"), manifest.get("exported_at")
    if not isinstance(office, str) or not office.strip():
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (champ office, le bureau exportateur).")
    if not isinstance(exported_at, str) or not UTC_RE.fullmatch(exported_at):
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (champ exported_at, la date d'export).")
    received = manifest.get("received", {})
    if not isinstance(received, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and UTC_RE.fullmatch(v) for k, v in received.items()):
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (champ received).")
    files_in = manifest.get("files")
    if not isinstance(files_in, dict):
        raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (champ files).")
    files: dict[str, tuple[int, str]] = {}
    for spec in table_specs():
        entry = files_in.get(spec.file)
        if entry is None and schema < latest_version():
            files[spec.file] = (0, "")  # a record type that did not exist in the sender's schema
            continue
        if not isinstance(entry, dict):
            raise ExchangeError(f"Le paquet {path} : {MANIFEST} ne décrit pas le fichier {spec.file}.")
        count, digest = entry.get("records"), entry.get("sha256")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0 or not isinstance(digest, str):
            raise ExchangeError(f"Le paquet {path} : {MANIFEST} est mal formé (fichier {spec.file}).")
        if spec.file not in names:
            raise ExchangeError(f"Le paquet {path} ne contient pas le fichier {spec.file} que son manifeste annonce.")
        files[spec.file] = (count, digest.lower())
    unknown = sorted(set(files_in) - set(files))
    if unknown:
        raise ExchangeError(f"Le paquet {path} contient un type d'enregistrement inconnu ({unknown[0]}) : "
                            "mettez cvdesk à jour.")
    return _Manifest(office.strip(), exported_at, dict(received), files)


_TYPES = {"text": (str,), "int": (int,), "bool": (bool,), "uuid": (str,), "fk": (str,), "utc": (str,),
          "date": (str,)}
_PATTERNS = {"uuid": UUID_RE.pattern, "fk": UUID_RE.pattern, "utc": UTC_RE.pattern, "date": DATE_RE.pattern}


def _value_ok(kind: str, null: bool, value: Any) -> bool:
    """One value's check (used to find the faulty line once a whole column has failed)."""
    if value is None:
        return null
    if type(value) not in _TYPES[kind]:
        return False
    if kind == "int":
        return INT_MIN <= value <= INT_MAX
    if kind in _PATTERNS:
        if "\n" in value or not re.fullmatch(_PATTERNS[kind], value):
            return False
        if kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return False
    return True


def _column_ok(kind: str, null: bool, values: tuple[Any, ...]) -> bool:
    """A whole column checked at C speed: the set of types, the bounds, one regex over all the texts joined."""
    types = set(map(type, values))
    if type(None) in types:
        if not null:
            return False
        types.discard(type(None))
        values = tuple(v for v in values if v is not None)
    if not types <= set(_TYPES[kind]):
        return False
    if not values:
        return True
    if kind == "int":
        return INT_MIN <= min(values) and max(values) <= INT_MAX
    if kind == "fk":
        return True  # texts only; each reference is then looked up among the known (checked) UUIDs
    if kind in _PATTERNS:
        pattern = _PATTERNS[kind]
        if not re.fullmatch(f"(?:{pattern}\n)*{pattern}", "\n".join(values)):
            return False
        if kind == "date":
            try:
                for value in set(values):
                    date.fromisoformat(value)
            except ValueError:
                return False
    return True


_EXPECTED = {"text": "un texte", "int": "un nombre entier", "bool": "true ou false", "uuid": "un UUID",
             "fk": "l'UUID d'un enregistrement", "utc": "une heure UTC (AAAA-MM-JJTHH:MM:SS.ffffffZ)",
             "date": "une date AAAA-MM-JJ"}


def _parse_member(archive: Any, path: Path, spec: TableSpec, count: int, digest: str) -> list[tuple[Any, ...]]:
    try:
        raw = archive.read(spec.file)
    except Exception as exc:
        raise ExchangeError(f"Le paquet {path} : le fichier {spec.file} est illisible ({type(exc).__name__}).") from None
    if hashlib.sha256(raw).hexdigest() != digest:
        raise ExchangeError(f"Le paquet {path} : la somme de contrôle du fichier {spec.file} ne correspond pas à "
                            "celle du manifeste (fichier modifié ou abîmé) : paquet refusé.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExchangeError(f"Le paquet {path} : le fichier {spec.file} n'est pas en UTF-8.") from None
    del raw
    keys = spec.keys
    keyset = set(keys)
    rows: list[tuple[Any, ...]] = []
    body = text[:-1] if text.endswith("\n") else text
    del text
    found = body.count("\n") + 1 if body else 0
    if found != count:
        raise ExchangeError(f"Le paquet {path} : le fichier {spec.file} contient {found} enregistrement(s), "
                            f"le manifeste en annonce {count}.")
    # One parse for the whole file; only a file in error is read again line by line to name the line.
    try:
        objects = json.loads("[" + body.replace("\n", ",") + "]") if body else []
    except ValueError:
        objects = None
    if objects is None or len(objects) != found:
        objects = []
        for number, line in enumerate(body.split("\n"), start=1):
            try:
                objects.append(json.loads(line))
            except ValueError:
                raise ExchangeError(f"Le paquet {path}, fichier {spec.file}, ligne {number} : "
                                    "ce n'est pas un objet JSON valide.") from None
    del body
    pick = operator.itemgetter(*keys)
    width = len(keys)
    try:
        # Fast path: every object a dict with exactly these keys (same count, each present).
        if all(type(obj) is dict and len(obj) == width for obj in objects):
            rows = list(map(pick, objects))
            objects = []
    except KeyError:
        rows = []
    for number, obj in enumerate(objects, start=1):
        if type(obj) is not dict or obj.keys() != keyset:
            where = f"Le paquet {path}, fichier {spec.file}, ligne {number}"
            if type(obj) is not dict:
                raise ExchangeError(f"{where} : un objet JSON est attendu.")
            missing = sorted(keyset - obj.keys())
            extra = sorted(obj.keys() - keyset)
            what = f"il manque le champ « {missing[0]} »" if missing else f"champ inconnu « {extra[0]} »"
            raise ExchangeError(f"{where} : {what}.")
        rows.append(tuple([obj[k] for k in keys]))
    del objects
    if rows:
        columns = list(zip(*rows))
        for n, column in enumerate(spec.columns):
            if _column_ok(column.kind, column.null, columns[n]):
                continue
            for number, value in enumerate(columns[n], start=1):
                if not _value_ok(column.kind, column.null, value):
                    raise ExchangeError(
                        f"Le paquet {path}, fichier {spec.file}, ligne {number}, champ « {column.key} » : "
                        f"{_EXPECTED[column.kind]} est attendu, pas {json.dumps(value, ensure_ascii=False)[:40]}.")
        if len(set(columns[0])) != len(rows):
            seen: set[str] = set()
            for number, value in enumerate(columns[0], start=1):
                if value in seen:
                    raise ExchangeError(f"Le paquet {path}, fichier {spec.file}, ligne {number} : l'UUID {value} "
                                        "figure deux fois dans le fichier.")
                seen.add(value)
    return rows


def read_package(path: Path, progress: Progress | None = None,
                 cancelled: CancelCheck | None = None) -> tuple[_Manifest, dict[str, list[tuple[Any, ...]]]]:
    """Check the package whole (ZIP sizes, manifest, checksums, every field) and return its rows by table."""
    path = Path(path)
    with open_checked_zip(path, "un paquet d'échange cvdesk") as archive:
        manifest = _read_manifest(archive, path)
        total = sum(count for count, _ in manifest.files.values())
        done = 0
        tables: dict[str, list[tuple[Any, ...]]] = {}
        for spec in table_specs():
            count, digest = manifest.files[spec.file]
            if not digest:
                tables[spec.table] = []
                continue
            tables[spec.table] = _parse_member(archive, path, spec, count, digest)
            done += count
            if progress:
                progress(done, 2 * total)
            if cancelled and cancelled():
                raise Cancelled()
    return manifest, tables


def _local_rows(spec: TableSpec) -> dict[str, tuple[int, tuple[Any, ...]]]:
    from cvdesk.exchange.export_package import select_sql

    sql = select_sql(spec).replace("SELECT ", "SELECT t.id, ", 1)
    bools = [n for n, c in enumerate(spec.columns) if c.kind == "bool"]
    out: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for row in db.connection().execute(sql):
        values = list(row[1:])
        for n in bools:
            if values[n] is not None:
                values[n] = bool(values[n])
        out[values[0]] = (row[0], tuple(values))
    return out


def _label(spec: TableSpec, row: tuple[Any, ...]) -> str:
    keys = spec.keys
    parts = [str(row[keys.index(k)]) for k in ("reference", "code", "name", "title", "kind", "record_type")
             if k in keys and row[keys.index(k)] not in (None, "")]
    return " – ".join(parts[:2]) or spec.model.__name__


@dataclass
class _Plan:
    adds: list[tuple[Any, ...]] = field(default_factory=list)
    updates: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)
    conflicts: list[tuple[tuple[Any, ...], str]] = field(default_factory=list)  # incoming row, local updated_at


def import_package(path: Path, dry_run: bool = False, progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> ImportSummary:
    """Merge the package at path: refused whole (ExchangeError) or merged whole; with dry_run only counted."""
    path = Path(path)
    manifest, tables = read_package(path, progress, cancelled)
    summary = ImportSummary(path, manifest.office, manifest.exported_at, dry_run)
    marks = [m for m in (manifest.received.get(office_name()),) if m]
    peer = ExchangePeer.get_or_none(ExchangePeer.office == manifest.office)
    if peer is not None:
        marks.append(peer.last_received_at)
    base = max(marks) if marks else None
    known = {(u, t) for u, t in ExchangeConflict.select(ExchangeConflict.record_uuid,
                                                         ExchangeConflict.incoming_updated_at).tuples()}
    specs = table_specs()
    local = {spec.table: _local_rows(spec) for spec in specs}
    incoming_uuids = {spec.table: {row[0] for row in tables[spec.table]} for spec in specs}
    plans: dict[str, _Plan] = {}
    for spec in specs:
        plan, counts = _Plan(), TableCounts()
        derived = DERIVED.get(spec.table, frozenset())
        compare = [n for n, c in enumerate(spec.columns) if c.key not in derived]
        updated_n, deleted_n = spec.index("updated_at"), spec.index("deleted")
        fks = [(n, c) for n, c in enumerate(spec.columns) if c.kind == "fk"]
        here = local[spec.table]
        for number, row in enumerate(tables[spec.table], start=1):
            for n, column in fks:
                ref = row[n]
                if ref is not None and ref not in incoming_uuids[column.target] and ref not in local[column.target]:
                    raise ExchangeError(
                        f"Le paquet {path}, fichier {spec.file}, ligne {number}, champ « {column.key} » : "
                        f"il renvoie à un enregistrement ({ref}) qui n'existe ni dans le paquet ni dans cette base.")
            mine = here.get(row[0])
            if mine is None:
                plan.adds.append(row)
                counts.added += 1
                continue
            local_id, local_row = mine
            if all(row[n] == local_row[n] for n in compare):
                counts.unchanged += 1
                continue
            incoming_at, local_at = row[updated_n], local_row[updated_n]
            if (row[0], incoming_at) in known:
                counts.unchanged += 1  # this very version was already reported as a conflict
                continue
            if base is not None and local_at > base:
                if incoming_at > base:
                    plan.conflicts.append((row, local_at))
                    counts.conflicts += 1
                    summary.conflicts.append(Conflict(spec.table, row[0], _label(spec, local_row), local_at,
                                                      incoming_at))
                else:
                    counts.unchanged += 1
                continue
            if incoming_at > local_at:
                plan.updates.append((local_id, row))
                if row[deleted_n] and not local_row[deleted_n]:
                    counts.deleted += 1
                else:
                    counts.updated += 1
            else:
                counts.unchanged += 1
        plans[spec.table] = plan
        summary.counts[spec.table] = counts
    if dry_run:
        return summary
    if summary.changed:
        backup_before_import()
    ids = {spec.table: {uuid: entry[0] for uuid, entry in local[spec.table].items()} for spec in specs}
    del local
    try:
        _apply(manifest, specs, tables, plans, ids, progress, cancelled)
    except (DatabaseError, sqlite3.DatabaseError) as exc:  # a full disk, an I/O error: the transaction is rolled back whole
        raise ExchangeError(f"Import du paquet {path} : {describe_write_error(exc)}") from exc
    return summary


BULK_ROWS = 20_000


def _indexes(table: str) -> list[tuple[str, str]]:
    return list(db.connection().execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)))


def _search_insert_trigger() -> tuple[str, str] | None:
    from cvdesk.store.search_index import ACTION_SEARCH

    return db.connection().execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'action' AND name = ?",
        (f"{ACTION_SEARCH}_insert",)).fetchone()


def _fill_action_search(conn: Any, first_id: int) -> None:
    """What the insert trigger would have done for the actions from first_id on, in one statement."""
    from cvdesk.store.search_index import ACTION_SEARCH

    conn.execute(f"""INSERT INTO {ACTION_SEARCH}(rowid, reference, title, porteur)
                     SELECT a.id, a.reference, a.title, p.name FROM "action" a
                     LEFT JOIN association p ON p.id = a.porteur_id WHERE a.id >= ?""", (first_id,))


def _apply(manifest: _Manifest, specs: Iterable[TableSpec], tables: dict[str, list[tuple[Any, ...]]],
           plans: dict[str, _Plan], ids: dict[str, dict[str, int]],
           progress: Progress | None, cancelled: CancelCheck | None) -> None:
    conn = db.connection()
    total = sum(len(rows) for rows in tables.values())
    done = total
    touched_actions: set[int] = set()
    # A large cache for the merge: pages are written once at commit, not spilled to the WAL over and over.
    previous_cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    if total > BULK_ROWS:
        conn.execute(f"PRAGMA cache_size = {-MERGE_CACHE_KIB}")
    try:
        _merge(conn, manifest, specs, tables, plans, ids, progress, cancelled, total, touched_actions)
    finally:
        conn.execute(f"PRAGMA cache_size = {previous_cache}")
    if progress:
        progress(2 * total, 2 * total)


MERGE_CACHE_KIB = 512 * 1024


def _merge(conn: Any, manifest: _Manifest, specs: Iterable[TableSpec], tables: dict[str, list[tuple[Any, ...]]],
           plans: dict[str, _Plan], ids: dict[str, dict[str, int]], progress: Progress | None,
           cancelled: CancelCheck | None, total: int, touched_actions: set[int]) -> None:
    done = total
    with db.atomic():
        for spec in specs:
            plan = plans[spec.table]
            cols = ", ".join(f'"{c.sql}"' for c in spec.columns)
            marks = ", ".join("?" * (len(spec.columns) + 1))
            fk_cols = [(n, c) for n, c in enumerate(spec.columns) if c.kind == "fk"]
            self_refs = [(n, c) for n, c in fk_cols if c.target == spec.table]

            def convert(row: tuple[Any, ...], late: bool) -> list[Any]:
                values = list(row)
                for n, column in fk_cols:
                    if values[n] is not None:
                        if column.target == spec.table and late:
                            values[n] = None
                        else:
                            values[n] = ids[column.target][values[n]]
                return values

            # Rows get the next ids in package order, so an empty database receives the sender's ids.
            next_id = conn.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{spec.table}"').fetchone()[0] + 1
            table_ids = ids[spec.table]
            for offset, row in enumerate(plan.adds):
                table_ids[row[0]] = next_id + offset
            # Filling a table in bulk is faster with its indexes rebuilt once at the end (same transaction).
            bulk = len(plan.adds) > max(BULK_ROWS, len(table_ids) - len(plan.adds))
            rebuild = _indexes(spec.table) if bulk else []
            for name, _ in rebuild:
                conn.execute(f'DROP INDEX "{name}"')
            # The search index of actions is filled by a trigger, row by row; in bulk, once at the end.
            search_trigger = _search_insert_trigger() if bulk and spec.table == "action" else None
            if search_trigger:
                conn.execute(f'DROP TRIGGER "{search_trigger[0]}"')
            for start in range(0, len(plan.adds), BATCH):
                chunk = plan.adds[start:start + BATCH]
                values = ([(next_id + start + k, *convert(row, True)) for k, row in enumerate(chunk)] if fk_cols
                          else [(next_id + start + k, *row) for k, row in enumerate(chunk)])
                conn.executemany(f'INSERT INTO "{spec.table}" (id, {cols}) VALUES ({marks})', values)
                done += len(chunk)
                if progress:
                    progress(min(done, 2 * total - 1), 2 * total)
                if cancelled and cancelled():
                    raise Cancelled()
            for _, sql in rebuild:
                conn.execute(sql)
            if search_trigger:
                _fill_action_search(conn, next_id)
                conn.execute(search_trigger[1])
            if plan.adds:
                for n, column in self_refs:
                    fixes = [(ids[spec.table][row[n]], ids[spec.table][row[0]]) for row in plan.adds
                             if row[n] is not None]
                    conn.executemany(f'UPDATE "{spec.table}" SET "{column.sql}" = ? WHERE id = ?', fixes)
            if plan.updates:
                sets = ", ".join(f'"{c.sql}" = ?' for c in spec.columns[1:])
                conn.executemany(f'UPDATE "{spec.table}" SET {sets} WHERE id = ?',
                                 [(*convert(row, False)[1:], local_id) for local_id, row in plan.updates])
            if spec.table == "action":
                touched_actions.update(ids["action"][row[0]] for row in plan.adds)
                touched_actions.update(local_id for local_id, _ in plan.updates)
            elif spec.table == "funding":
                n = spec.index("action")
                touched_actions.update(ids["action"][row[n]] for row in plan.adds)
                touched_actions.update(ids["action"][row[n]] for _, row in plan.updates)
            for row, local_at in plan.conflicts:
                ExchangeConflict.create(
                    record_type=spec.model.__name__, record_uuid=row[0], from_office=manifest.office,
                    package_exported_at=manifest.exported_at, incoming_updated_at=row[spec.index("updated_at")],
                    local_updated_at=local_at,
                    incoming=json.dumps(dict(zip(spec.keys, row)), ensure_ascii=False, sort_keys=True))
        recompute_action_totals(touched_actions)
        peer = ExchangePeer.get_or_none(ExchangePeer.office == manifest.office)
        if peer is None:
            ExchangePeer.create(office=manifest.office, last_received_at=manifest.exported_at)
        elif manifest.exported_at > peer.last_received_at:
            peer.last_received_at = manifest.exported_at
            peer.imported_at = utcnow()
            peer.save()


def recompute_action_totals(action_ids: set[int]) -> None:
    """Refresh the denormalised sums of these actions from their live funding lines, in one statement."""
    if not action_ids:
        return
    db.execute_sql(
        """
        UPDATE "action" SET
          requested_total = (SELECT COALESCE(SUM(requested), 0) FROM funding f WHERE f.action_id = "action".id AND f.deleted = 0),
          granted_total = (SELECT COALESCE(SUM(granted), 0) FROM funding f WHERE f.action_id = "action".id AND f.deleted = 0),
          paid_total = (SELECT COALESCE(SUM(paid), 0) FROM funding f WHERE f.action_id = "action".id AND f.deleted = 0)
        WHERE id IN (SELECT value FROM json_each(?))
        """,
        (json.dumps(sorted(action_ids)),),
    )
