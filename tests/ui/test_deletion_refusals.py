"""A coordinator tries to delete a porteur that still carries actions: the window says why, and nothing goes."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.store.models import db

CCAS = "Centre communal d'action sociale de Valenciennes"



def select_by_first_column(tab, text: str) -> None:
    tab.model.ensure_complete()
    row = next(r for r in range(tab.model.rowCount()) if tab.model.index(r, 0).data() == text)
    tab.view.selectRow(row)


def test_deleting_an_association_with_actions_is_refused_with_the_reason(window, qtbot, answer,
                                                                          warnings_shown) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    select_by_first_column(tab, CCAS)
    association = tab.current_record_id()
    references = [ref for (ref,) in db.execute_sql(
        'SELECT reference FROM "action" WHERE porteur_id = ? AND deleted = 0 ORDER BY year DESC, reference',
        (association,))]
    associations = db.execute_sql("SELECT count(*) FROM association WHERE deleted = 0").fetchone()[0]
    asked = answer(QMessageBox.StandardButton.Yes)

    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)

    assert asked == [f"Supprimer l'association « {CCAS} » ? La suppression sera transmise au siège."]
    assert warnings_shown == [("Suppression refusée",
                               f"L'association « {CCAS} » porte encore {len(references)} actions "
                               f"({references[0]}, {references[1]} et {len(references) - 2} autres) : "
                               "rattachez-les à un autre porteur ou supprimez-les d'abord ; rien n'a été supprimé.")]
    assert window.statusBar().currentMessage() == "Suppression refusée."
    assert db.execute_sql("SELECT count(*) FROM association WHERE deleted = 0").fetchone()[0] == associations
    assert tab.current_record_id() == association and tab.name_edit.text() == CCAS  # the form still shows it
    tab.model.ensure_complete()
    assert CCAS in [tab.model.index(r, 0).data() for r in range(tab.model.rowCount())]


def test_deleting_a_quartier_that_actions_target_is_refused_with_the_reason(window, qtbot, answer,
                                                                             warnings_shown) -> None:
    window.tabs.setCurrentIndex(1)
    tab = window.quartiers_tab
    select_by_first_column(tab, "QP059001")
    answer(QMessageBox.StandardButton.Yes)

    qtbot.mouseClick(tab.delete_button, Qt.MouseButton.LeftButton)

    assert len(warnings_shown) == 1
    title, text = warnings_shown[0]
    assert title == "Suppression refusée"
    assert text.startswith("Le quartier QP059001 « Chasse Royale » est ciblé par ")
    assert text.endswith(": retirez-le de ces actions d'abord ; rien n'a été supprimé.")
    assert db.execute_sql("SELECT deleted FROM quartier WHERE code = 'QP059001'").fetchone()[0] == 0
