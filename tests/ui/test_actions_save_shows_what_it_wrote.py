"""After « Enregistrer » in the Actions tab the form, its plan and its Historique panel show what the base now holds
(filled from what the save gave back, not read again), and the next save knows the version it left: a second save
of mine goes through, one made after another coordinator's is refused in French. On both engines."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cvdesk.services.actions import save_action
from cvdesk.services.concurrency import read_at
from cvdesk.services.records import SaveResult
from cvdesk.store.models import Action
from cvdesk.ui.conflict_dialog import ConflictDialog
from tests.services.test_two_editors import on_another_computer

pytestmark = pytest.mark.both_engines


def open_planned_action(window, sql_rows):
    """The Actions tab showing a demo action with a plan (chosen by plain SQL): the tab and the action's id."""
    (action_id,), = sql_rows('SELECT a.id FROM "action" a WHERE a.deleted = 0 AND EXISTS (SELECT 1 FROM funding f '
                             "WHERE f.action_id = a.id AND f.deleted = 0) ORDER BY a.reference LIMIT 1")
    window.tabs.setCurrentWidget(window.actions_tab)
    tab = window.actions_tab
    tab.go_to(action_id)
    assert tab.current_record_id() == action_id
    return tab, action_id


def history_rows_in_base(sql_rows, action_id: int) -> int:
    (count,), = sql_rows("SELECT count(*) FROM history WHERE record_type = 'Action' AND deleted = 0 AND record_uuid = "
                         '(SELECT uuid FROM "action" WHERE id = ?)', (action_id,))
    return count


def test_the_historique_panel_shows_the_new_title_on_top_after_a_save(window, sql_rows, type_text) -> None:
    tab, action_id = open_planned_action(window, sql_rows)
    (old,), = sql_rows('SELECT title FROM "action" WHERE id = ?', (action_id,))
    before = tab.history.rows()
    tab.title_edit.selectAll()
    type_text(tab.title_edit, "Atelier d'écriture")
    assert tab.save()
    rows = tab.history.rows()
    assert len(rows) == history_rows_in_base(sql_rows, action_id) == len(before) + 1
    assert rows[1:] == before
    (office, user), = sql_rows("SELECT office, os_user FROM history WHERE id = (SELECT max(id) FROM history)")
    assert rows[0][1:] == ("Modification", office, user, f"Intitulé : « {old} » → « Atelier d'écriture »")
    # The same rows as the panel shows when it reads the base afresh (another action, then this one again).
    tab.history.show_record(Action, sql_rows('SELECT uuid FROM "action" WHERE id = ?', (action_id,))[0][0])
    assert tab.history.rows() == rows


def test_the_form_shows_the_saved_title_and_plan_and_a_second_save_goes_through(window, sql_rows,
                                                                                 type_text) -> None:
    tab, action_id = open_planned_action(window, sql_rows)
    tab.title_edit.selectAll()
    type_text(tab.title_edit, "Atelier jardin")
    assert tab.save()
    (title, version), = sql_rows('SELECT title, version FROM "action" WHERE id = ?', (action_id,))
    assert tab.title_edit.text() == title == "Atelier jardin" and not tab.is_dirty()
    assert tab.heading.text().endswith("– Atelier jardin")
    assert tab.read_version == version
    plan = sql_rows("SELECT f.funder_id, f.requested, f.granted, f.paid FROM funding f JOIN funder fr ON fr.id = "
                    "f.funder_id WHERE f.action_id = ? AND f.deleted = 0 ORDER BY fr.position, fr.name", (action_id,))
    lines, errors = tab.plan_editor.lines()
    assert not errors
    assert [(line.funder_id, line.requested, line.granted, line.paid) for line in lines] == [tuple(r) for r in plan]
    tab.title_edit.selectAll()
    type_text(tab.title_edit, "Atelier jardin partagé")
    assert tab.save()
    assert sql_rows('SELECT title FROM "action" WHERE id = ?', (action_id,)) == [("Atelier jardin partagé",)]


def test_a_save_after_another_coordinators_is_refused_in_french(window, sql_rows, qtbot, type_text) -> None:
    """My first save went through; Bruno then saves the same action from his office; my next save opens the
    comparison with the French sentence, and cancelling it writes nothing of mine."""
    tab, action_id = open_planned_action(window, sql_rows)
    tab.title_edit.selectAll()
    type_text(tab.title_edit, "Atelier photo")
    assert tab.save()
    (his_version,), = sql_rows('SELECT version FROM "action" WHERE id = ?', (action_id,))

    def bruno() -> SaveResult:
        with read_at(Action, action_id, his_version):
            return save_action({"title": "Atelier photo de Bruno"}, action_id)

    assert on_another_computer(bruno).ok
    tab.title_edit.selectAll()
    type_text(tab.title_edit, "Atelier photo d'Aïcha")
    seen: list[str] = []

    def cancel() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConflictDialog):
            QTimer.singleShot(20, cancel)
            return
        seen.append(dialog.sentence.text())
        dialog.cancel_button.click()

    QTimer.singleShot(0, cancel)
    assert tab.save() is False
    assert len(seen) == 1 and seen[0].startswith("Cette fiche a été modifiée par ")
    assert seen[0].endswith(" depuis que vous l'avez ouverte.")
    assert sql_rows('SELECT title FROM "action" WHERE id = ?', (action_id,)) == [("Atelier photo de Bruno",)]


def test_the_plans_own_warnings_stay_under_the_plan_and_the_others_under_the_form(window, sql_rows) -> None:
    """An action moved to a year without envelopes, its cost cut under its plan: the grants outside any envelope are
    said under the form, the plan exceeding the cost under the plan only (told by the save, not read again)."""
    (action_id,), = sql_rows('SELECT a.id FROM "action" a WHERE a.deleted = 0 AND EXISTS (SELECT 1 FROM funding f '
                             "WHERE f.action_id = a.id AND f.deleted = 0 AND f.granted > 0) ORDER BY a.reference "
                             "LIMIT 1")
    names = [name for (name,) in sql_rows("SELECT DISTINCT fr.name FROM funding f JOIN funder fr ON fr.id = "
                                          "f.funder_id WHERE f.action_id = ? AND f.deleted = 0 AND f.granted > 0",
                                          (action_id,))]
    assert not sql_rows("SELECT 1 FROM envelope WHERE year = 2031")
    window.tabs.setCurrentWidget(window.actions_tab)
    tab = window.actions_tab
    tab.go_to(action_id)
    tab.year_spin.setValue(2031)
    tab.total_cost_edit.set_cents(100)
    assert tab.save()
    assert sql_rows('SELECT year, total_cost FROM "action" WHERE id = ?', (action_id,)) == [(2031, 100)]
    under_form = tab.warning_label.text()
    for name in names:
        assert f"{name} n'a pas d'enveloppe en 2031" in under_form
    under_plan = tab.plan_editor.warnings()
    assert any("dépasse le coût total" in warning for warning in under_plan)
    assert "dépasse le coût total" not in under_form
    for warning in under_plan:
        assert warning not in under_form
