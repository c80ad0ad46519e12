"""Backups of a PostgreSQL base: pg_dump's custom format when the tool is installed (checked by pg_restore --list),
else our own exchange package (checked by reading it back whole); either way written under a temporary name,
readable by its owner only, and renamed into place once verified.

The open base is the one opened_database() opened; pg_dump connects by itself with the same URL, which never holds
a password (target.py refuses one): libpq finds it in PGPASSFILE or ~/.pgpass, and a password typed at the prompt
goes to the child process in its environment (PGPASSWORD), never on its command line or into a file of ours."""
from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cvdesk.store.errors import StoreError, describe_os_error

DUMP_SUFFIX = ".dump"
PACKAGE_SUFFIX = ".zip"
# pg_dump of a large base takes a while; a dead server must still end the command.
DUMP_TIMEOUT_S = 3600
LIST_TIMEOUT_S = 300


@dataclass
class PgBackup:
    path: Path
    kind: str  # "pg_dump" | "paquet"
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        what = ("pg_dump, format personnalisé, vérifiée par pg_restore --list" if self.kind == "pg_dump"
                else "paquet d'échange cvdesk, vérifié en le relisant")
        return [*(f"Note : {n}" for n in self.notes), f"Sauvegarde vérifiée ({what}) écrite dans {self.path}."]


def default_backup_folder() -> Path:
    """Where a server base's backups go when --out names none: the user's data folder, beside the default base."""
    from platformdirs import user_data_dir

    from cvdesk.location import APP_NAME

    return Path(user_data_dir(APP_NAME, appauthor=False)) / "sauvegardes"


def backup_name(database: str, suffix: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in database) or "base"
    return f"{safe}-{stamp}{suffix}"


def _database_name() -> str:
    from cvdesk.store.models import db

    return str(db.execute_sql("SELECT current_database()").fetchone()[0])


def planned_path(out: Path | None, suffix: str) -> Path:
    """The file to write: out itself, or a dated name in out (a folder) or in the default folder."""
    if out is not None and not out.is_dir():
        return out
    folder = out if out is not None else default_backup_folder()
    return folder / backup_name(_database_name(), suffix)


def backup_postgres(url: str, out: Path | None, office: str) -> PgBackup:
    """Back up the open PostgreSQL base (url: the --db URL, without password) into out (a file or a folder; None:
    the default folder). pg_dump when found on PATH, else (or when it fails: a server newer than the tool) the
    exchange package of every record, in office's name."""
    notes: list[str] = []
    pg_dump = shutil.which("pg_dump")
    if pg_dump is not None:
        target = planned_path(out, DUMP_SUFFIX if out is None or out.is_dir() else out.suffix or DUMP_SUFFIX)
        _refuse_existing(target)
        try:
            _dump(pg_dump, url, target)
            return PgBackup(target, "pg_dump", notes)
        except StoreError as exc:
            notes.append(f"{exc} : la sauvegarde se fait par le paquet d'échange à la place")
    else:
        notes.append("pg_dump n'est pas installé (paquet postgresql-client) : la sauvegarde se fait par le paquet "
                     "d'échange, qui garde les enregistrements, leurs suppressions et leur historique")
    target = planned_path(out if out is None or out.is_dir() else out.with_suffix(PACKAGE_SUFFIX), PACKAGE_SUFFIX)
    _refuse_existing(target)
    _package(target, office)
    return PgBackup(target, "paquet", notes)


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise StoreError(f"Le fichier {target} existe déjà : choisissez un autre nom (argument --out).")
    if not target.parent.exists():
        if target.parent == default_backup_folder():
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        else:
            raise StoreError(f"Le dossier {target.parent} n'existe pas (argument --out).")


def _child_environment() -> dict[str, str]:
    """The environment pg_dump and pg_restore run with: ours, plus the password typed at the prompt, if any."""
    env = dict(os.environ)
    password = _prompted_password()
    if password:
        env["PGPASSWORD"] = password
    return env


def _prompted_password() -> str | None:
    """The password the open connection was made with, when libpq did not read it from PGPASSFILE/.pgpass (then
    pg_dump finds it there itself)."""
    from cvdesk.store.models import db

    try:
        info = db.connection().info
    except Exception:  # not a psycopg connection: no password to pass on
        return None
    return getattr(info, "password", None) or None


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.en-cours")


def _dump(pg_dump: str, url: str, target: Path) -> None:
    """pg_dump -Fc into a temporary file (mode 600), checked by pg_restore --list, then renamed into place."""
    tmp = _temporary(target)
    env = _child_environment()
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(fd)
        done = subprocess.run([pg_dump, "--format=custom", "--no-password", f"--file={tmp}", f"--dbname={url}"],
                              env=env, capture_output=True, text=True, timeout=DUMP_TIMEOUT_S)
        if done.returncode != 0:
            raise StoreError(f"pg_dump a échoué ({_first_line(done.stderr)})")
        _verify_dump(tmp, env)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except subprocess.TimeoutExpired as exc:
        raise StoreError(f"pg_dump n'a pas fini en {DUMP_TIMEOUT_S // 60} minutes") from exc
    except OSError as exc:
        raise StoreError(f"La sauvegarde n'a pas pu être écrite dans {target} : {describe_os_error(exc)}.") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "sans message"


def _verify_dump(dump: Path, env: dict[str, str]) -> None:
    """The dump's table of contents, read by pg_restore, must list the data of every table we copy."""
    from cvdesk.store.copy_database import copied_tables

    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        with open(dump, "rb") as handle:
            if handle.read(5) != b"PGDMP":
                raise StoreError("le fichier écrit par pg_dump n'est pas au format personnalisé")
        return
    listed = subprocess.run([pg_restore, "--list", str(dump)], env=env, capture_output=True, text=True,
                            timeout=LIST_TIMEOUT_S)
    if listed.returncode != 0:
        raise StoreError(f"pg_restore ne relit pas la sauvegarde ({_first_line(listed.stderr)})")
    data = {line.split()[-2] for line in listed.stdout.splitlines() if " TABLE DATA " in line and len(line.split()) > 2}
    missing = [table for table in copied_tables() if table not in data]
    if missing:
        raise StoreError(f"la sauvegarde relue par pg_restore n'a pas les données de la table {missing[0]}")


def _package(target: Path, office: str) -> None:
    """Every record in an exchange package, then read back whole (checksums, counts) and compared with the base."""
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.export_package import export_package

    tmp = _temporary(target)
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
    from cvdesk.exchange.package_format import table_specs
    from cvdesk.exchange.package_reader import MemberReader, read_manifest

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
