"""Consistent copies of a live database with SQLite's backup API, checked before they count."""
from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from cvdesk.store.errors import StoreError, describe_os_error, describe_write_error, read_only_uri

# A copy is written in a private folder (mode 700, random name, made with O_EXCL) beside its target, then renamed
# into place: no one can plant a link at a name we are about to write, and SQLite's own journal lands there too.
# A killed copy leaves this folder behind; Backups.prune() removes it.
WORK_MARK = ".en-cours-"
_active: set[Path] = set()  # work folders of copies running in this process, which a prune must leave alone
_active_guard = threading.Lock()


def work_folder_prefix(target: Path) -> str:
    return f".{target.name}{WORK_MARK}"


def is_leftover(path: Path) -> bool:
    """Whether path is the work folder of a copy that is not running in this process (a killed one)."""
    with _active_guard:
        return path.name.startswith(".") and WORK_MARK in path.name and path not in _active


def remove_leftover(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); Windows cannot open a folder and commits renames itself."""
    if os.name == "nt":  # pragma: no cover
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup_to(source: Path, target: Path, before_replace: Callable[[], None] | None = None) -> Path:
    """Copy source into target through the backup API: written in a private work folder, synced, checked, then
    renamed over target (a link at target is replaced, never followed). before_replace runs just before the rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work: Path | None = None
    try:
        if not source.is_file():
            raise StoreError(f"La base {source} n'existe pas : rien à sauvegarder.")
        work = Path(tempfile.mkdtemp(prefix=work_folder_prefix(target), dir=target.parent))
        with _active_guard:
            _active.add(work)
        tmp = work / target.name
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
        os.chmod(tmp, 0o600)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        if before_replace is not None:
            before_replace()
        os.replace(tmp, target)
        _sync_folder(target.parent)
    except OSError as exc:
        raise StoreError(f"La sauvegarde n'a pas pu être écrite dans {target} : {describe_os_error(exc)} ; "
                         "la base et les sauvegardes précédentes sont intactes.") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"La sauvegarde vers {target} a échoué : {describe_write_error(exc)}") from exc
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
            with _active_guard:
                _active.discard(work)
    return target
