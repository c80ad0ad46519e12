"""Typed text is never dropped without a question: going back to the record being edited keeps what was typed."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.store.models import Action, Association


def test_opening_from_its_porteur_the_action_being_edited_keeps_the_typing(window, qtbot, answer) -> None:
    """A coordinator types a new title, goes to the porteur to check something, and double-clicks the same action
    in the porteur's actions: the title typed is still there, unsaved, and nothing was asked or lost."""
    window.tabs.setCurrentIndex(1)
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
