"""The rotation of verified backups beside a database: taking, listing, pruning (7 daily, 4 weekly, 12 monthly), restoring."""
from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cvdesk.store.backup import backup_to, is_leftover, remove_leftover, work_folder_prefix
from cvdesk.store.errors import CheckInterrupted, StoreError, read_only_uri

KEEP_DAILY, KEEP_WEEKLY, KEEP_MONTHLY = 7, 4, 12
# Today's backups (before an import, a restore…) are all kept, up to this many, besides the rotation.
KEEP_TODAY = 10
_NAME = re.compile(r"(?P<stem>.+)-(?P<stamp>\d{8}T\d{6}\d{6}Z)-(?P<reason>[a-z]+)\.db$")
REASONS = {"ouverture": "à l'ouverture", "migration": "avant une mise à jour du schéma",
           "import": "avant un import", "manuelle": "manuelle", "restauration": "avant une restauration"}
COUNTED = (("action", "actions"), ("association", "associations"), ("quartier", "quartiers"))

Clock = Callable[[], datetime]
STOP_POLL_STEPS = 10_000  # SQLite virtual-machine steps between two looks at a stop request


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: datetime
    reason: str
    size: int

    def counts(self) -> dict[str, int]:
        """Live records by kind, read from the backup itself."""
        conn = sqlite3.connect(read_only_uri(self.path), uri=True)
        try:
            return {label: conn.execute(f'SELECT count(*) FROM "{table}" WHERE deleted = 0').fetchone()[0]
                    for table, label in COUNTED}
        except sqlite3.DatabaseError:
            return {}
        finally:
            conn.close()


def integrity_problem(path: Path, full: bool = True, stop: Callable[[], bool] | None = None) -> str | None:
    """None when SQLite finds the file sound, else what it found. When stop() turns true, SQLite abandons the
    check (it asks every few thousand steps) and CheckInterrupted is raised: a closing window need not wait for
    the full check of a large base."""
    try:
        conn = sqlite3.connect(read_only_uri(path), uri=True)
        try:
            if stop is not None:
                conn.set_progress_handler(lambda: 1 if stop() else 0, STOP_POLL_STEPS)
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check" if full else "PRAGMA quick_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if stop is not None and stop():
            raise CheckInterrupted() from exc
        return str(exc)
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _same_bytes(first: Path, second: Path, chunk: int = 1024 * 1024) -> bool:
    with first.open("rb") as a, second.open("rb") as b:
        while True:
            block = a.read(chunk)
            if block != b.read(chunk):
                return False
            if not block:
                return True


class Backups:
    """The backups of one database, kept in a folder beside it."""

    def __init__(self, db_path: Path, clock: Clock = _utcnow) -> None:
        self.db_path = Path(db_path)
        self.folder = self.db_path.with_name(self.db_path.stem + ".sauvegardes")
        self.clock = clock

    def list(self) -> list[BackupInfo]:
        """Backups newest first."""
        if not self.folder.is_dir():
            return []
        found = []
        for path in self.folder.iterdir():
            match = _NAME.match(path.name)
            if not match or path.is_symlink() or not path.is_file():  # a planted link or folder is no backup
                continue
            taken = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
            found.append(BackupInfo(path, taken, match["reason"], path.stat().st_size))
        return sorted(found, key=lambda b: b.taken_at, reverse=True)

    def newest_good(self) -> BackupInfo | None:
        for info in self.list():
            if integrity_problem(info.path) is None:
                return info
        return None

    def take(self, reason: str) -> Path:
        """A verified copy of the database now; a database that fails its check is never backed up."""
        if reason not in REASONS:
            raise ValueError(reason)
        problem = integrity_problem(self.db_path)
        if problem:
            raise StoreError(f"La base {self.db_path} n'est pas intègre ({problem}) : aucune sauvegarde n'est faite, "
                             "les sauvegardes existantes sont conservées.")
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        target = self.folder / f"{self.db_path.stem}-{stamp}-{reason}.db"
        backup_to(self.db_path, target)
        self._drop_identical_predecessor(target)
        self.prune()
        return target

    def _drop_identical_predecessor(self, target: Path) -> None:
        """Retried imports (a full disk, a refused row) each take a backup of the same, unchanged database: when the
        newest earlier backup has the same reason and day and the very same bytes, the new one replaces it."""
        new = next((b for b in self.list() if b.path == target), None)
        older = [b for b in self.list() if b.path != target]
        if new is None or not older:
            return
        previous = older[0]
        if (previous.reason == new.reason and previous.taken_at.date() == new.taken_at.date()
                and previous.size == new.size and _same_bytes(previous.path, new.path)):
            previous.path.unlink(missing_ok=True)

    def due_at_open(self) -> bool:
        """At most one backup a day at opening, and only if the database changed since the newest one."""
        backups = self.list()
        if not backups:
            return self.db_path.exists()
        newest = backups[0]
        if newest.taken_at.date() == self.clock().date():
            return False
        # An empty -wal holds no change: reading the base (the backup itself does) may create or touch one.
        wal = Path(str(self.db_path) + "-wal")
        files = [self.db_path] + ([wal] if wal.exists() and wal.stat().st_size else [])
        changed = max(f.stat().st_mtime for f in files if f.exists())
        return changed > newest.taken_at.timestamp()

    def leftovers(self) -> list[Path]:
        """What killed copies left behind: work folders in the backup folder and beside the database, and the
        temporary names of earlier versions (NAME.db.tmp, NAME.db.restauration)."""
        found: list[Path] = []
        if self.folder.is_dir():
            found += [p for p in self.folder.iterdir() if is_leftover(p) or p.name.endswith(".db.tmp")]
        beside = self.db_path.parent
        if beside.is_dir():
            prefix = work_folder_prefix(self.db_path)
            found += [p for p in beside.iterdir() if p.name.startswith(prefix) and is_leftover(p)]
        staging = self.db_path.with_name(self.db_path.name + ".restauration")
        if staging.is_file() and not staging.is_symlink():
            found.append(staging)
        return found

    def prune(self) -> list[Path]:
        """Keep today's backups and the newest of each of the last 7 days, 4 weeks and 12 months; remove the rest,
        and what killed backups left behind."""
        for leftover in self.leftovers():
            remove_leftover(leftover)
        backups = self.list()
        keep: set[Path] = set()
        for key, count in ((lambda d: d.date(), KEEP_DAILY),
                           (lambda d: d.isocalendar()[:2], KEEP_WEEKLY),
                           (lambda d: (d.year, d.month), KEEP_MONTHLY)):
            seen: list[object] = []
            for info in backups:  # newest first: the first of each period is its newest
                period = key(info.taken_at)
                if period not in seen:
                    seen.append(period)
                    if len(seen) > count:
                        break
                    keep.add(info.path)
        today = self.clock().date()
        keep.update(info.path for info in backups[:KEEP_TODAY] if info.taken_at.date() == today)
        removed = [info.path for info in backups if info.path not in keep]
        for path in removed:
            path.unlink(missing_ok=True)
        return removed

    def restore(self, backup: Path) -> Path | None:
        """Put a backup in the database's place (the database must be closed).

        The current state is backed up first; if it is not sound it is set aside under a timestamped name instead,
        never deleted. Returns where the previous state went."""
        problem = integrity_problem(backup)
        if problem:
            raise StoreError(f"La sauvegarde {backup} n'est pas intègre ({problem}) : elle n'est pas restaurée.")
        previous: Path | None = None
        if self.db_path.exists():
            if integrity_problem(self.db_path) is None:
                previous = self.take("restauration")
            else:
                stamp = self.clock().strftime("%Y%m%dT%H%M%SZ")
                previous = self.db_path.with_name(f"{self.db_path.stem}.mise-de-cote-{stamp}{self.db_path.suffix}")
                os.replace(self.db_path, previous)
                for suffix in ("-wal", "-shm"):
                    side = Path(str(self.db_path) + suffix)
                    if side.exists():
                        os.replace(side, Path(str(previous) + suffix))

        def drop_sidecars() -> None:
            for suffix in ("-wal", "-shm"):
                Path(str(self.db_path) + suffix).unlink(missing_ok=True)

        backup_to(backup, self.db_path, before_replace=drop_sidecars)
        return previous


def backup_before_import() -> Path | None:
    """A verified copy of the open database before an import writes anything; none when it holds no record yet."""
    from cvdesk.store.database import database_path
    from cvdesk.store.models import RECORD_MODELS

    path = database_path()
    if path is None or not path.exists() or not any(model.select().exists() for model in RECORD_MODELS):
        return None
    return Backups(path).take("import")
