"""What the window says when a database cannot be opened safely, and the newest good backup it offers."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from cvdesk.store.backups import Backups
from cvdesk.store.location_risk import risky_location


def offer_restore(path: Path, message: str, parent: QWidget | None = None) -> bool:
    """Show why the database was refused; if a good backup exists, offer it. True when it was restored.

    The refused file is never overwritten nor deleted: restoring sets it aside under a timestamped name."""
    backups = Backups(path)
    good = backups.newest_good() if path.exists() else None
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Ouverture impossible")
    box.setText(message)
    restore = None
    if good is not None:
        when = good.taken_at.astimezone().strftime("%d/%m/%Y à %H:%M")
        box.setInformativeText(f"Restaurer la sauvegarde du {when} ? Le fichier actuel sera mis de côté, pas effacé.")
        restore = box.addButton("Restaurer la sauvegarde", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quitter", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    if restore is None or box.clickedButton() is not restore:
        return False
    backups.restore(good.path)
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
