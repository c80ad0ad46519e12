"""A coordinator opens the demo's closed comité de pilotage: its form cannot be typed into (reopen it first), while
the open comité technique can; and the dialogs the agenda opens (the picker, a decision) leave nothing behind once
they are closed with Échap, however often they are opened."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from cvdesk.store.models import db
from cvdesk.ui.agenda_picker import AgendaPicker
from cvdesk.ui.decision_editor import DecisionEditor

CTRL = Qt.KeyboardModifier.ControlModifier


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def meetings_tab(window, qtbot):
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_5, CTRL)
    tab = window.current_tab()
    assert tab.kind == "meeting"
    return tab


def _fields(tab) -> list:
    return [tab.kind_combo, tab.date_edit, tab.title_edit, tab.place_edit, tab.attendees_edit, tab.notes_edit]


def _writable(widget) -> bool:
    return widget.isEnabled() and not (hasattr(widget, "isReadOnly") and widget.isReadOnly())


def test_the_closed_comite_is_shown_locked_and_the_open_one_editable(window, qtbot, type_text) -> None:
    tab = meetings_tab(window, qtbot)
    [(closed_id, closed_date)] = rows("SELECT id, date FROM meeting WHERE status = 'closed' AND deleted = 0")
    [(open_id,)] = rows("SELECT id FROM meeting WHERE status = 'open' AND deleted = 0")
    tab.go_to(closed_id)
    assert not any(_writable(field) for field in _fields(tab))
    type_text(tab.place_edit, "Mairie")
    assert not tab.is_dirty()
    assert rows("SELECT date, place FROM meeting WHERE id = ?", closed_id)[0][0] == closed_date
    tab.go_to(open_id)
    assert all(_writable(field) for field in _fields(tab))
    tab.go_to(closed_id)
    assert not any(_writable(field) for field in _fields(tab))
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)  # a new meeting is typed into
    assert all(_writable(field) for field in _fields(tab))


def _left(kind: type) -> list:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return [dialog for dialog in QApplication.allWidgets() if isinstance(dialog, kind)]


def test_the_picker_and_the_decision_closed_with_escape_are_not_left_behind(window, qtbot) -> None:
    tab = meetings_tab(window, qtbot)
    [(open_id,)] = rows("SELECT id FROM meeting WHERE status = 'open' AND deleted = 0")
    tab.go_to(open_id)
    for _ in range(3):
        tab.pick_actions()
        picker = tab.picker
        qtbot.waitUntil(picker.isActiveWindow)
        qtbot.keyClick(picker, Qt.Key.Key_Escape)
        assert not picker.isVisible()
        tab.agenda.table.setFocus()
        tab.agenda.table.selectRow(0)
        qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Return)
        editor = tab.editor
        qtbot.waitUntil(editor.isActiveWindow)
        qtbot.keyClick(editor, Qt.Key.Key_Escape)
        assert not editor.isVisible()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)
    assert _left(AgendaPicker) == [] and _left(DecisionEditor) == []


def test_entree_and_suppr_on_a_closed_comite_say_why_nothing_changes(window, qtbot) -> None:
    tab = meetings_tab(window, qtbot)
    [(closed_id,)] = rows("SELECT id FROM meeting WHERE status = 'closed' AND deleted = 0")
    items = rows("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND deleted = 0", closed_id)
    tab.go_to(closed_id)
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(0)
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Delete):
        window.statusBar().clearMessage()
        qtbot.keyClick(tab.agenda.table, key)
        assert tab.editor is None
        assert "close" in window.statusBar().currentMessage() and "rouvrez-la" in window.statusBar().currentMessage()
    assert rows("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND deleted = 0", closed_id) == items


def test_the_meetings_list_shows_which_are_closed_on_a_laptop(window, qtbot) -> None:
    tab = meetings_tab(window, qtbot)
    header = tab.view.horizontalHeader()
    keys = [column.key for column in tab.model.columns]
    for key in ("date", "kind", "status", "items"):
        column = keys.index(key)
        assert 0 <= header.sectionViewportPosition(column)
        assert header.sectionViewportPosition(column) + header.sectionSize(column) <= tab.view.viewport().width(), key
    [(closed_id,)] = rows("SELECT id FROM meeting WHERE status = 'closed' AND deleted = 0")
    assert tab.model.index(tab.model.row_of(closed_id), keys.index("status")).data() == "Close"


def test_an_action_being_typed_is_saved_before_the_comite_closes_over_it(window, qtbot, type_text, answer) -> None:
    """The coordinator is typing in the form of an action (not saved yet), goes to the Réunions tab and closes the
    comité that grants it: the typing is asked about first, so that saving it later cannot write the form's old
    undecided plan over the grant."""
    from datetime import date

    from PySide6.QtWidgets import QMessageBox

    from cvdesk.services.meetings import add_items, agenda, record_decision, save_meeting

    [(action, title)] = rows("SELECT id, title FROM \"action\" WHERE reference = '2015-VM-031'")
    meeting = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21)}).record.id
    assert add_items(meeting, [action]).ok
    assert record_decision(agenda(meeting)[0].item_id, "accordee").ok
    window.open_record("action", action)
    actions = window.actions_tab
    actions.title_edit.end(False)
    type_text(actions.title_edit, " (soirées)")
    assert actions.is_dirty()
    window.open_record("meeting", meeting)
    tab = window.current_tab()

    asked = answer(QMessageBox.StandardButton.Save, QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.agenda.close_button, Qt.MouseButton.LeftButton)

    assert "ne sont pas enregistrées" in asked[0] and "Clore" in asked[1]
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("closed",)]
    # The typing saved, and the grant written by the closing over it, line by line as requested (SQL).
    assert rows('SELECT status, title FROM "action" WHERE id = ?', action) == [("accordee", f"{title} (soirées)")]
    assert rows("SELECT count(*) FROM funding WHERE action_id = ? AND deleted = 0 AND (granted IS NOT requested "
                "OR decision_date IS NOT '2015-05-21')", action) == [(0,)]
    [(granted,)] = rows('SELECT granted_total FROM "action" WHERE id = ?', action)
    # Back in the Actions tab, saving again writes nothing old over it.
    window.tabs.setCurrentWidget(actions)
    assert not actions.is_dirty()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert rows('SELECT status, granted_total FROM "action" WHERE id = ?', action) == [("accordee", granted)]


def test_cancelling_the_question_about_an_action_being_typed_closes_nothing(window, qtbot, type_text,
                                                                          answer) -> None:
    from datetime import date

    from PySide6.QtWidgets import QMessageBox

    from cvdesk.services.meetings import add_items, agenda, record_decision, save_meeting

    [(action,)] = rows("SELECT id FROM \"action\" WHERE reference = '2015-VM-031'")
    meeting = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21)}).record.id
    assert add_items(meeting, [action]).ok
    assert record_decision(agenda(meeting)[0].item_id, "accordee").ok
    window.open_record("action", action)
    type_text(window.actions_tab.title_edit, " (soirées)")
    window.open_record("meeting", meeting)
    tab = window.current_tab()
    before = rows('SELECT status, granted_total, title FROM "action" WHERE id = ?', action)

    answer(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(tab.agenda.close_button, Qt.MouseButton.LeftButton)

    assert rows("SELECT status FROM meeting WHERE id = ?", meeting) == [("open",)]
    assert rows('SELECT status, granted_total, title FROM "action" WHERE id = ?', action) == before
    assert window.actions_tab.is_dirty()
