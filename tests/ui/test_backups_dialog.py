"""Fichier > Sauvegardes: a coordinator sees the backups with their counts and restores one."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.services.actions import delete_action
from cvdesk.store.models import Action
from cvdesk.ui.backups_dialog import BackupsDialog


def test_backup_now_then_restore_brings_back_deleted_actions(qtbot, demo_db, db_path, monkeypatch) -> None:
    dialog = BackupsDialog(db_path)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert dialog.table.rowCount() == 1
    assert [dialog.table.item(0, c).text() for c in (1, 3, 4, 5)] == ["manuelle", "40", "20", "14"]
    for action in list(Action.select())[:3]:
        delete_action(action.id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: None)
    restored = []
    dialog.on_restored = lambda: restored.append(True)
    dialog.table.selectRow(0)
    dialog.restore_selected()
    assert restored == [True]
    assert Action.select().where(Action.deleted == False).count() == 40  # noqa: E712
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 1).text() == "avant une restauration"
    assert dialog.table.item(0, 3).text() == "37"
