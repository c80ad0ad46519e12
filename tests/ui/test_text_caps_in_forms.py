"""A coordinator pastes a whole report into a quartier's notes: the form says at once that the field holds 20,000
characters at most, the save is refused, and once the text is shortened it saves whole."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication

from cvdesk.store.models import db

CTRL = Qt.KeyboardModifier.ControlModifier
TOO_LONG = ("Le champ « Notes » accepte au plus 20\u00a0000 caractères ; il en contient 20\u00a0001.")


def stored_notes(quartier_id: int) -> str:
    return db.execute_sql("SELECT notes FROM quartier WHERE id = ?", (quartier_id,)).fetchone()[0]


def test_notes_past_the_cap_are_flagged_as_typed_and_refused_then_saved_at_the_cap(window, qtbot) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    tab.view.selectRow(0)
    quartier_id = tab.current_record_id()
    before = stored_notes(quartier_id)
    history_rows = db.execute_sql("SELECT count(*) FROM history").fetchone()[0]
    row = tab.form.rows["notes"]

    tab.notes_edit.clear()
    QApplication.clipboard().setText("r" * 20_000)
    qtbot.keyClick(tab.notes_edit, Qt.Key.Key_V, CTRL)
    assert row.error.isHidden()
    qtbot.keyClicks(tab.notes_edit, "!")
    assert row.error.isVisible() and row.error.text() == TOO_LONG

    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert stored_notes(quartier_id) == before
    assert db.execute_sql("SELECT count(*) FROM history").fetchone()[0] == history_rows
    assert row.error.text() == TOO_LONG  # the save says the same, under the same field

    tab.notes_edit.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClick(tab.notes_edit, Qt.Key.Key_Backspace)
    assert row.error.isHidden()
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert stored_notes(quartier_id) == "r" * 20_000


def test_a_name_longer_than_its_column_is_flagged_and_not_cut(window, qtbot) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    tab.view.selectRow(0)
    tab.name_edit.clear()
    QApplication.clipboard().setText("Association " + "n" * 250)
    qtbot.keyClick(tab.name_edit, Qt.Key.Key_V, CTRL)
    assert len(tab.name_edit.text()) == 262  # nothing is silently cut
    assert tab.form.rows["name"].error.text() == ("Le champ « Nom » accepte au plus 255 caractères ; "
                                                  "il en contient 262.")
