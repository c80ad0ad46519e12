"""On headquarters' PostgreSQL base, Fichier opened before the window's first paint (a slow machine) already shows the
file's backup entries greyed: they are greyed at the first paint or at the menu's first opening, whichever comes first."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint
from PySide6.QtWidgets import QApplication

from cvdesk.store.database import opened_database
from cvdesk.ui import app
from cvdesk.ui.main_window import MainWindow

pytestmark = pytest.mark.postgresql


def test_fichier_opened_before_the_first_paint_shows_the_backup_entries_greyed(pg_url: str,
                                                                               qapp: QApplication) -> None:
    with opened_database(pg_url, models=False):
        window = MainWindow(pg_url)  # built, never shown: no first paint will come
        try:
            app._without_file_backups_soon(window)
            menu = window.file_menu
            menu.popup(QPoint(0, 0))  # Aïcha opens Fichier at once
            entries = {action.text(): action.isEnabled() for action in (window.backups_action,
                                                                        window.save_copy_action)}
            menu.close()
        finally:
            window.close()
            window.deleteLater()
            qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert entries == {"&Sauvegardes…": False, "&Enregistrer une copie…": False}
