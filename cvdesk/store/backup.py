"""Consistent copies of a live database with SQLite's backup API, checked before they count."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from cvdesk.store.errors import StoreError, describe_os_error, describe_write_error, read_only_uri


def backup_to(source: Path, target: Path) -> Path:
    """Copy source into target through the backup API: written to a temporary file, synced, checked, then renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    if tmp.exists():
        tmp.unlink()
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)
    try:
        if not source.is_file():
            raise StoreError(f"La base {source} n'existe pas : rien à sauvegarder.")
        src = sqlite3.connect(read_only_uri(source), uri=True)
        dst = sqlite3.connect(str(tmp))
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
            result = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if result != "ok":
            raise StoreError(f"La sauvegarde de {source} a échoué : la copie n'est pas intègre ({result}).")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"La sauvegarde n'a pas pu être écrite dans {target} : {describe_os_error(exc)} ; "
                         "la base et les sauvegardes précédentes sont intactes.") from exc
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"La sauvegarde vers {target} a échoué : {describe_write_error(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target
