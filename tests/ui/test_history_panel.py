"""The Historique panel shows an edit with its old and new value."""
from __future__ import annotations

from cvdesk.services.associations import save_association
from cvdesk.store.models import Association
from cvdesk.ui.history_panel import HistoryPanel


def test_the_panel_lists_an_edit_with_old_and_new_values(qtbot, demo_db) -> None:
    association = Association.get(Association.acronym == "CSCR")
    save_association({"email": "accueil@cscr.exemple.fr"}, association.id)
    panel = HistoryPanel()
    qtbot.addWidget(panel)
    panel.show_record(Association, association.uuid)
    rows = panel.rows()
    assert rows[0][1] == "Modification" and rows[1][1] == "Création"
    assert "Courriel : « contact@cscr.exemple.fr » → « accueil@cscr.exemple.fr »" in rows[0][4]


def test_an_edit_made_in_the_window_appears_in_its_historique_panel(window, qtbot, type_text) -> None:
    from PySide6.QtCore import Qt

    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    tab.model.ensure_complete()
    names = [tab.model.index(row, 0).data() for row in range(tab.model.rowCount())]
    tab.view.selectRow(names.index("Sport et Cité Anzin"))
    assert [row[1] for row in tab.history.rows()] == ["Création"]
    tab.name_edit.selectAll()
    type_text(tab.name_edit, "Sport et Citoyenneté Anzin")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    rows = tab.history.rows()
    assert [row[1] for row in rows] == ["Modification", "Création"]
    assert "Nom : « Sport et Cité Anzin » → « Sport et Citoyenneté Anzin »" in rows[0][4]
