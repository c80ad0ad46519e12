"""One program per database: an exclusive lock on a file beside it, which the system frees if the program dies."""
from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cvdesk.store.errors import DatabaseHeld, StoreError

# The PID of the holder is written at the start of the file; on Windows the lock covers one byte after it, because
# msvcrt's lock is mandatory: a locked byte cannot even be read by the next program, which needs the PID.
PID_BYTES = 32
CHECK_PENDING = b"verification"  # not a PID: read as an unclean exit by the next opening
WINDOWS_LOCK_OFFSET = 64
# Without O_NOFOLLOW (Windows), a planted link is caught by comparing the opened file with the name (see _open).
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
SYMLINK_ERRNOS = {errno.ELOOP, errno.EMLINK}


class LockPlatform:
    """The operating system's lock behind two functions, so that the Windows path runs under tests on any system.

    try_lock raises OSError when another program holds the lock; both take the lock file's descriptor. (Plain
    classes here: a dataclass costs about a millisecond to define at every start, before the window's first paint.)"""

    __slots__ = ("name", "try_lock", "unlock", "nofollow")

    def __init__(self, name: str, try_lock: Callable[[int], None], unlock: Callable[[int], None],
                 nofollow: int = O_NOFOLLOW) -> None:
        self.name = name
        self.try_lock = try_lock
        self.unlock = unlock
        self.nofollow = nofollow


def posix_platform(fcntl_module: Any = None) -> LockPlatform:
    """flock on the whole file: advisory, so the PID stays readable."""
    if fcntl_module is None:
        import fcntl as fcntl_module
    flock = fcntl_module.flock
    return LockPlatform("posix", lambda fd: flock(fd, fcntl_module.LOCK_EX | fcntl_module.LOCK_NB),
                        lambda fd: flock(fd, fcntl_module.LOCK_UN))


def windows_platform(msvcrt_module: Any = None, nofollow: int = O_NOFOLLOW) -> LockPlatform:
    """msvcrt.locking on one byte beyond the PID (it locks from the file position, which is set first)."""
    if msvcrt_module is None:  # pragma: no cover - exercised on Windows only
        import msvcrt as msvcrt_module

    def at_lock_byte(mode: int) -> Callable[[int], None]:
        def call(fd: int) -> None:
            os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt_module.locking(fd, mode, 1)
        return call

    return LockPlatform("nt", at_lock_byte(msvcrt_module.LK_NBLCK), at_lock_byte(msvcrt_module.LK_UNLCK), nofollow)


def current_platform() -> LockPlatform:
    return windows_platform() if os.name == "nt" else posix_platform()


class DatabaseLock:
    """The lock held on a database's lock file while this program has it open."""

    __slots__ = ("path", "fd", "unclean_exit", "platform")

    def __init__(self, path: Path, fd: int, unclean_exit: bool, platform: LockPlatform | None = None) -> None:
        self.path = path
        self.fd = fd
        # True when the previous program on this database did not close it cleanly (its PID was still written).
        self.unclean_exit = unclean_exit
        self.platform = platform

    def release(self, check_pending: bool = False) -> None:
        """Clean close: empty the file (marking a clean exit), then drop the lock, so no one else's PID is erased.

        check_pending leaves a mark instead, so that the next opening runs the full check this one could not
        finish (the window was closed while it ran after an unclean exit)."""
        platform = self.platform or current_platform()
        try:
            os.ftruncate(self.fd, 0)
            if check_pending:
                os.lseek(self.fd, 0, os.SEEK_SET)
                os.write(self.fd, CHECK_PENDING)
            platform.unlock(self.fd)
        finally:
            os.close(self.fd)


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".verrou")


def _read_pid(fd: int) -> bytes:
    # lseek and read rather than pread, which Windows lacks.
    os.lseek(fd, 0, os.SEEK_SET)
    return os.read(fd, PID_BYTES)


def _refuse_link(path: Path, what: str = "un lien vers un autre fichier") -> StoreError:
    return StoreError(f"Le fichier de verrou {path} est {what} : cvdesk refuse d'écrire à travers lui ; "
                      "supprimez-le puis rouvrez la base.")


def _open(path: Path, nofollow: int) -> int:
    """Open the lock file without following a link planted in its place (nor a second name of another file)."""
    if not nofollow and path.is_symlink():
        raise _refuse_link(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0) | nofollow, 0o600)
    except OSError as exc:
        if exc.errno in SYMLINK_ERRNOS and path.is_symlink():
            raise _refuse_link(path) from None
        raise
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise _refuse_link(path, "autre chose qu'un fichier ordinaire")
        if opened.st_nlink > 1:  # a second name of another file: writing the PID would truncate that file
            raise _refuse_link(path)
        if not nofollow:  # a link swapped in between the check above and open()
            named = os.lstat(path)
            if (named.st_dev, named.st_ino) != (opened.st_dev, opened.st_ino):
                raise _refuse_link(path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def acquire(db_path: Path, platform: LockPlatform | None = None) -> DatabaseLock:
    """Take the database's lock or say plainly that another cvdesk holds it."""
    platform = platform or current_platform()
    path = lock_path(db_path)
    fd = _open(path, platform.nofollow)
    try:
        platform.try_lock(fd)
    except OSError:
        holder = _read_pid(fd).decode("ascii", "replace").strip()
        os.close(fd)
        who = f" (processus {holder})" if holder.isdigit() else ""
        raise DatabaseHeld(f"La base {db_path} est déjà ouverte par un autre programme cvdesk{who} : "
                           "fermez-le avant de l'ouvrir ici.") from None
    try:
        previous = _read_pid(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, str(os.getpid()).encode("ascii"))
        os.fsync(fd)
    except BaseException:
        platform.unlock(fd)
        os.close(fd)
        raise
    return DatabaseLock(path, fd, unclean_exit=bool(previous.strip()), platform=platform)
