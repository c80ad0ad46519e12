"""Backups of a PostgreSQL base by pg_dump's custom format, checked by pg_restore --list: written under a temporary
name, readable by its owner only, renamed into place once verified; where backups go, and how they are named.
(Without pg_dump, cvdesk.exchange.server_backup writes the exchange package instead.)

The open base is the one opened_database() opened; pg_dump connects by itself with the same URL, which never holds
a password (target.py refuses one): libpq finds it in PGPASSFILE or ~/.pgpass, and a password typed at the prompt
goes to the child process in its environment (PGPASSWORD), never on its command line or into a file of ours."""
from __future__ import annotations

import os
import shutil
import subprocess
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


def refuse_existing(target: Path) -> None:
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
    except Exception:  # not a driver's connection: no password to pass on
        return None
    return getattr(info, "password", None) or None


def temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.en-cours")


def dump(pg_dump: str, url: str, target: Path) -> None:
    """pg_dump -Fc into a temporary file (mode 600), checked by pg_restore --list, then renamed into place."""
    tmp = temporary(target)
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
