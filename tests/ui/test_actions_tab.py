"""A coordinator files an action with its financing plan, follows it through the statuses, edits, reverts and deletes it."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.domain.identifiers import luhn_complete
from cvdesk.services.lists import count
from cvdesk.services.panels import actions_of_quartier
from cvdesk.store.models import Action, Quartier

NBSP = "\u00a0"
CTRL = Qt.KeyboardModifier.ControlModifier


def euros(text: str) -> str:
    return text.replace(" ", NBSP) + f"{NBSP}€"


def references(tab) -> list[str]:
    tab.model.ensure_complete()
    return [tab.model.index(row, 0).data() for row in range(tab.model.rowCount())]


def create_association(window, qtbot, name: str) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.keyClicks(tab.name_edit, name)
    qtbot.keyClicks(tab.siret_edit, luhn_complete("7328293200007"))
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.current_record_id() is not None


def check_quartier(tab, qtbot, code: str) -> None:
    item = next(tab.quartiers_list.item(r) for r in range(tab.quartiers_list.count())
                if tab.quartiers_list.item(r).text().startswith(code))
    tab.quartiers_list.setCurrentItem(item)
    qtbot.keyClick(tab.quartiers_list, Qt.Key.Key_Space)


def add_funding(tab, qtbot, type_text, funder: str, requested: str, granted: str = "") -> None:
    editor = tab.plan_editor
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    row = editor.table.rowCount() - 1
    combo = editor.funder_combo(row)
    combo.setCurrentIndex(combo.findText(funder, Qt.MatchFlag.MatchStartsWith))
    type_text(editor.amount_edit(row, "requested"), requested)
    if granted:
        qtbot.keyClicks(editor.amount_edit(row, "granted"), granted)


def new_action(window, qtbot, type_text, reference: str = "2016-VM-100") -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.keyClicks(tab.reference_edit, reference)
    type_text(tab.title_edit, "Ateliers de cuisine partagée")
    tab.year_spin.setValue(2016)
    qtbot.keyClicks(tab.porteur_combo.lineEdit(), "Les Amis du Faubourg")
    check_quartier(tab, qtbot, "QP059001")
    check_quartier(tab, qtbot, "QP059002")
    qtbot.keyClicks(tab.total_cost_edit, "50 000")
    add_funding(tab, qtbot, type_text, "État", "20 000", "18 000")
    add_funding(tab, qtbot, type_text, "Région", "15 000,50 €")
    add_funding(tab, qtbot, type_text, "Ville de Valenciennes", "10 000")


def test_an_action_with_three_funders_shows_its_totals_and_own_funds(window, qtbot, type_text) -> None:
    create_association(window, qtbot, "Les Amis du Faubourg")
    new_action(window, qtbot, type_text)
    tab = window.actions_tab
    editor = tab.plan_editor
    assert editor.total_text("requested") == euros("45 000,50")
    assert editor.total_text("granted") == euros("18 000,00")
    assert editor.total_text("own_funds") == euros("4 999,50")
    assert not editor.warning_label.isVisible()

    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert "2016-VM-100" in references(tab)
    action = Action.get(Action.reference == "2016-VM-100")
    assert (action.total_cost, action.requested_total, action.granted_total) == (5_000_000, 4_500_050, 1_800_000)
    assert action.porteur.name == "Les Amis du Faubourg"
    assert editor.amount_edit(1, "requested").text() == euros("15 000,50")
    assert editor.amount_edit(1, "requested").alignment() & Qt.AlignmentFlag.AlignRight
    for code in ("QP059001", "QP059002"):
        quartier = Quartier.get(Quartier.code == code)
        assert action.id in [line.id for line in actions_of_quartier(quartier.id)]

    # More granted than requested: a visible warning, the plan still saves.
    qtbot.keyClicks(editor.amount_edit(2, "granted"), "12 000")
    assert editor.warning_label.isVisible()
    assert "dépasse le montant demandé" in editor.warning_label.text()


def test_the_status_offers_only_the_allowed_moves(window, qtbot, type_text) -> None:
    create_association(window, qtbot, "Les Amis du Faubourg")
    new_action(window, qtbot, type_text)
    tab = window.actions_tab
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    for step in ("Déposée", "En instruction", "Accordée", "En cours"):
        options = [tab.status_combo.itemText(i) for i in range(tab.status_combo.count())]
        assert f"→ {step}" in options
        assert options[-1] == "→ Abandonnée"
        tab.status_combo.setCurrentIndex(options.index(f"→ {step}"))
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
        assert tab.status_combo.itemText(0) == step
    options = [tab.status_combo.itemText(i) for i in range(tab.status_combo.count())]
    assert options == ["En cours", "→ Soldée", "→ Abandonnée"]
    row = references(tab).index("2016-VM-100")
    status_column = [c.key for c in tab.model.columns].index("status")
    assert tab.model.index(row, status_column).data() == "En cours"


def test_escape_reverts_unsaved_edits(window, qtbot, answer, type_text) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    saved_title = tab.title_edit.text()
    type_text(tab.title_edit, " (brouillon à revoir)")
    tab.total_cost_edit.clear()
    qtbot.keyClicks(tab.total_cost_edit, "1 000")
    assert tab.is_dirty() and "(modifié)" in tab.heading.text()
    asked = answer(QMessageBox.StandardButton.Discard)
    qtbot.keyClick(tab.title_edit, Qt.Key.Key_Escape)
    assert asked and "ne sont pas enregistrées" in asked[0]
    assert tab.title_edit.text() == saved_title
    assert tab.total_cost_edit.text() == euros("96 000,00")
    assert not tab.is_dirty()


def test_leaving_an_edited_record_asks_first(window, qtbot, answer, type_text) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    first = tab.current_record_id()
    type_text(tab.title_edit, " modifié")
    asked = answer(QMessageBox.StandardButton.Cancel)
    tab.view.selectRow(3)
    qtbot.wait(10)
    assert asked and "ne sont pas enregistrées" in asked[0]
    assert tab.current_record_id() == first and tab.is_dirty()
    answer(QMessageBox.StandardButton.Discard)
    tab.view.selectRow(3)
    assert tab.current_record_id() != first and not tab.is_dirty()


def test_invalid_amounts_never_save(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    tab.total_cost_edit.clear()
    qtbot.keyClicks(tab.total_cost_edit, "12,5,5")
    before = Action.get_by_id(tab.current_record_id()).total_cost
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.form.rows["total_cost"].error.isVisible()
    assert "n'est pas un nombre" in tab.form.rows["total_cost"].error.text()
    assert Action.get_by_id(tab.current_record_id()).total_cost == before


def test_deleting_an_action_removes_it_from_every_list(window, qtbot, answer) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    action = Action.get_by_id(tab.current_record_id())
    quartier_ids = [link.quartier_id for link in action.quartier_links]
    asked = answer(QMessageBox.StandardButton.Yes)
    tab.view.setFocus()
    qtbot.keyClick(tab.view, Qt.Key.Key_Delete)
    assert asked and action.reference in asked[0] and action.title in asked[0]
    assert action.reference not in references(tab)
    assert Action.get_by_id(action.id).deleted
    assert count("actions") == 39 and "39 actions" in window.counts_label.text()
    window.tabs.setCurrentIndex(1)
    quartiers = window.quartiers_tab
    quartiers.go_to(quartier_ids[0])
    panel = quartiers.actions_panel
    assert action.reference not in [panel.table.item(r, 0).text() for r in range(panel.table.rowCount())]


def test_filter_by_orientation_and_by_typing(window, qtbot, type_text) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    combo = tab.filter_combos["orientation"]
    combo.setCurrentIndex(combo.findText("2.", Qt.MatchFlag.MatchStartsWith))
    orientation = [c.key for c in tab.model.columns].index("orientation")
    assert tab.model.rowCount() == 6
    assert {tab.model.index(r, orientation).data() for r in range(tab.model.rowCount())} == {"2"}
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert tab.search.hasFocus()
    type_text(tab.search, "dépistage")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 1, timeout=2000)
    assert tab.model.index(0, 1).data().startswith("Dépistage")


def test_sort_by_amount_by_clicking_the_header(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    column = [c.key for c in tab.model.columns].index("total_cost")
    header = tab.view.horizontalHeader()
    tab.view.scrollTo(tab.model.index(0, column))
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    costs = [Action.get_by_id(tab.model.record_id(r)).total_cost for r in range(tab.model.rowCount())]
    ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
    assert costs == sorted(costs, reverse=not ascending)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    costs = [Action.get_by_id(tab.model.record_id(r)).total_cost for r in range(tab.model.rowCount())]
    assert costs == sorted(costs, reverse=ascending)
    assert tab.model.index(0, column).data() in (euros("15 000,00"), euros("260 000,00"))


def test_renewing_creates_next_years_action_linked_to_this_one(window, qtbot, answer) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    source = tab.current_record_id()
    answer(QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(tab.renew_button, Qt.MouseButton.LeftButton)
    assert tab.current_record_id() != source
    assert tab.reference_edit.text() == "2016-VM-001"
    assert "Reconduction de 2015-VM-001" in tab.renewal_label.text()
    assert "2016-VM-001" in references(tab)


def test_long_filters_fill_when_opened_and_filter_by_quartier(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    combo = tab.filter_combos["quartier"]
    assert combo.count() == 1  # nothing loaded at start-up
    combo.showPopup()
    assert combo.count() == 15
    combo.hidePopup()
    combo.setCurrentIndex(combo.findText("QP059001", Qt.MatchFlag.MatchStartsWith))
    quartier = Quartier.get(Quartier.code == "QP059001")
    assert tab.model.rowCount() == len(actions_of_quartier(quartier.id))
