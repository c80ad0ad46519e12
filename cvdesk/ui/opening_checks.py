"""Checks run in the background once the window shows: SQLite's integrity check and the daily verified backup."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox

from cvdesk.store.backups import Backups
from cvdesk.store.database import (
    is_read_only,
    keep_full_check_pending,
    previous_exit_was_unclean,
    verify_integrity,
)
from cvdesk.exchange.errors import Cancelled
from cvdesk.store.errors import CheckInterrupted, StoreError
from cvdesk.ui.open_problems import warn_if_risky
from cvdesk.ui.operations import Operation


class OpeningChecks(QObject):
    """quick_check (the full check after an unclean exit), then the day's backup when one is due.

    Both read the file through their own SQLite connections, on an Operation's thread: the window stays usable
    meanwhile, and waits for them when it closes."""

    problem = Signal(str)
    backed_up = Signal(str)

    def __init__(self, path: Path, full: bool, parent: QMainWindow | None = None, backup: bool = True) -> None:
        super().__init__()
        self.path = path
        self.full = full
        self.backup = backup
        # Cancellable without a button: a window closing mid-check stops SQLite instead of waiting for it.
        self.operation = Operation(parent, self._check, title="Vérification de la base", show_progress=False,
                                   on_success=self._checked, on_failure=self.problem.emit, cancellable=True)

    def _check(self, _progress, cancelled) -> str | None:
        try:
            verify_integrity(self.path, full=self.full, stop=cancelled)
            backups = Backups(self.path)
            if self.backup and not cancelled() and backups.due_at_open():
                return str(backups.take("ouverture"))
        except CheckInterrupted:
            if self.full:
                keep_full_check_pending()
            raise Cancelled() from None
        except StoreError:
            raise
        except Exception as exc:  # whatever broke, the user is told about this base in one sentence
            raise StoreError(f"La vérification de la base {self.path} à l'ouverture a échoué ({exc}).") from exc
        return None

    def _checked(self, where: str | None) -> None:
        if where is not None:
            self.backed_up.emit(where)

    def start(self) -> None:
        self.operation.start()

    def isFinished(self) -> bool:  # noqa: N802 (the name QThread gave it, which callers know)
        return self.operation.outcome is not None

    def wait(self, ms: int = 30_000) -> bool:
        return self.operation.wait(ms)


def start_opening_checks(window: QMainWindow) -> OpeningChecks:
    """Warn about a risky place now, then check and back up in the background; a damaged file is reported."""
    path = Path(window.db_path)
    warn_if_risky(path, window)
    # A read-only base cannot change, and its folder takes no backup.
    checks = OpeningChecks(path, previous_exit_was_unclean(), window, backup=not is_read_only())

    def report(message: str) -> None:
        from cvdesk.ui.backups_dialog import BackupsDialog

        QMessageBox.critical(window, "Base endommagée",
                             message + " N'enregistrez plus rien : restaurez une sauvegarde (Fichier > Sauvegardes).")
        BackupsDialog(path, on_restored=window.refresh_all, parent=window).exec()

    checks.problem.connect(report)
    checks.backed_up.connect(lambda where: window.statusBar().showMessage(f"Sauvegarde du jour vérifiée : {where}", 8000))
    checks.start()
    window.opening_checks = checks
    return checks
