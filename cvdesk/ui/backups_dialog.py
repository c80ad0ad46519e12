"""Fichier > Sauvegardes: the verified backups of the open database, with date, size and counts, and restoring one."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QMainWindow, QMessageBox,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from cvdesk.domain.dates import format_moment
from cvdesk.store.backups import REASONS, Backups, BackupInfo
from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError
from cvdesk.store.guarded_restore import restore_holding_the_lock
from cvdesk.ui.screen_fit import fit_to_screen

COLUMNS = ("Date", "Motif", "Taille", "Actions", "Associations", "Quartiers")


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} Mo".replace(".", ",") if n >= 1_048_576 else f"{max(1, n // 1024)} ko"


class BackupsDialog(QDialog):
    """Lists the backups newest first; "Sauvegarder maintenant" and "Restaurer…" act on the open database."""

    def __init__(self, db_path: Path, on_restored: Callable[[], None] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sauvegardes")
        self.db_path = db_path
        self.backups = Backups(db_path)
        self.on_restored = on_restored
        self.infos: list[BackupInfo] = []
        intro = QLabel(f"Sauvegardes vérifiées de {db_path.name}, conservées dans {self.backups.folder} "
                       "(7 quotidiennes, 4 hebdomadaires, 12 mensuelles).")
        intro.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Liste des sauvegardes")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.backup_button = QPushButton("&Sauvegarder maintenant")
        self.restore_button = QPushButton("&Restaurer…")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        buttons.addButton(self.backup_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(760, 380))
        self.reload()

    def reload(self) -> None:
        self.infos = self.backups.list()
        self.table.setRowCount(len(self.infos))
        for row, info in enumerate(self.infos):
            counts = info.counts()
            values = (format_moment(info.taken_at), REASONS.get(info.reason, info.reason),
                      _size(info.size), str(counts.get("actions", "—")), str(counts.get("associations", "—")),
                      str(counts.get("quartiers", "—")))
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                if column >= 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        if self.infos:
            self.table.selectRow(0)
        self.restore_button.setEnabled(bool(self.infos))

    def backup_now(self) -> None:
        try:
            self.backups.take("manuelle")
        except StoreError as exc:
            QMessageBox.warning(self, "Sauvegarde impossible", str(exc))
        self.reload()

    def restore_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        info = self.infos[rows[0].row()]
        when = format_moment(info.taken_at, " à ")
        answer = QMessageBox.question(
            self, "Restaurer une sauvegarde",
            f"Remplacer la base par la sauvegarde du {when} ? L'état actuel sera d'abord sauvegardé.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            restore_backup(self.db_path, info.path)
        except StoreError as exc:
            QMessageBox.critical(self, "Restauration impossible", str(exc))
            return
        QMessageBox.information(self, "Restauration", f"La sauvegarde du {when} a été restaurée.")
        if self.on_restored:
            self.on_restored()
        self.reload()


def restore_backup(db_path: Path, backup: Path) -> Path | None:
    """Close the database, put the backup in its place (the current state backed up first) and reopen it.

    Refused (StoreError, nothing changed) while another program holds the database: the lock is taken again after
    this window lets go of it and kept during the replacement."""
    from cvdesk.store.database import is_read_only

    if is_read_only():
        raise StoreError(f"Restauration refusée, rien n'a changé : la base {db_path} est ouverte en lecture seule.")
    close_database()
    try:
        restored = restore_holding_the_lock(db_path, backup)
    except StoreError:
        try:
            open_database(db_path)
        except StoreError:
            pass  # the refusal above is what the user must read
        raise
    open_database(db_path)
    return restored


def install_backup_actions(window: QMainWindow) -> None:
    """Fichier > Sauvegardes…, before Quitter."""
    from PySide6.QtGui import QAction

    action = QAction("&Sauvegardes…", window)
    action.setStatusTip("Lister les sauvegardes vérifiées de la base, en faire une, en restaurer une")

    def show() -> None:
        BackupsDialog(window.db_path, on_restored=window.refresh_all, parent=window).exec()

    action.triggered.connect(lambda _checked=False: show())
    window.file_menu.insertAction(window.quit_action, action)
    window.file_menu.insertSeparator(window.quit_action)
    window.backups_action = action
