"""On headquarters' PostgreSQL base the file's backup entries are greyed: the mouse resting on one says where the
backups are made instead (a greyed entry cannot be highlighted, so its status tip alone was never seen)."""
from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QEvent, QPoint, QTimer
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from cvdesk.ui.app import run_window

pytestmark = pytest.mark.postgresql


def test_the_greyed_backup_entries_say_where_backups_are_made(pg_url: str, qapp: QApplication) -> None:
    """Aïcha opens the headquarters' base and, in Fichier, rests the mouse on the greyed « Sauvegardes… » and
    « Enregistrer une copie… »: a bubble tells her that the server keeps the backups (cvdesk backup, pg_dump)."""
    seen: dict[str, Any] = {}

    def rest_the_mouse_on(menu, action) -> str:
        where = menu.actionGeometry(action).center()
        QApplication.sendEvent(menu, QHelpEvent(QEvent.Type.ToolTip, where, menu.mapToGlobal(where)))
        shown = QToolTip.text() if QToolTip.isVisible() else ""
        QToolTip.hideText()
        return shown

    def look() -> None:
        for widget in qapp.topLevelWidgets():
            if widget.isVisible() and hasattr(widget, "path_label"):
                menu = widget.file_menu
                menu.popup(widget.mapToGlobal(QPoint(0, 0)))
                seen["entries"] = {action.text(): (action.isEnabled(), rest_the_mouse_on(menu, action))
                                   for action in (widget.backups_action, widget.save_copy_action)}
                menu.close()
        qapp.closeAllWindows()

    before = set(qapp.topLevelWidgets())
    QTimer.singleShot(1500, look)
    assert run_window(pg_url) == 0
    for widget in qapp.topLevelWidgets():
        if widget not in before:
            widget.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete)

    hint = ("Sur une base PostgreSQL, les sauvegardes se font sur le serveur : commande « cvdesk backup » (pg_dump) "
            "ou sauvegardes de l'administrateur.")
    assert seen["entries"] == {"&Sauvegardes…": (False, hint), "&Enregistrer une copie…": (False, hint)}
