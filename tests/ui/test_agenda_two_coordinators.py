"""Two coordinators on the same comité: the decision dialog and the agenda's buttons refuse a change made from an
agenda read before the other's, with the forms' French sentence, and never write over what the other recorded."""
from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.services.meetings import add_items, agenda, record_decision, save_meeting
from tests.ui.test_two_coordinators import on_another_computer, shared_window, sql  # noqa: F401 (fixtures)

pytestmark = pytest.mark.both_engines

ALT = Qt.KeyboardModifier.AltModifier
LEFT = Qt.MouseButton.LeftButton
REFERENCES = ("2015-VM-006", "2015-VM-024", "2015-VM-031")


@pytest.fixture
def comite(shared_window, sql, qtbot):  # noqa: F811 (fixtures)
    """A comité with three actions on its agenda, shown in the Réunions tab."""
    result = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21), "title": "Seconde vague"})
    assert result.ok, result.errors
    ids = [sql('SELECT id FROM "action" WHERE reference = ?', (r,))[0][0] for r in REFERENCES]
    assert add_items(result.record.id, ids).ok
    qtbot.waitUntil(shared_window.isActiveWindow)  # the shortcut reaches an active window only
    qtbot.keyClick(shared_window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)  # « Réunions »
    tab = shared_window.current_tab()
    assert tab.kind == "meeting"
    tab.refresh()
    tab.go_to(result.record.id)
    assert [row.reference for row in tab.agenda.rows] == list(REFERENCES)
    return tab


def item_id(sql, meeting_id: int, reference: str) -> int:  # noqa: F811
    return sql('SELECT mi.id FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id '
               "WHERE mi.meeting_id = ? AND a.reference = ?", (meeting_id, reference))[0][0]


def test_a_decision_recorded_by_another_meanwhile_is_not_overwritten(comite, sql, qtbot) -> None:  # noqa: F811
    tab, meeting_id = comite, comite.record_id
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(1)
    qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Return)  # Entrée opens the item's decision
    editor = tab.editor
    assert editor is not None and "2015-VM-024" in editor.windowTitle()
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor, Qt.Key.Key_A, ALT)  # « Accordée »
    qtbot.waitUntil(editor.buttons["accordee"].isChecked)

    # Meanwhile, the other coordinator refuses it from their own screen.
    theirs = item_id(sql, meeting_id, "2015-VM-024")
    on_another_computer(lambda: record_decision(theirs, "refusee", None, "Hors cadre"))

    qtbot.keyClick(editor, Qt.Key.Key_Return)  # « Enregistrer la décision »
    said = editor.error_label.text()
    (user,), = sql("SELECT os_user FROM history WHERE record_uuid = (SELECT uuid FROM meeting_item WHERE id = ?) "
                   "ORDER BY id DESC LIMIT 1", (theirs,))
    assert tab.editor is editor and editor.isVisible() and editor.error_label.isVisible()
    assert said.startswith(f"Cette fiche a été modifiée par {user}") and "depuis que vous l'avez ouverte." in said
    assert "Décision enregistrée maintenant : Refusée (note : Hors cadre)" in said
    assert sql("SELECT outcome, notes FROM meeting_item WHERE id = ?", (theirs,)) == [("refusee", "Hors cadre")]

    # Told, the coordinator keeps their choice: the second press replaces the other's decision, knowingly.
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert tab.editor is None
    assert sql("SELECT outcome FROM meeting_item WHERE id = ?", (theirs,)) == [("accordee",)]
    assert tab.agenda.rows[1].decision_text == "Accordée"


def test_a_move_from_an_agenda_changed_meanwhile_is_refused_and_shows_the_stored_order(
        comite, sql, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    tab, meeting_id = comite, comite.record_id
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a, **_k: shown.append(text))
    tab.agenda.table.selectRow(2)  # 2015-VM-031, last on my screen
    last = item_id(sql, meeting_id, "2015-VM-031")
    on_another_computer(lambda: record_decision(last, "ajournee", None, "Dossier incomplet"))

    qtbot.mouseClick(tab.agenda.up_button, LEFT)  # « Monter »
    assert len(shown) == 1 and shown[0].startswith("Cette fiche a été modifiée par ")
    assert "L'ordre du jour est maintenant affiché tel qu'il est enregistré" in shown[0]
    assert [r[0] for r in sql('SELECT a.reference FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id '
                              "WHERE mi.meeting_id = ? AND mi.deleted = 0 ORDER BY mi.position", (meeting_id,))] \
        == list(REFERENCES)
    # The panel now shows the other's decision, and the move made from it goes through.
    assert tab.agenda.rows[2].decision_text == "Ajournée"
    tab.agenda.table.selectRow(2)
    qtbot.mouseClick(tab.agenda.up_button, LEFT)
    assert len(shown) == 1
    assert [row.reference for row in agenda(meeting_id)] == ["2015-VM-006", "2015-VM-031", "2015-VM-024"]
