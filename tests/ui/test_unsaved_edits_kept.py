"""Typed text is never dropped without a question: going back to the record being edited keeps what was typed."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.store.models import Action, Association


def test_opening_from_its_porteur_the_action_being_edited_keeps_the_typing(window, qtbot, answer) -> None:
    """A coordinator types a new title, goes to the porteur to check something, and double-clicks the same action
    in the porteur's actions: the title typed is still there, unsaved, and nothing was asked or lost."""
    window.tabs.setCurrentIndex(2)
    actions = window.actions_tab
    actions.view.selectRow(0)
    action = Action.get_by_id(actions.current_record_id())
    saved_title = action.title
    actions.title_edit.selectAll()
    qtbot.keyClicks(actions.title_edit, "Atelier cuisine du quartier")
    asked = answer()  # any question would be answered « Annuler »: none is expected

    qtbot.mouseDClick(actions.porteur_combo.lineEdit(), Qt.MouseButton.LeftButton)
    associations = window.associations_tab
    assert window.current_tab() is associations
    assert associations.current_record_id() == Association.get_by_id(action.porteur_id).id
    table = associations.actions_panel.table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == action.reference)
    rect = table.visualItemRect(table.item(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert window.current_tab() is actions
    assert actions.title_edit.text() == "Atelier cuisine du quartier"
    assert actions.is_dirty() and actions.revert_button.isEnabled()
    assert asked == []
    assert Action.get_by_id(action.id).title == saved_title  # nothing written behind the user's back either


def test_a_new_action_saved_on_leaving_it_leaves_the_list_on_the_action_clicked(window, qtbot, answer) -> None:
    """A new action is typed, then another action of the list is clicked: « Enregistrer » saves the new one, and the
    form and the list's highlighted row both show the action clicked (not the form one, the list the other)."""
    window.tabs.setCurrentIndex(2)
    actions = window.actions_tab
    actions.new_record()
    qtbot.keyClicks(actions.title_edit, "Jardins partages")
    clicked = actions.model.record_id(2)
    reference = Action.get_by_id(clicked).reference
    asked = answer(QMessageBox.StandardButton.Save)

    rect = actions.view.visualRect(actions.model.index(2, 0))
    qtbot.mouseClick(actions.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    assert len(asked) == 1
    assert Action.get_or_none(Action.title == "Jardins partages") is not None
    assert actions.current_record_id() == clicked and actions.reference_edit.text() == reference

    def highlighted() -> list[int | None]:
        return [actions.model.record_id(index.row()) for index in actions.view.selectionModel().selectedRows()]

    qtbot.waitUntil(lambda: highlighted() == [clicked], timeout=2000)
    assert actions.model.record_id(actions.view.currentIndex().row()) == clicked
