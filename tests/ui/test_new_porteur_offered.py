"""A record made in one tab is offered at once in the other tabs' forms: the association just saved is the porteur
of the next action, and the quartier just saved can be ticked."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.store.models import Action, Association, Quartier

CTRL = Qt.KeyboardModifier.ControlModifier


def test_an_association_saved_in_its_tab_is_the_porteur_of_a_new_action(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    actions = window.actions_tab
    actions.view.selectRow(0)  # the action form has loaded its porteurs

    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    associations = window.associations_tab
    associations.new_record()
    qtbot.keyClicks(associations.name_edit, "Les Jardiniers de Marly")
    qtbot.keyClick(associations.name_edit, Qt.Key.Key_S, CTRL)
    porteur = Association.get(Association.name == "Les Jardiniers de Marly")

    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.keyClicks(actions.title_edit, "Jardin partage")
    qtbot.keyClicks(actions.porteur_combo.lineEdit(), "Les Jardiniers de Marly")
    qtbot.keyClick(actions.title_edit, Qt.Key.Key_S, CTRL)

    assert not actions.error_label.isVisible(), actions.error_label.text()
    assert Action.get(Action.title == "Jardin partage").porteur_id == porteur.id


def test_a_quartier_saved_in_its_tab_can_be_ticked_in_the_action_form(window, qtbot) -> None:
    window.tabs.setCurrentIndex(2)
    actions = window.actions_tab
    actions.view.selectRow(0)

    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    quartiers = window.quartiers_tab
    quartiers.new_record()
    quartiers.code_edit.setText("QP059099")
    quartiers.name_edit.setText("Les Tertiales")
    assert quartiers.save(), quartiers.error_label.text()
    created = Quartier.get(Quartier.code == "QP059099")

    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    keys = [actions.quartiers_list.item(row).data(Qt.ItemDataRole.UserRole)
            for row in range(actions.quartiers_list.count())]
    assert created.id in keys or any(created.name in actions.quartiers_list.item(row).text()
                                     for row in range(actions.quartiers_list.count()))
