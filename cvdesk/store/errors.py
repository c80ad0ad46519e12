"""The store's error, whose text is a French sentence meant for the user."""
from __future__ import annotations

from os import PathLike


class StoreError(Exception):
    """A database that cannot be opened or changed; str() is one French sentence."""


class CheckInterrupted(Exception):
    """An integrity check stopped on request (the window closing): nothing is known about the file."""


class DatabaseHeld(StoreError):
    """Another cvdesk program holds the database's lock: the file is sound and in use, so nothing may replace it."""


# The start of every describe_write_error() sentence, so that a caller can tell a refused write from a refused value.
WRITE_FAILED = "Enregistrement impossible : "


# PostgreSQL's words for a statement that waited too long for a row or table another session writes (lock_timeout),
# or that met another writer head-on (a deadlock, broken by the server): the other write is real and ongoing.
BUSY_MARKS = ("lock timeout", "deadlock detected", "could not obtain lock")
BUSY_REASON = ("la base est occupée par un autre enregistrement en cours (un import, une fusion ou la saisie d'un "
               "collègue), réessayez dans un moment")


def waited_too_long(exc: BaseException) -> bool:
    """Whether exc (or its cause) is PostgreSQL's refusal of a statement that waited past the lock timeout for what
    another session holds, or that met another writer head-on (BUSY_MARKS)."""
    current: BaseException | None = exc
    for _ in range(10):
        if current is None:
            return False
        if any(mark in str(current).lower() for mark in BUSY_MARKS):
            return True
        current = current.__cause__ or current.__context__
    return False


def describe_write_error(exc: BaseException) -> str:
    """A French sentence for a failed write (full disk, read-only file, lock held, I/O error, server lost)."""
    # After SQLITE_FULL, SQLite has already rolled back, and the rollback that follows fails in turn:
    # the cause is further down the chain.
    chain, current = [], exc
    while current is not None and len(chain) < 10:
        chain.append(str(current).lower())
        current = current.__cause__ or current.__context__
    text = " | ".join(chain)
    from cvdesk.store.server_lost import lost_server_reason

    lost = lost_server_reason(exc)
    if lost is not None:  # PostgreSQL: the session ended under the write (server restarted, network cut)
        reason = f"la connexion au serveur PostgreSQL a été interrompue ({lost}), réessayez quand il répond"
    elif any(mark in text for mark in BUSY_MARKS):
        reason = BUSY_REASON
    elif "full" in text:
        reason = "le disque est plein"
    elif "permission denied" in text:  # PostgreSQL: a role allowed to read only (insufficient_privilege)
        reason = "votre rôle PostgreSQL n'a pas le droit d'écrire dans cette base"
    elif "read-only transaction" in text:  # PostgreSQL: a standby server, or a base set read-only
        reason = "la base PostgreSQL n'accepte que la lecture"
    elif "readonly" in text or "read-only" in text:
        reason = "le fichier est en lecture seule"
    elif "locked" in text or "busy" in text:
        reason = "la base est occupée par un autre programme"
    elif "i/o" in text or "disk" in text:
        reason = "une erreur d'entrée-sortie est survenue sur le disque"
    else:
        reason = f"la base a refusé l'écriture ({chain[-1]})"
    return f"{WRITE_FAILED}{reason} ; rien n'a été modifié."


def describe_os_error(exc: OSError) -> str:
    """The reason of a failed file operation, in French."""
    import errno

    reasons = {
        errno.ENOSPC: "le disque est plein",
        errno.EDQUOT: "le quota du disque est atteint",
        errno.EACCES: "l'accès est refusé",
        errno.EPERM: "l'opération n'est pas permise",
        errno.EROFS: "le disque est en lecture seule",
        errno.ENOENT: "le fichier ou le dossier n'existe pas",
        errno.EISDIR: "c'est un dossier",
        errno.EIO: "une erreur d'entrée-sortie est survenue sur le disque",
    }
    return reasons.get(exc.errno, f"erreur système ({exc.strerror or exc})")


def read_only_uri(path: str | PathLike[str]) -> str:
    """A read-only SQLite URI for path, with '#', '?' and '%' in folder names escaped (else SQLite opens another,
    empty file)."""
    import os
    from pathlib import Path

    resolved = Path(path).resolve()
    uri = resolved.as_uri() + "?mode=ro"
    # A WAL database in a folder where its -shm cannot be created (read-only medium or share) is unreadable in
    # plain read-only mode: SQLite reads it as an immutable file instead.
    if not os.access(resolved.parent, os.W_OK) and not Path(str(resolved) + "-shm").exists():
        uri += "&immutable=1"
    return uri


def database_errors() -> tuple[type[BaseException], ...]:
    """What a failed statement raises on the open base: sqlite3's and peewee's errors, and on PostgreSQL the driver's
    too (a statement through engine.raw() reaches the driver without peewee's wrapping)."""
    import sqlite3

    from peewee import DatabaseError

    from cvdesk.store.engine import is_postgres

    if not is_postgres():
        return (DatabaseError, sqlite3.DatabaseError)
    from cvdesk.store import pg_driver

    return (DatabaseError, sqlite3.DatabaseError, pg_driver.Error)
