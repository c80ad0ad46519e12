"""A coordinator works the forms by keyboard and mouse: the proposed reference, Tab from field to field and out of
the list, Échap that asks first, a renewal that asks and is never made twice, warnings that do not refuse."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QScrollArea

from cvdesk.store.models import Action, db, utcnow

CTRL = Qt.KeyboardModifier.ControlModifier
LEFT = Qt.MouseButton.LeftButton
TAB_NAMES = {1: "quartiers", 2: "actions", 3: "associations"}  # the dashboard (0) has no form



def next_number(year: int, code: str) -> int:
    """The next number of a series, counted in SQL: the highest live number after « year-code- », plus one."""
    prefix = f"{year}-{code}-"
    (highest,) = db.execute_sql(
        'SELECT MAX(CAST(substr(reference, ?) AS INTEGER)) FROM "action" WHERE reference LIKE ? AND deleted = 0',
        (len(prefix) + 1, prefix + "%")).fetchone()
    return (highest or 0) + 1


def sql_one(sql: str, *params: object) -> object:
    return db.execute_sql(sql, params).fetchone()[0]


def actions_tab(window):
    window.tabs.setCurrentIndex(2)
    return window.actions_tab


def select_reference(tab, reference: str) -> None:
    tab.model.ensure_complete()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == reference)
    tab.view.selectRow(row)


def type_year(qtbot, tab, year: int) -> None:
    """Click the Année box, select its text and type the year, as a person does."""
    qtbot.mouseClick(tab.year_spin, LEFT)
    qtbot.keyClick(tab.year_spin, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(tab.year_spin, str(year))


def replace_text(qtbot, type_text, edit, text: str) -> None:
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, CTRL)
    type_text(edit, text)


# -- 1. the proposed reference -----------------------------------------------------------------------------------------
def test_a_new_action_is_offered_the_next_reference_of_its_year(window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    qtbot.mouseClick(tab.new_button, LEFT)
    this_year = utcnow().year
    assert sql_one('SELECT COUNT(*) FROM "action" WHERE year = ?', this_year) == 0
    # No action this year yet: number 1 of the code the demo's series uses (2015-VM-001 … 2015-VM-040).
    assert tab.reference_edit.text() == f"{this_year}-VM-001"
    assert tab.reference_edit.hasFocus() and tab.reference_edit.selectedText() == tab.reference_edit.text()
    assert not tab.is_dirty()

    type_year(qtbot, tab, 2015)
    assert next_number(2015, "VM") == 41
    assert tab.reference_edit.text() == "2015-VM-041"
    type_text(tab.title_edit, "Jardins partagés")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert Action.get(Action.reference == "2015-VM-041").title == "Jardins partagés"

    qtbot.mouseClick(tab.new_button, LEFT)
    type_year(qtbot, tab, 2015)
    assert tab.reference_edit.text() == f"2015-VM-{next_number(2015, 'VM'):03d}" == "2015-VM-042"


def test_the_form_the_tab_opens_on_already_offers_the_reference(window, qtbot, answer, type_text) -> None:
    """The Actions tab first shown: its empty form is a new action's, the reference offered without « Nouveau »,
    and the form counts as untouched (Échap asks nothing; moving to an action asks nothing)."""
    tab = actions_tab(window)
    tab.ensure_form()
    this_year = utcnow().year
    assert tab.current_record_id() is None and tab.heading.text() == "Nouvelle action"
    assert tab.reference_edit.text() == f"{this_year}-VM-{next_number(this_year, 'VM'):03d}" == f"{this_year}-VM-001"
    assert not tab.is_dirty()
    asked = answer()
    select_reference(tab, "2015-VM-004")
    assert asked == [] and tab.reference_edit.text() == "2015-VM-004"
    qtbot.mouseClick(tab.new_button, LEFT)
    type_text(tab.title_edit, "Jardins partagés")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert sql_one('SELECT title FROM "action" WHERE reference = ?', f"{this_year}-VM-001") == "Jardins partagés"


def test_a_reference_the_person_typed_is_never_replaced(window, qtbot) -> None:
    tab = actions_tab(window)
    qtbot.mouseClick(tab.new_button, LEFT)
    qtbot.keyClicks(tab.reference_edit, "2016-QV-7")  # the proposal is selected: typing replaces it
    assert tab.reference_edit.text() == "2016-QV-7"
    for year in (2016, 2017):
        type_year(qtbot, tab, year)
        assert tab.reference_edit.text() == "2016-QV-7"
    qtbot.keyClicks(tab.title_edit, "Permanence emploi")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert Action.get(Action.title == "Permanence emploi").reference == "2016-QV-7"


def test_an_existing_action_keeps_its_reference_when_its_year_changes(window, qtbot) -> None:
    tab = actions_tab(window)
    select_reference(tab, "2015-VM-003")
    type_year(qtbot, tab, 2016)
    assert tab.reference_edit.text() == "2015-VM-003"


# -- 2. Tab stops only where the person can see an input -----------------------------------------------------------------
def walk_with_tab(qtbot, window, first, stop_at, limit: int = 80) -> tuple[list, list]:
    """Press Tab from first until stop_at has the focus: the focus widgets met on the way, in order, and those
    that had the focus out of sight (nothing of them on the screen when they got it)."""
    first.setFocus()
    qtbot.waitUntil(first.hasFocus)
    met, unseen = [first], []
    while True:
        if met[-1].visibleRegion().isEmpty():
            unseen.append(met[-1])
        if met[-1] is stop_at or len(met) >= limit:
            return met, unseen
        qtbot.keyClick(window.focusWidget() or met[-1], Qt.Key.Key_Tab)
        met.append(window.focusWidget())


@pytest.mark.parametrize("record", ["existing", "new"])
@pytest.mark.parametrize("index", list(TAB_NAMES), ids=TAB_NAMES.values())
def test_tab_from_the_first_field_stops_only_on_inputs_in_sight(window, qtbot, index: int, record: str) -> None:
    window.tabs.setCurrentIndex(index)
    tab = window.all_tabs()[index]
    if record == "existing":
        tab.view.selectRow(0)  # a record with its plan lines, panels and history: every kind of stop
    else:
        qtbot.mouseClick(tab.new_button, LEFT)
    fields = [row.field for row in tab.form.rows.values()]
    met, unseen = walk_with_tab(qtbot, window, fields[0], tab.save_button)
    assert met[-1] is tab.save_button, [type(w).__name__ for w in met]
    assert met[1] is fields[1]  # straight from the first field to the second, nothing invisible between
    for widget in met:
        name = f"{type(widget).__name__} « {widget.accessibleName()} »"
        assert widget.isVisible() and widget.isEnabled(), name
        assert not isinstance(widget, (QLabel, QScrollArea)), name
        assert widget not in unseen, f"{name} has the focus out of sight"
    assert len(met) == len(set(met)), "Tab went round in one place"
    if index == 2 and record == "existing":  # the financing plan's cells are met line by line, then its buttons
        editor = tab.plan_editor
        cells = [editor.amount_edit(row, key) for row in range(editor.table.rowCount())
                 for key in ("requested", "granted", "paid")]
        assert cells and all(cell in met for cell in cells)
        assert [met.index(cell) for cell in cells] == sorted(met.index(cell) for cell in cells)
        assert met.index(cells[-1]) < met.index(editor.add_button)


# -- 6. Tab leaves the list ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("index", list(TAB_NAMES), ids=TAB_NAMES.values())
def test_tab_leaves_the_list_for_the_form(window, qtbot, index: int) -> None:
    window.tabs.setCurrentIndex(index)
    tab = window.all_tabs()[index]
    bar = tab.form_scroll.verticalScrollBar()
    bar.setValue(bar.maximum())  # the form was read down to its history
    qtbot.mouseClick(tab.view.viewport(), LEFT, pos=tab.view.visualRect(tab.model.index(1, 0)).center())
    assert tab.view.hasFocus() and tab.view.currentIndex().row() == 1
    qtbot.keyClick(tab.view, Qt.Key.Key_Tab)
    first = next(iter(tab.form.rows.values())).field
    assert first.hasFocus()
    assert tab.view.currentIndex().row() == 1 and tab.view.currentIndex().column() == 0  # no walk between cells
    assert not first.visibleRegion().isEmpty()  # the form scrolled back to the field that has the focus


# -- 3. Échap asks before dropping edits ---------------------------------------------------------------------------------
def test_escape_on_an_unchanged_form_asks_nothing_and_changes_nothing(window, qtbot, answer) -> None:
    tab = actions_tab(window)
    asked = answer()
    qtbot.mouseClick(tab.new_button, LEFT)
    proposal = tab.reference_edit.text()
    qtbot.keyClick(tab.reference_edit, Qt.Key.Key_Escape)
    assert asked == [] and tab.reference_edit.text() == proposal and tab.heading.text() == "Nouvelle action"
    select_reference(tab, "2015-VM-004")
    shown = tab.current_record_id(), tab.title_edit.text()
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert asked == [] and (tab.current_record_id(), tab.title_edit.text()) == shown


def test_escape_on_a_changed_action_asks_and_does_what_was_answered(window, qtbot, answer, type_text) -> None:
    tab = actions_tab(window)
    select_reference(tab, "2015-VM-004")
    action_id = tab.current_record_id()
    saved = Action.get_by_id(action_id).title
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_End)
    type_text(tab.title_edit, " (à revoir)")

    asked = answer(QMessageBox.StandardButton.Cancel)
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert len(asked) == 1 and "2015-VM-004" in asked[0] and "ne sont pas enregistrées" in asked[0]
    assert tab.title_edit.text() == f"{saved} (à revoir)" and tab.is_dirty()

    asked = answer(QMessageBox.StandardButton.Save)
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert sql_one('SELECT title FROM "action" WHERE id = ?', action_id) == f"{saved} (à revoir)"
    assert not tab.is_dirty()

    replace_text(qtbot, type_text, tab.title_edit, "Autre intitulé")
    asked = answer(QMessageBox.StandardButton.Discard)
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert asked and tab.title_edit.text() == f"{saved} (à revoir)" and not tab.is_dirty()
    assert "(modifié)" not in tab.heading.text()
    assert sql_one('SELECT title FROM "action" WHERE id = ?', action_id) == f"{saved} (à revoir)"


def test_discarding_a_new_action_brings_back_the_empty_form_and_its_proposal(window, qtbot, answer) -> None:
    tab = actions_tab(window)
    qtbot.mouseClick(tab.new_button, LEFT)
    proposal = tab.reference_edit.text()
    qtbot.keyClicks(tab.title_edit, "Brouillon")
    answer(QMessageBox.StandardButton.Discard)
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert (tab.title_edit.text(), tab.reference_edit.text(), tab.heading.text()) == ("", proposal, "Nouvelle action")
    assert not tab.is_dirty()


def test_the_cancel_edits_button_asks_the_same_question(window, qtbot, answer, type_text) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    tab.view.selectRow(0)
    saved = tab.name_edit.text()
    qtbot.keyClick(tab.name_edit, Qt.Key.Key_End)
    type_text(tab.name_edit, " – antenne")
    asked = answer(QMessageBox.StandardButton.Cancel)
    qtbot.mouseClick(tab.revert_button, LEFT)
    assert asked and tab.name_edit.text() == f"{saved} – antenne"
    answer(QMessageBox.StandardButton.Discard)
    qtbot.mouseClick(tab.revert_button, LEFT)
    assert tab.name_edit.text() == saved and not tab.revert_button.isEnabled()


# -- 4. « Reconduire l'action » asks, and only once a year -----------------------------------------------------------------
def renewals_of(action_id: int) -> int:
    return sql_one('SELECT COUNT(*) FROM "action" WHERE previous_id = ? AND deleted = 0', action_id)


def test_renewing_asks_first_and_a_second_renewal_into_the_same_year_is_refused(window, qtbot, answer,
                                                                                 warnings_shown) -> None:
    tab = actions_tab(window)
    select_reference(tab, "2015-VM-001")
    source = tab.current_record_id()

    asked = answer(QMessageBox.StandardButton.No)
    qtbot.mouseClick(tab.renew_button, LEFT)
    assert len(asked) == 1 and "Reconduire l'action 2015-VM-001" in asked[0] and "en 2016" in asked[0]
    assert renewals_of(source) == 0 and tab.current_record_id() == source

    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.renew_button, LEFT)
    assert renewals_of(source) == 1
    assert tab.reference_edit.text() == "2016-VM-001" and tab.current_record_id() != source

    select_reference(tab, "2015-VM-001")
    asked = answer(QMessageBox.StandardButton.Yes)
    questions_before = len(asked)
    qtbot.mouseClick(tab.renew_button, LEFT)
    assert len(asked) == questions_before  # nothing to confirm: the refusal comes first
    assert len(warnings_shown) == 1
    title, text = warnings_shown[0]
    assert title == "Reconduction impossible"
    assert "déjà reconduite en 2016" in text and "2016-VM-001" in text
    assert renewals_of(source) == 1 and tab.current_record_id() == source


# -- 5. warnings that let the save through --------------------------------------------------------------------------------
def choose_status(tab, label: str) -> None:
    combo = tab.status_combo
    combo.setFocus()
    combo.setCurrentIndex(combo.findText(f"→ {label}"))


def test_closing_an_action_with_nothing_paid_saves_and_warns(window, qtbot) -> None:
    tab = actions_tab(window)
    select_reference(tab, "2015-VM-002")
    assert sql_one('SELECT paid_total FROM "action" WHERE reference = ?', "2015-VM-002") == 0
    for label in ("En cours", "Soldée"):
        choose_status(tab, label)
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
        assert tab.error_label.isHidden(), tab.error_label.text()
    assert sql_one('SELECT status FROM "action" WHERE reference = ?', "2015-VM-002") == "soldee"
    assert tab.warning_label.isVisible()
    assert "soldée, mais aucun versement" in tab.warning_label.text()


def test_a_grant_in_a_year_without_envelope_saves_and_warns(window, qtbot, type_text) -> None:
    tab = actions_tab(window)
    assert sql_one("SELECT COUNT(*) FROM envelope WHERE year = 2016 AND deleted = 0") == 0
    assert sql_one("SELECT COUNT(*) FROM envelope e JOIN funder f ON f.id = e.funder_id "
                   "WHERE e.year = 2015 AND f.name LIKE 'État%' AND e.deleted = 0") == 1
    qtbot.mouseClick(tab.new_button, LEFT)
    type_year(qtbot, tab, 2016)
    reference = tab.reference_edit.text()
    type_text(tab.title_edit, "Médiation de nuit")
    qtbot.keyClicks(tab.total_cost_edit, "30 000")
    editor = tab.plan_editor
    qtbot.mouseClick(editor.add_button, LEFT)
    combo = editor.funder_combo(0)
    combo.setCurrentIndex(combo.findText("État", Qt.MatchFlag.MatchStartsWith))
    qtbot.keyClicks(editor.amount_edit(0, "requested"), "20 000")
    qtbot.keyClicks(editor.amount_edit(0, "granted"), "18 000")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)

    assert sql_one('SELECT granted_total FROM "action" WHERE reference = ?', reference) == 1_800_000
    assert tab.warning_label.isVisible()
    text = tab.warning_label.text()
    assert "n'a pas d'enveloppe en 2016" in text and "18\u00a0000,00\u00a0€" in text
    for own in editor.warnings():  # the plan's own warnings stay under the plan, not twice
        assert own not in text

    type_year(qtbot, tab, 2015)  # État has its 2015 envelope: the warning goes with the next save
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert "enveloppe" not in tab.warning_label.text()


def test_selecting_another_action_clears_the_previous_warning(window, qtbot) -> None:
    tab = actions_tab(window)
    select_reference(tab, "2015-VM-002")
    for label in ("En cours", "Soldée"):
        choose_status(tab, label)
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.warning_label.isVisible()
    select_reference(tab, "2015-VM-003")
    assert tab.warning_label.isHidden()
