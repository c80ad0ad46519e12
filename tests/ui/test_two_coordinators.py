"""Two coordinators on one base: the window compares and lets choose instead of overwriting, and its lists follow
the other's saves without losing the selection or what is being typed."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cvdesk.services.associations import save_association
from cvdesk.store.models import db
from cvdesk.ui.conflict_dialog import ConflictDialog


pytestmark = pytest.mark.both_engines


@pytest.fixture
def sql(sql_rows):
    """Plain SQL on the open base through a connection of its own: where the expected values come from."""
    return sql_rows


@pytest.fixture
def shared_window(demo_db, db_target, qtbot, monkeypatch: pytest.MonkeyPatch):
    """The window on the demo (a file, or a PostgreSQL base by its URL), looking for others' changes."""
    from cvdesk.ui import main_window

    monkeypatch.setattr(main_window, "_menu_installers", lambda: [])  # the printing and exchange menus: not here
    window = main_window.MainWindow(db_target)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window.change_watch is not None)  # it looks for others' changes from the first paint
    yield window
    for tab in window.all_tabs():
        tab._dirty = False  # a story that leaves edits must not block the close with a question
    window.close()
    window.deleteLater()


def the_other_coordinator_saves(association_id: int, values: dict) -> None:
    """Another coordinator's program saves an association."""
    on_another_computer(lambda: save_association(values, association_id))


def on_another_computer(work) -> None:
    """Another coordinator's program: another connection (a thread of its own here) writing through the services;
    work returns the service's result, which must be a success."""
    failure: list[str] = []

    def run() -> None:
        try:
            result = work()
            if not result.ok:
                failure.append(str(result.errors))
        finally:
            db.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert failure == []


def first_association(window, sql):
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    tab.view.selectRow(0)
    record_id = tab.current_record_id()
    assert record_id is not None
    (name, phone), = sql("SELECT name, phone FROM association WHERE id = ?", (record_id,))
    return tab, record_id, name, phone


def answer_the_conflict(qtbot, button: str, seen: list) -> None:
    """Once the compare dialog is up, note what it shows, and click one of its buttons."""
    def click() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog):
            QTimer.singleShot(20, click)
            return
        table = dialog.table
        seen.append((dialog.sentence.text(),
                     [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]))
        getattr(dialog, button).click()

    QTimer.singleShot(0, click)


def test_a_stale_form_shows_the_comparison_and_taking_theirs_drops_my_typing(shared_window, sql, qtbot,
                                                                            type_text) -> None:
    """Aïcha types a new phone number for an association; meanwhile Bruno saves another one from his office. Her
    « Enregistrer » opens the comparison (Téléphone: hers, his); she takes his: the form shows it, nothing of hers
    is written."""
    tab, record_id, name, phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 22 22 22")
    the_other_coordinator_saves(record_id, {"name": name, "phone": "03 27 33 33 33"})
    (user, office), = sql("SELECT os_user, office FROM history WHERE record_uuid = "
                          "(SELECT uuid FROM association WHERE id = ?) ORDER BY id DESC LIMIT 1", (record_id,))

    seen: list = []
    answer_the_conflict(qtbot, "take_button", seen)
    assert tab.save() is True

    (sentence, rows), = seen
    assert sentence.startswith(f"Cette fiche a été modifiée par {user} ({office}) le ")
    assert rows == [("Téléphone", "« 03 27 22 22 22 »", "« 03 27 33 33 33 »")]
    assert tab.phone_edit.text() == "03 27 33 33 33" and not tab.is_dirty()
    assert sql("SELECT phone FROM association WHERE id = ?", (record_id,)) == [("03 27 33 33 33",)]


def test_keeping_my_values_saves_them_and_cancelling_writes_nothing(shared_window, sql, qtbot, type_text) -> None:
    tab, record_id, name, phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 44 44 44")
    the_other_coordinator_saves(record_id, {"name": name + " (Bruno)", "phone": phone})

    seen: list = []
    answer_the_conflict(qtbot, "cancel_button", seen)
    assert tab.save() is False
    assert tab.is_dirty() and tab.phone_edit.text() == "03 27 44 44 44"  # still there, still unsaved
    assert sql("SELECT name, phone FROM association WHERE id = ?", (record_id,)) == [(name + " (Bruno)", phone)]

    answer_the_conflict(qtbot, "keep_button", seen)
    assert tab.save() is True
    # Both rows of the comparison: his name against the one the form still holds, and her phone against his.
    assert sorted(seen[-1][1]) == [("Nom", f"« {name} »", f"« {name} (Bruno) »"),
                                   ("Téléphone", "« 03 27 44 44 44 »", f"« {phone} »" if phone else "(vide)")]
    assert sql("SELECT name, phone FROM association WHERE id = ?", (record_id,)) == [(name, "03 27 44 44 44")]
    assert not tab.is_dirty()


def test_the_list_and_the_form_follow_the_other_coordinator_but_typing_is_kept(shared_window, sql, qtbot,
                                                                               type_text) -> None:
    tab, record_id, name, phone = first_association(shared_window, sql)
    the_other_coordinator_saves(record_id, {"name": name, "phone": "03 27 55 55 55"})

    assert shared_window.change_watch.check()  # what the timer does every few seconds
    assert tab.phone_edit.text() == "03 27 55 55 55" and not tab.is_dirty()
    assert tab.current_record_id() == record_id
    assert tab.model.record_id(tab.view.currentIndex().row()) == record_id  # the selection is kept

    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 66 66 66")
    the_other_coordinator_saves(record_id, {"name": name, "phone": "03 27 77 77 77"})
    assert shared_window.change_watch.check()
    assert tab.phone_edit.text() == "03 27 66 66 66" and tab.is_dirty()
    assert "modifiée par" in shared_window.statusBar().currentMessage()
    assert not shared_window.change_watch.check()  # nothing new since


def test_the_windows_own_save_causes_no_second_refresh(shared_window, sql, qtbot, type_text) -> None:
    tab, record_id, name, phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 88 88 88")
    assert tab.save()
    assert not shared_window.change_watch.check()


def test_the_contract_form_also_compares_before_saving_over_a_signatory_added_elsewhere(shared_window, sql, qtbot,
                                                                                       type_text) -> None:
    """Bruno adds a signatory to the contract while Aïcha writes its notes: her save is refused all the same (his
    change is in what goes with the contract), the comparison shows what she would lose; she takes his version,
    which shows his signatory and drops her notes."""
    from cvdesk.services.signatories import signatories_of
    from cvdesk.services.reference import save_signatory

    shared_window.tabs.setCurrentIndex(4)
    page = shared_window.current_tab().show_section("contract")
    contract_id = page.record_id
    (notes,), = sql("SELECT notes FROM contract WHERE id = ?", (contract_id,))
    page.notes_edit.setPlainText("Avenant en préparation")

    def add_signatory() -> None:
        try:
            assert save_signatory({"contract": contract_id, "name": "CAF du Nord", "position": 99}).ok
        finally:
            db.close()

    bruno = threading.Thread(target=add_signatory)
    bruno.start()
    bruno.join()
    seen: list = []
    answer_the_conflict(qtbot, "take_button", seen)
    assert page.save() is True
    assert seen[0][1] == [("Notes", "« Avenant en préparation »", f"« {notes} »")]
    assert "CAF du Nord" in [line.name for line in page.signatory_lines()]
    assert [s.name for s in signatories_of(contract_id)][-1] == "CAF du Nord"
    assert page.notes_edit.toPlainText() == notes
    assert sql("SELECT notes FROM contract WHERE id = ?", (contract_id,)) == [(notes,)]


def test_f5_keeps_the_typing_and_says_the_record_changed_meanwhile(shared_window, sql, qtbot, type_text) -> None:
    tab, record_id, name, phone = first_association(shared_window, sql)
    tab.phone_edit.selectAll()
    type_text(tab.phone_edit, "03 27 12 12 12")
    the_other_coordinator_saves(record_id, {"name": name + " (Bruno)", "phone": phone})
    (user,), = sql("SELECT os_user FROM history WHERE record_uuid = "
                   "(SELECT uuid FROM association WHERE id = ?) ORDER BY id DESC LIMIT 1", (record_id,))

    shared_window.refresh_action.trigger()  # F5, « Actualiser les listes »
    assert tab.phone_edit.text() == "03 27 12 12 12" and tab.is_dirty()
    told = shared_window.statusBar().currentMessage()
    assert told.startswith(f"Fiche modifiée par {user} à ")  # the office and the day: in the compare dialog
    assert told.endswith("; vos modifications sont gardées, comparez en enregistrant.")
    row = tab.model.row_of(record_id)
    assert tab.model.index(row, 0).data() == name + " (Bruno)"  # the list shows their name already
