"""What the window says when a database cannot be opened safely: held by another cvdesk, or damaged with a backup."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QAbstractButton, QFileDialog, QMessageBox, QWidget

from cvdesk.domain.dates import format_moment
from cvdesk.store.backups import Backups, integrity_problem
from cvdesk.store.errors import DatabaseHeld, StoreError
from cvdesk.store.guarded_restore import held_by_another_program, restore_holding_the_lock
from cvdesk.store.location_risk import risky_location

QUIT = "Quitter"
OPEN_ANOTHER = "Ouvrir une autre base…"
RESTORE = "Restaurer la sauvegarde"


def held_box(message: str, parent: QWidget | None = None) -> tuple[QMessageBox, QAbstractButton]:
    """The message about a held database, not yet shown, and its « Ouvrir une autre base… » button; « Quitter » is
    the default (and Échap)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Base déjà ouverte")
    box.setText(message)
    quit_button = box.addButton(QUIT, QMessageBox.ButtonRole.RejectRole)
    other = box.addButton(OPEN_ANOTHER, QMessageBox.ButtonRole.ActionRole)
    box.setDefaultButton(quit_button)
    box.setEscapeButton(quit_button)
    return box, other


def ask_about_held(path: Path, message: str, parent: QWidget | None = None) -> Path | None:
    """Say that another cvdesk holds the database; offer only to quit or to open another base. The chosen base,
    or None to quit.

    Nothing here replaces the file: the other program is writing to it."""
    while True:
        box, other = held_box(message, parent)
        box.exec()
        if box.clickedButton() is not other:
            return None
        from cvdesk.ui.main_window import DB_FILTER

        name, _ = QFileDialog.getOpenFileName(parent, "Ouvrir une autre base", str(path.parent), DB_FILTER)
        if name:
            return Path(name)
        # The file dialog was cancelled: back to the message, so that the only ways out stay visible.


def is_damaged(path: Path) -> bool:
    """Whether the file itself is broken (empty, truncated, unreadable by SQLite, failing its quick check), as
    opposed to sound but refused (another program's file, a folder, a missing file)."""
    if not path.is_file():
        return False
    if path.stat().st_size == 0:
        return True
    return integrity_problem(path, full=False) is not None


def refused_box(message: str, backup_taken: str | None,
                parent: QWidget | None = None) -> tuple[QMessageBox, QAbstractButton | None]:
    """Why the database was refused, not yet shown, and its « Restaurer la sauvegarde » button when a backup (taken
    at backup_taken) is offered; « Quitter » is the default (and Échap)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Ouverture impossible")
    box.setText(message)
    restore = None
    if backup_taken is not None:
        box.setInformativeText(f"Restaurer la sauvegarde du {backup_taken} ? Le fichier actuel sera mis de côté, "
                               "pas effacé.")
        restore = box.addButton(RESTORE, QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton(QUIT, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(quit_button)
    box.setEscapeButton(quit_button)
    return box, restore


def offer_restore(path: Path, message: str, parent: QWidget | None = None) -> bool:
    """Show why the database was refused; if the file is damaged, no other program holds it and a good backup
    exists, offer that backup (never as the default button). True when it was restored.

    The refused file is never overwritten nor deleted: restoring sets it aside under a timestamped name, while this
    program holds the database's lock."""
    backups = Backups(path)
    good = None
    if is_damaged(path) and not held_by_another_program(path):
        good = backups.newest_good()
    box, restore = refused_box(message, format_moment(good.taken_at, " à ") if good is not None else None, parent)
    box.exec()
    if restore is None or box.clickedButton() is not restore:
        return False
    try:
        # Checked again under the lock: another cvdesk may have opened the file while the question was shown.
        restore_holding_the_lock(path, good.path)
    except DatabaseHeld as exc:
        QMessageBox.warning(parent, "Restauration refusée", str(exc))
        return False
    except StoreError as exc:
        QMessageBox.critical(parent, "Restauration impossible", str(exc))
        return False
    return True


def warn_if_risky(path: Path, parent: QWidget | None = None) -> str | None:
    """Warn once at opening when the database is read-only, or sits on a network share or in a synchronised
    folder."""
    from cvdesk.store.database import is_read_only, read_only_notice

    if is_read_only():
        warning = read_only_notice(path)
        QMessageBox.information(parent, "Base en lecture seule", warning)
        return warning
    warning = risky_location(path)
    if warning:
        QMessageBox.warning(parent, "Emplacement risqué", warning)
    return warning
