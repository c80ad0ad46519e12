"""The backup of a PostgreSQL base: pg_dump's custom format when the tool is installed (store/pg_backup), else our
exchange package of every record (tombstones and history included), read back whole before it counts."""
from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.package_format import table_specs
from cvdesk.exchange.package_reader import MemberReader, read_manifest
from cvdesk.store.errors import StoreError, describe_os_error
from cvdesk.store.pg_backup import (
    DUMP_SUFFIX,
    PACKAGE_SUFFIX,
    PgBackup,
    dump,
    planned_path,
    refuse_existing,
    temporary,
)


def backup_server_base(url: str, out: Path | None, office: str) -> PgBackup:
    """Back up the open PostgreSQL base (url: the --db URL, without password) into out (a file or a folder; None:
    the default folder). pg_dump when found on PATH, else (or when it fails: a server newer than the tool) the
    exchange package of every record, in office's name."""
    notes: list[str] = []
    pg_dump = shutil.which("pg_dump")
    if pg_dump is not None:
        target = planned_path(out, DUMP_SUFFIX if out is None or out.is_dir() else out.suffix or DUMP_SUFFIX)
        refuse_existing(target)
        try:
            dump(pg_dump, url, target)
            return PgBackup(target, "pg_dump", notes)
        except StoreError as exc:
            # A consultation role granted the tables only (the README's GRANT) cannot read the id sequences,
            # which pg_dump saves too.
            hint = (" ; pour pg_dump, ce rôle doit aussi lire les séquences (GRANT SELECT ON ALL SEQUENCES IN "
                    "SCHEMA public TO …)" if "permission denied for sequence" in str(exc) else "")
            notes.append(f"{exc}{hint} : la sauvegarde se fait par le paquet d'échange à la place")
    else:
        notes.append("pg_dump n'est pas installé (paquet postgresql-client) : la sauvegarde se fait par le paquet "
                     "d'échange, qui garde les enregistrements, leurs suppressions et leur historique")
    target = planned_path(out if out is None or out.is_dir() else out.with_suffix(PACKAGE_SUFFIX), PACKAGE_SUFFIX)
    refuse_existing(target)
    write_package(target, office)
    return PgBackup(target, "paquet", notes)


def write_package(target: Path, office: str) -> None:
    """Every record in an exchange package under a temporary name, read back whole (checksums, counts) and
    compared with what was written, then renamed into place."""
    tmp = temporary(target)
    try:
        summary = export_package(tmp, office)
        os.chmod(tmp, 0o600)
        read = read_back(tmp)
        if read != summary.counts:
            table = next(t for t in summary.counts if read.get(t) != summary.counts[t])
            raise StoreError(f"La sauvegarde {target} relue n'a pas le compte de la table {table} "
                             f"({read.get(table)} au lieu de {summary.counts[table]}) : elle n'est pas gardée.")
        os.replace(tmp, target)
    except ExchangeError as exc:
        raise StoreError(f"La sauvegarde {target} ne se relit pas : {exc}") from exc
    except OSError as exc:
        raise StoreError(f"La sauvegarde n'a pas pu être écrite dans {target} : {describe_os_error(exc)}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def read_back(package: Path) -> dict[str, int]:
    """Each table's records as read from the package (every line parsed and checked, every checksum compared)."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(package) as archive:
        manifest = read_manifest(archive, package)
        for spec in table_specs():
            expected, digest = manifest.files[spec.file]
            reader = MemberReader(archive, package, spec, expected, digest, manifest.optional(spec.table))
            try:
                counts[spec.table] = sum(len(rows) for _first, rows in reader.batches())
            finally:
                reader.close()
    return counts
