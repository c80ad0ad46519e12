"""Writing the exchange package: a ZIP with manifest.json and one JSON Lines file per record type, streamed."""
from __future__ import annotations

import gc
import hashlib
import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.package_format import FORMAT_NAME, FORMAT_VERSION, MANIFEST, TableSpec, table_specs
from cvdesk.exchange.pg_json_lines import UuidsById, json_lines_pg
from cvdesk.exchange.zip_stream import ZipStream
from cvdesk.store.engine import is_postgres, raw
from cvdesk.store.exchange_models import ExchangePeer
from cvdesk.store.migrations import latest_version
from cvdesk.store.models import db, utcnow, UTC_FORMAT

Progress = Callable[[int, int], None]  # done, total (records)
CancelCheck = Callable[[], bool]
BATCH = 2000


@dataclass
class ExportSummary:
    path: Path
    office: str
    exported_at: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def select_sql(spec: TableSpec) -> str:
    """The table's rows in package form (foreign keys as UUIDs), in id order."""
    exprs, joins = [], []
    for n, column in enumerate(spec.columns):
        if column.kind == "fk":
            exprs.append(f"r{n}.uuid")
            joins.append(f'LEFT JOIN "{column.target}" r{n} ON r{n}.id = t."{column.sql}"')
        else:
            exprs.append(f't."{column.sql}"')
    return f'SELECT {", ".join(exprs)} FROM "{spec.table}" t {" ".join(joins)} ORDER BY t.id'


def package_rows(spec: TableSpec) -> Iterator[tuple[Any, ...]]:
    """Every row of the table as the package holds it (booleans as true/false)."""
    bools = [n for n, c in enumerate(spec.columns) if c.kind == "bool"]
    cursor = raw().execute(select_sql(spec))
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        for row in batch:
            if bools:
                row = list(row)
                for n in bools:
                    row[n] = None if row[n] is None else bool(row[n])
                row = tuple(row)
            yield row


def json_lines_sql(spec: TableSpec) -> str:
    """The same rows, each already one JSON object: SQLite writes them faster than Python would. As a BLOB: the
    object's UTF-8 bytes as they go into the file, never decoded into a Python string to be encoded again."""
    parts, joins = [], []
    for n, column in enumerate(spec.columns):
        if column.kind == "fk":
            value = f"r{n}.uuid"
            joins.append(f'LEFT JOIN "{column.target}" r{n} ON r{n}.id = t."{column.sql}"')
        elif column.kind == "bool":
            value = f"""CASE WHEN t."{column.sql}" IS NULL THEN NULL WHEN t."{column.sql}" THEN json('true') ELSE json('false') END"""
        else:
            value = f't."{column.sql}"'
        parts.append(f"'{column.key}', {value}")
    return (f'SELECT CAST(json_object({", ".join(parts)}) AS BLOB) FROM "{spec.table}" t {" ".join(joins)} '
            "ORDER BY t.id")


def json_lines(spec: TableSpec, uuids: UuidsById | None = None) -> Iterator[tuple[bytes, int]]:
    """The table's rows as the package's JSON Lines, a batch at a time: (the lines' bytes, how many lines).

    SQLite writes each object itself (json_lines_sql); from PostgreSQL the plain columns are read and msgspec writes
    the same bytes (pg_json_lines: the server's row_to_json and joins cost more than they saved us). uuids: the
    referenced tables' UUIDs, read once per export."""
    if not is_postgres():
        cursor = raw().execute(json_lines_sql(spec))
        while rows := cursor.fetchmany(BATCH):
            yield b"\n".join([r[0] for r in rows]) + b"\n", len(rows)
        return
    yield from json_lines_pg(spec, UuidsById() if uuids is None else uuids)


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector held back for the time of the block, then back as it was. An export makes a few
    thousand tuples, dicts and bytes per batch, all freed by their reference counts and none in a cycle, yet the
    collector went through them some 1,500 times over the national base (0.3 s, 7 % of our processor) for
    nothing; whatever a cycle elsewhere leaves meanwhile is collected once the export is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _record_count() -> int:
    return sum(raw().execute(f'SELECT count(*) FROM "{s.table}"').fetchone()[0] for s in table_specs())


def received_marks() -> dict[str, str]:
    """The newest package received from each office: it tells the receiver what this database has seen."""
    return {peer.office: peer.last_received_at for peer in ExchangePeer.select()}


def export_package(out: Path, office: str, progress: Progress | None = None,
                   cancelled: CancelCheck | None = None) -> ExportSummary:
    """Write every record (tombstones and history included) to out, through a temporary file, in one read."""
    tmp = out.with_name(out.name + ".tmp")
    summary = ExportSummary(out, office, utcnow().strftime(UTC_FORMAT))
    files: dict[str, dict[str, Any]] = {}
    try:
        # One read transaction: a consistent picture even while the window saves (on PostgreSQL one snapshot for
        # every statement, which its default isolation gives each statement anew).
        with db.atomic(isolation_level="REPEATABLE READ") if is_postgres() else db.atomic():
            if is_postgres():
                # Each table is read whole, in id order: parallel workers would only add the server's processor
                # time (their sorts merged again by the leader) on a server other colleagues use. Dates as ISO
                # text whatever the base's DateStyle: the package's form (pg_json_lines.plain_sql).
                raw().execute("SET LOCAL max_parallel_workers_per_gather = 0")
                raw().execute("SET LOCAL DateStyle = 'ISO, YMD'")
            uuids = UuidsById()
            total = _record_count()
            done = 0
            with open(tmp, "wb") as handle, cycle_collector_paused():
                archive = ZipStream(handle)  # zipfile's DEFLATE (zlib) took 3 times the processor of ISA-L's
                for spec in table_specs():
                    digest, count = hashlib.sha256(), 0
                    with archive.member(spec.file) as member:
                        for chunk, lines in json_lines(spec, uuids):
                            digest.update(chunk)
                            member.write(chunk)
                            count += lines
                            done += lines
                            if progress:
                                progress(done, total)
                            if cancelled and cancelled():
                                raise Cancelled()
                    files[spec.file] = {"records": count, "sha256": digest.hexdigest()}
                    summary.counts[spec.table] = count
                manifest = {
                    "format": FORMAT_NAME,
                    "format_version": FORMAT_VERSION,
                    "schema_version": latest_version(),
                    "office": office,
                    "exported_at": summary.exported_at,
                    "received": received_marks(),
                    "files": files,
                }
                archive.write_member(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8"))
                archive.close()
                handle.flush()
                os.fsync(handle.fileno())
        if progress:
            progress(total, total)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return summary
