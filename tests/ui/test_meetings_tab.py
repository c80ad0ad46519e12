"""A coordinator prepares a comité from the « Réunions » tab: creates it, picks the actions waiting for it, records
four decisions (one of each kind), closes it and sees the actions' status and financing plan change in the Actions
tab and the dashboard; reopens it and sees them restored. Expected figures come from SQL written here."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.store.models import db

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier
LEFT = Qt.MouseButton.LeftButton
YES = QMessageBox.StandardButton.Yes
MNEMONICS = {"accordee": Qt.Key.Key_A, "accordee_partiellement": Qt.Key.Key_P, "ajournee": Qt.Key.Key_J,
             "refusee": Qt.Key.Key_R}


def rows(sql: str, *params: object) -> list[tuple]:
    return list(db.execute_sql(sql, params))


def plan_state() -> list[tuple]:
    return rows('SELECT id, status, requested_total, granted_total FROM "action" ORDER BY id') + rows(
        "SELECT id, granted, decision_date FROM funding ORDER BY id")


def meetings_tab(window, qtbot):
    qtbot.waitUntil(window.isActiveWindow)  # the shortcut reaches an active window only
    qtbot.keyClick(window, Qt.Key.Key_5, CTRL)
    tab = window.current_tab()
    assert tab.kind == "meeting" and window.tabs.tabText(window.tabs.currentIndex()) == "Ré&unions"
    return tab


def create_comite(window, tab, qtbot, type_text) -> int:
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    assert QApplication.focusWidget() is tab.kind_combo
    tab.kind_combo.set_value("comite_attribution")
    type_text(tab.date_edit, "21/05/2015")
    type_text(tab.title_edit, "Programmation 2015, seconde vague")
    type_text(tab.place_edit, "Valenciennes Métropole, salle du conseil")
    type_text(tab.attendees_edit, "Délégué du préfet ; Région ; CAF")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    [(meeting_id, kind, day, status)] = rows("SELECT id, kind, date, status FROM meeting WHERE title = ?",
                                             "Programmation 2015, seconde vague")
    assert (kind, day, status) == ("comite_attribution", "2015-05-21", "open")
    assert tab.record_id == meeting_id
    return meeting_id


def pick_waiting_actions(tab, qtbot) -> list[str]:
    """The picker opens on the newest year's actions « en instruction »; all of them go on the agenda."""
    qtbot.mouseClick(tab.agenda.add_button, LEFT)
    picker = tab.picker
    assert picker is not None and picker.isVisible()
    expected = rows("""SELECT id, reference FROM "action" WHERE deleted = 0 AND status = 'en_instruction'
                       AND year = (SELECT max(year) FROM "action" WHERE deleted = 0) ORDER BY reference""")
    assert picker.action_ids() == [action_id for action_id, _ref in expected]
    assert not picker.ok_button.isEnabled()  # nothing ticked yet
    qtbot.mouseClick(picker.all_button, LEFT)
    qtbot.mouseClick(picker.ok_button, LEFT)
    assert tab.picker is None
    return [reference for _id, reference in expected]


def decide(tab, qtbot, type_text, reference: str, outcome: str, amounts: dict[str, str] | None = None,
           note: str = "") -> None:
    index = [row.reference for row in tab.agenda.rows].index(reference)
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(index)
    qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Return)  # Entrée opens the item's decision
    editor = tab.editor
    assert editor is not None and editor.isVisible() and reference in editor.windowTitle()
    qtbot.waitUntil(editor.isActiveWindow)  # its Alt letters reach it once it is the active window
    qtbot.keyClick(editor, MNEMONICS[outcome], ALT)  # the choice by its Alt letter
    qtbot.waitUntil(editor.buttons[outcome].isChecked)  # a mnemonic clicks with a short animation
    for line in editor.lines:
        edit = editor.amount_edits[line.funder_id]
        assert edit.isEnabled() == (amounts is not None)
        if amounts is not None:
            edit.selectAll()
            type_text(edit, amounts[line.funder])
    type_text(editor.note_edit, note)
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the default button: « Enregistrer la décision »
    assert tab.editor is None, editor.error_label.text()


def actions_tab_shows(window, reference: str) -> tuple[str, str, str]:
    """What the Actions tab shows of an action: its status in the list and the plan's granted total in the form."""
    action_id = rows('SELECT id FROM "action" WHERE reference = ?', reference)[0][0]
    window.open_record("action", action_id)
    tab = window.actions_tab
    assert window.current_tab() is tab
    row = tab.model.row_of(action_id)
    status_column = [c.key for c in tab.model.columns].index("status")
    granted_column = [c.key for c in tab.model.columns].index("granted")
    return (tab.model.index(row, status_column).data(), tab.model.index(row, granted_column).data(),
            tab.plan_editor.total_text("granted"))


def dashboard_statuses(window, qtbot) -> dict[str, int]:
    """The dashboard's counts by status (Ctrl+0), for the year of the demo's actions."""
    window.activateWindow()  # back from a dialog (the offscreen platform has no window manager to do it)
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_0, CTRL)
    assert window.current_tab().kind == "dashboard"
    board = window.current_tab().dashboard
    [(year,)] = rows('SELECT DISTINCT year FROM "action" WHERE deleted = 0')
    assert board.year == year
    return {selection.key: selection.count for selection in board.statuses}


def statuses_in_sql() -> dict[str, int]:
    return {f"status:{code}": n for code, n in rows('SELECT status, count(*) FROM "action" WHERE deleted = 0 '
                                                    "GROUP BY status")}


def test_a_comite_is_prepared_decided_closed_and_reopened(window, qtbot, type_text, answer) -> None:
    counts_before = dashboard_statuses(window, qtbot)
    assert counts_before == statuses_in_sql()
    tab = meetings_tab(window, qtbot)
    meeting_id = create_comite(window, tab, qtbot, type_text)
    references = pick_waiting_actions(tab, qtbot)
    assert len(references) >= 4
    assert [row.reference for row in tab.agenda.rows] == references
    assert rows("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND deleted = 0", meeting_id) == [
        (len(references),)]
    granted, partial, adjourned, refused = references[:4]
    before = plan_state()
    shown_before = {ref: actions_tab_shows(window, ref) for ref in (granted, partial, adjourned, refused)}
    window.tabs.setCurrentWidget(tab)

    # A partial grant: each funder gives 1 000 € less than asked (by hand from the plan in SQL).
    partial_lines = rows("""SELECT fu.name, f.requested FROM funding f JOIN funder fu ON fu.id = f.funder_id
                            JOIN "action" a ON a.id = f.action_id WHERE a.reference = ? AND f.deleted = 0""", partial)
    amounts = {name: format_money(requested - 100_000) for name, requested in partial_lines}
    decide(tab, qtbot, type_text, granted, "accordee", note="Avis favorable unanime.")
    decide(tab, qtbot, type_text, partial, "accordee_partiellement", amounts, "Réduit de 1 000 € par financeur.")
    decide(tab, qtbot, type_text, adjourned, "ajournee", note="Revoir le budget.")
    decide(tab, qtbot, type_text, refused, "refusee", note="Hors des priorités du contrat.")
    decisions = {row.reference: row.decision_text for row in tab.agenda.rows}
    assert [decisions[r] for r in (granted, partial, adjourned, refused)] == [
        "Accordée", "Accordée partiellement", "Ajournée", "Refusée"]
    assert plan_state() == before  # recorded, not applied yet

    asked = answer(YES)
    qtbot.mouseClick(tab.agenda.close_button, LEFT)
    assert asked and "4 décisions" in asked[0]
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting_id) == [("closed",)]
    assert tab.agenda.reopen_button.isVisible() and not tab.agenda.add_button.isEnabled()
    assert tab.model.index(tab.model.row_of(meeting_id), 5).data() == "Close"

    # The Actions tab: statuses and granted amounts as SQL now holds them, and as the decisions say.
    expected_granted = {
        granted: rows('SELECT requested_total FROM "action" WHERE reference = ?', granted)[0][0],
        partial: sum(requested - 100_000 for _name, requested in partial_lines),
        refused: 0,
    }
    for reference, status in ((granted, "accordee"), (partial, "accordee"), (adjourned, "ajournee"),
                              (refused, "refusee")):
        [(stored_status, stored_granted)] = rows('SELECT status, granted_total FROM "action" WHERE reference = ?',
                                                 reference)
        assert stored_status == status
        if reference in expected_granted:
            assert stored_granted == expected_granted[reference]
        shown = actions_tab_shows(window, reference)
        assert shown[0] == status_label(status)
        assert shown[1] == format_money(stored_granted) and shown[2] == format_money(stored_granted)
    assert shown_before[partial] != actions_tab_shows(window, partial)
    # The dashboard counts the decided actions in their new statuses.
    counts_closed = dashboard_statuses(window, qtbot)
    assert counts_closed == statuses_in_sql() and counts_closed != counts_before

    window.tabs.setCurrentWidget(tab)
    asked = answer(YES)
    qtbot.mouseClick(tab.agenda.reopen_button, LEFT)
    assert asked and "Rouvrir" in asked[-1]
    assert plan_state() == before
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting_id) == [("open",)]
    assert tab.agenda.close_button.isVisible() and tab.agenda.add_button.isEnabled()
    for reference, shown in shown_before.items():
        assert actions_tab_shows(window, reference) == shown
    assert dashboard_statuses(window, qtbot) == counts_before


def test_a_forbidden_decision_is_refused_in_french_and_nothing_changes(window, qtbot, type_text, answer,
                                                                       warnings_shown) -> None:
    tab = meetings_tab(window, qtbot)
    meeting_id = create_comite(window, tab, qtbot, type_text)
    running = rows("""SELECT id, reference FROM "action" WHERE status = 'en_cours' AND deleted = 0
                      ORDER BY reference LIMIT 1""")[0]
    from cvdesk.services.meetings import add_items

    assert add_items(meeting_id, [running[0]]).ok
    tab.show_record(meeting_id)
    decide(tab, qtbot, type_text, running[1], "refusee")
    before = plan_state()
    answer(YES)
    qtbot.mouseClick(tab.agenda.close_button, LEFT)
    [(title, text)] = warnings_shown
    assert title == "Clôture refusée" and running[1] in text and "« En cours »" in text
    assert plan_state() == before
    assert rows("SELECT status FROM meeting WHERE id = ?", meeting_id) == [("open",)]


def test_escape_on_a_changed_meeting_asks_before_dropping_the_typing(window, qtbot, type_text, answer) -> None:
    tab = meetings_tab(window, qtbot)
    tab.view.selectRow(0)
    saved_place = tab.place_edit.text()
    type_text(tab.place_edit, " (salle 2)")
    assert tab.is_dirty() and "(modifié)" in tab.heading.text()
    asked = answer(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(tab.place_edit, Qt.Key.Key_Escape)
    assert asked and "ne sont pas enregistrées" in asked[0]
    assert tab.place_edit.text() == saved_place + " (salle 2)" and tab.is_dirty()
    answer(QMessageBox.StandardButton.Discard)
    qtbot.keyClick(tab.place_edit, Qt.Key.Key_Escape)
    assert tab.place_edit.text() == saved_place and not tab.is_dirty()


def test_the_tab_and_its_dialogs_fit_a_1366_by_768_laptop(window, qtbot, type_text) -> None:
    tab = meetings_tab(window, qtbot)
    screen = window.screen().availableGeometry()
    assert window.frameGeometry().width() <= screen.width() and window.frameGeometry().height() <= screen.height()
    tab.view.selectRow(0)
    for button in (tab.agenda.add_button, tab.agenda.close_button, tab.agenda.pack_button,
                   tab.agenda.decisions_button):
        assert button.isVisible()
        assert window.rect().contains(button.mapTo(window, button.rect().bottomRight()))
    create_comite(window, tab, qtbot, type_text)
    qtbot.mouseClick(tab.agenda.add_button, LEFT)
    size = tab.picker.frameGeometry()
    assert size.width() <= screen.width() and size.height() <= screen.height()
    tab.picker.reject()


def pdf_text(data: bytes) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_the_pack_and_the_record_of_decisions_print_from_the_tab(window, qtbot) -> None:
    from datetime import date

    from cvdesk.services.meetings import add_items, agenda, close_meeting, decision_lines, record_decision, \
        save_meeting

    meeting_id = save_meeting({"kind": "comite_attribution", "date": date(2015, 5, 21), "title": "Seconde vague"}
                              ).record.id
    [(action_id, reference)] = rows('SELECT id, reference FROM "action" WHERE status = \'en_instruction\' '
                                    "ORDER BY reference LIMIT 1")
    assert add_items(meeting_id, [action_id]).ok
    [item] = agenda(meeting_id)
    assert record_decision(item.item_id, "accordee_partiellement",
                           {line.funder_id: line.requested // 2 for line in decision_lines(item.item_id)},
                           "Moitié de la demande.").ok
    assert close_meeting(meeting_id).ok
    tab = meetings_tab(window, qtbot)
    tab.go_to(meeting_id)
    for button, title in ((tab.agenda.pack_button, "Aperçu – Dossier de séance du 21/05/2015"),
                          (tab.agenda.decisions_button, "Aperçu – Relevé de décisions du 21/05/2015")):
        qtbot.mouseClick(button, LEFT)
        runner = tab.printing
        qtbot.waitUntil(lambda runner=runner: runner.preview is not None, timeout=30000)
        assert runner.preview.windowTitle() == title
        text = pdf_text(runner.preview.pdf_bytes)
        assert reference in text
        if "Relevé" in title:
            assert "Accordée partiellement" in text and "Moitié de la demande." in text
        runner.preview.close()


def test_suppr_in_the_agenda_takes_the_item_off_not_the_meeting(window, qtbot, answer) -> None:
    tab = meetings_tab(window, qtbot)
    [(meeting_id, items)] = rows("""SELECT m.id, count(mi.id) FROM meeting m JOIN meeting_item mi
                                    ON mi.meeting_id = m.id AND mi.deleted = 0 WHERE m.date = '2015-03-12'""")
    tab.go_to(meeting_id)
    first = tab.agenda.rows[0].reference
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(0)
    asked = answer(YES)
    qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Delete)
    assert asked == [f"Retirer l'action {first} de l'ordre du jour ?"]
    assert rows("SELECT deleted FROM meeting WHERE id = ?", meeting_id) == [(0,)]
    assert rows("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND deleted = 0", meeting_id) == [(items - 1,)]
    assert first not in [row.reference for row in tab.agenda.rows]


def test_the_agenda_answers_its_alt_letters(window, qtbot) -> None:
    tab = meetings_tab(window, qtbot)
    [(meeting_id,)] = rows("SELECT id FROM meeting WHERE date = '2015-03-12'")
    tab.go_to(meeting_id)
    second = tab.agenda.rows[1].reference
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(1)
    qtbot.keyClick(window, Qt.Key.Key_M, ALT)  # « Monter »
    qtbot.waitUntil(lambda: tab.agenda.rows[0].reference == second)
    assert rows("""SELECT a.reference FROM meeting_item mi JOIN "action" a ON a.id = mi.action_id
                   WHERE mi.meeting_id = ? AND mi.deleted = 0 ORDER BY mi.position LIMIT 1""", meeting_id) == [(second,)]
    qtbot.keyClick(window, Qt.Key.Key_J, ALT)  # « Ajouter des actions… »
    qtbot.waitUntil(lambda: tab.picker is not None and tab.picker.isVisible())
    qtbot.waitUntil(tab.picker.isActiveWindow)
    qtbot.keyClick(tab.picker, Qt.Key.Key_Escape)
    assert not tab.picker.isVisible()


def test_escape_on_a_changed_decision_asks_before_dropping_it(window, qtbot, type_text, answer) -> None:
    tab = meetings_tab(window, qtbot)
    [(meeting_id,)] = rows("SELECT id FROM meeting WHERE date = '2015-03-12'")
    tab.go_to(meeting_id)
    tab.agenda.table.setFocus()
    tab.agenda.table.selectRow(0)
    qtbot.keyClick(tab.agenda.table, Qt.Key.Key_Return)
    editor = tab.editor
    qtbot.waitUntil(editor.isActiveWindow)
    type_text(editor.note_edit, "À revoir")
    asked = answer(QMessageBox.StandardButton.No)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked and "n'est pas enregistrée" in asked[-1] and editor.isVisible()
    answer(YES)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert rows("SELECT count(*) FROM meeting_item WHERE meeting_id = ? AND notes = 'À revoir'", meeting_id) == [(0,)]


def test_the_agenda_shows_every_column_without_a_sideways_scroll_on_a_laptop(window, qtbot) -> None:
    tab = meetings_tab(window, qtbot)
    tab.view.selectRow(0)  # the demo's comité technique and its twelve items
    table = tab.agenda.table
    qtbot.waitUntil(lambda: table.rowCount() > 0, timeout=3000)
    assert window.screen().availableGeometry().width() == 1366
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    assert sum(header.sectionSize(c) for c in range(table.columnCount())) <= table.viewport().width()
    assert header.sectionSize(2) >= 150  # the title keeps room to be read
