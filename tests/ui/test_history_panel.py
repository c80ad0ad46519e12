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
