"""Putting a backup in a database's place only while this program holds its lock, so no running cvdesk loses its file."""
from __future__ import annotations

from pathlib import Path

from cvdesk.store.backups import Backups
from cvdesk.store.errors import DatabaseHeld, StoreError, describe_os_error
from cvdesk.store.lock import acquire


def held_by_another_program(db_path: Path) -> bool:
    """Whether another cvdesk has the database open now (call it with the database closed in this program)."""
    try:
        held = acquire(db_path)
    except DatabaseHeld:
        return True
    except (OSError, StoreError):
        # No lock can be taken there (read-only folder, planted link): restoring would be refused anyway.
        return False
    held.release()
    return False


def restore_holding_the_lock(db_path: Path, backup: Path) -> Path | None:
    """Restore backup over db_path (closed in this program), refusing while another program holds the database.

    The lock stays taken for the whole replacement, so no other cvdesk can open the file half-way. Returns where
    the previous state went, as Backups.restore does."""
    try:
        held = acquire(db_path)
    except DatabaseHeld as exc:
        reason = str(exc)
        raise DatabaseHeld(f"Restauration refusée, rien n'a changé : {reason[:1].lower()}{reason[1:]}") from None
    except OSError as exc:
        raise StoreError(f"Restauration refusée, rien n'a changé : le verrou de la base {db_path} n'a pas pu être "
                         f"pris ({describe_os_error(exc)}).") from exc
    try:
        return Backups(db_path).restore(backup)
    finally:
        held.release()
