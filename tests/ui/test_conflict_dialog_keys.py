"""The compare dialog by the keyboard alone: Échap and Entrée go back to the form (nothing saved, the typing kept),
Alt+G keeps one's values; no key chooses a side unasked."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from cvdesk.ui.conflict_dialog import ConflictDialog
from tests.ui.test_two_coordinators import first_association, shared_window, sql, the_other_coordinator_saves

pytestmark = pytest.mark.both_engines
__all__ = ["shared_window", "sql"]  # the fixtures of the two coordinators' story, used here as they are


def press_in_the_dialog(key: Qt.Key, seen: list, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
                        ) -> None:
    """Once the compare dialog is up, note its buttons (text, default) and press key where its focus is; a dialog
    the key left open is noted and closed by its « Annuler », so that the story goes on to say so."""
    def press() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog):
            QTimer.singleShot(20, press)
            return
        seen.append([(button.text(), button.isDefault())
                     for button in (dialog.keep_button, dialog.take_button, dialog.cancel_button)])
        # The dialog made active as it is on a desktop (the offscreen platform may leave the window active under it).
        dialog.activateWindow()
        QApplication.processEvents()
        QTest.keyClick(dialog.focusWidget() or dialog, key, modifier)
        QTest.qWait(300)  # a button's Alt letter clicks it after a short animation
        if dialog.isVisible():
            seen.append("toujours ouverte")
            dialog.cancel_button.click()

    QTimer.singleShot(0, press)


def test_the_keyboard_goes_back_safely_or_keeps_my_values(shared_window, sql, qtbot, type_text) -> None:
    """Aïcha works without a mouse. Her save meets Bruno's: Échap, then Entrée, take her back to her form with her
    phone number still typed and Bruno's name in the base; then Alt+G saves her values knowingly."""
    tab, record_id, name, phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 88 88 88")
    the_other_coordinator_saves(record_id, {"name": name + " (Bruno)", "phone": phone})

    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        seen: list = []
        press_in_the_dialog(key, seen)
        assert tab.save() is False
        assert seen == [[("&Garder mes valeurs", False), ("&Reprendre les leurs", False), ("Annuler", True)]]
        assert tab.is_dirty() and tab.phone_edit.text() == "03 27 88 88 88"
        assert sql("SELECT name, phone FROM association WHERE id = ?", (record_id,)) == [(name + " (Bruno)", phone)]

    seen = []
    press_in_the_dialog(Qt.Key.Key_G, seen, Qt.KeyboardModifier.AltModifier)
    assert tab.save() is True
    assert "toujours ouverte" not in seen
    assert sql("SELECT name, phone FROM association WHERE id = ?", (record_id,)) == [(name, "03 27 88 88 88")]
