"""One program per database: an exclusive lock on a file beside it, which the system frees if the program dies."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cvdesk.store.errors import StoreError

if os.name == "nt":  # pragma: no cover - exercised on Windows only
    import msvcrt
else:
    import fcntl


@dataclass
class DatabaseLock:
    path: Path
    fd: int
    # True when the previous program on this database did not close it cleanly (its PID was still written).
    unclean_exit: bool

    def release(self) -> None:
        """Clean close: empty the file (marking a clean exit) and drop the lock."""
        try:
            os.ftruncate(self.fd, 0)
            if os.name == "nt":  # pragma: no cover
                msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
            else:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            os.close(self.fd)


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".verrou")


def acquire(db_path: Path) -> DatabaseLock:
    """Take the database's lock or say plainly that another cvdesk holds it."""
    path = lock_path(db_path)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if os.name == "nt":  # pragma: no cover
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() if os.name != "nt" else ""
        os.close(fd)
        who = f" (processus {holder})" if holder.isdigit() else ""
        raise StoreError(f"La base {db_path} est déjà ouverte par un autre programme cvdesk{who} : "
                         "fermez-le avant de l'ouvrir ici.") from None
    previous = os.pread(fd, 32, 0) if os.name != "nt" else b""
    os.ftruncate(fd, 0)
    os.pwrite(fd, str(os.getpid()).encode("ascii"), 0) if os.name != "nt" else None
    os.fsync(fd)
    return DatabaseLock(path, fd, unclean_exit=bool(previous.strip()))
