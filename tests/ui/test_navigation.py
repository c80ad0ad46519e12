"""Moving around: from a quartier to its actions, from an action to its porteur, and back to the same window later."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from cvdesk.store.models import Action, Quartier


def select_code(tab, code: str) -> None:
    tab.model.ensure_complete()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == code)
    tab.view.selectRow(row)


def test_a_double_click_in_a_quartiers_panel_opens_the_action(window, qtbot) -> None:
    window.tabs.setCurrentIndex(1)
    quartiers = window.quartiers_tab
    select_code(quartiers, "QP059001")
    assert quartiers.heading.text().startswith("QP059001")
    orientations = quartiers.orientation_panel.rows()
    assert orientations[-1][0] == "Total" and orientations[-1][2].endswith("\u00a0€")
    funders = [row[0] for row in quartiers.funder_panel.rows()]
    assert any(name.startswith("État") for name in funders)
    table = quartiers.actions_panel.table
    assert table.rowCount() > 0
    reference = table.item(0, 0).text()
    rect = table.visualItemRect(table.item(0, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_tab() is window.actions_tab
    assert window.actions_tab.reference_edit.text() == reference
    action = Action.get(Action.reference == reference)
    assert window.actions_tab.current_record_id() == action.id
    assert window.actions_tab.view.currentIndex().row() >= 0


def test_the_porteur_of_an_action_opens_in_its_tab(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    actions = window.actions_tab
    actions.view.selectRow(0)
    porteur = actions.porteur_combo.currentText()
    qtbot.mouseDClick(actions.porteur_combo.lineEdit(), Qt.MouseButton.LeftButton)
    assert window.current_tab() is window.associations_tab
    assert window.associations_tab.name_edit.text() == porteur


def test_a_jump_to_a_filtered_out_action_clears_the_filter(window, qtbot) -> None:
    actions = window.actions_tab
    actions.search.setText("zzz introuvable")
    actions.apply_search()
    assert actions.model.rowCount() == 0
    quartier = Quartier.get(Quartier.code == "QP059001")
    window.tabs.setCurrentIndex(1)
    window.quartiers_tab.go_to(quartier.id)
    window.quartiers_tab.actions_panel._activated(0, 0)
    assert actions.search.text() == "" and actions.model.rowCount() == 40
    assert actions.view.currentIndex().isValid()


def test_the_window_reopens_on_the_dashboard_with_its_geometry_and_column_widths(window, qtbot,
                                                                                 db_path: Path) -> None:
    from cvdesk.ui import main_window

    window.tabs.setCurrentIndex(3)
    window.resize(1111, 707)
    window.actions_tab.view.setColumnWidth(1, 333)
    window.associations_tab.splitter.setSizes([600, 500])
    sizes = window.associations_tab.splitter.sizes()
    window.close()
    again = main_window.MainWindow(db_path)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    assert again.tabs.currentIndex() == 0  # the dashboard, whichever tab was shown when the window closed
    assert (again.width(), again.height()) == (1111, 707)
    assert again.actions_tab.view.columnWidth(1) == 333
    again.tabs.setCurrentIndex(3)  # the Associations tab, shown again: its splitter as it was left
    assert again.associations_tab.splitter.sizes() == sizes


def test_closing_with_unsaved_edits_asks(window, qtbot, answer) -> None:
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    qtbot.keyClicks(tab.reference_edit, "-bis")
    asked = answer(QMessageBox.StandardButton.Cancel)
    assert not window.close()
    assert asked and window.isVisible()
    answer(QMessageBox.StandardButton.Save)
    assert window.close()
    assert Action.get_by_id(tab.current_record_id()).reference.endswith("-bis")


def test_the_about_box_names_the_database_and_the_demo(window, monkeypatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "about", lambda _parent, _title, text: shown.append(text))
    window.show_about()
    assert str(window.db_path) in shown[0] and "démonstration" in shown[0]
    assert "démonstration" in window.windowTitle() and window.db_path.name in window.windowTitle()


def test_every_input_has_an_accessible_name_and_tab_leads_from_search_to_list(window) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QLineEdit, QPlainTextEdit

    inputs = (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView, QAbstractButton)
    for tab in window.all_tabs():
        nameless = [type(w).__name__ for w in tab.findChildren(QWidget) if isinstance(w, inputs)
                    and not w.accessibleName() and w.isVisibleTo(tab) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                    and not isinstance(w.parent(), (QComboBox, QAbstractSpinBox))]
        assert nameless == [], (tab.kind, nameless)
        if not hasattr(tab, "filter_combos"):
            continue  # the contract's own form has no list (its sub-tabs with one are checked in test_contract_tab)
        chain, widget = [], tab.search
        for _ in range(len(tab.filter_combos) + 1):
            widget = widget.nextInFocusChain()
            while widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                widget = widget.nextInFocusChain()
            chain.append(widget)
        assert chain[-1] is tab.view
