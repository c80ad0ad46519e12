"""A coordinator records a new porteur: identifiers are checked as typed, and an invalid SIRET never saves."""
from __future__ import annotations

from PySide6.QtCore import Qt

from cvdesk.domain.identifiers import luhn_complete
from cvdesk.services.lists import count

VALID_SIRET = luhn_complete("7328293200007")  # a Luhn-valid SIRET whose SIREN 732829320 is valid too


def listed_names(tab) -> list[str]:
    tab.model.ensure_complete()
    return [tab.model.index(row, 0).data() for row in range(tab.model.rowCount())]


def test_an_invalid_siret_is_refused_with_its_reason_then_a_valid_one_saves(window, qtbot) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    before = count("associations")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(tab.name_edit, "Les Amis du Faubourg")
    qtbot.keyClicks(tab.siret_edit, "12345678901234")
    siret_row = tab.form.rows["siret"]
    assert siret_row.error.isVisible()
    assert "clé de contrôle" in siret_row.error.text()

    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert count("associations") == before
    assert tab.error_label.isVisible() and "SIRET" in tab.error_label.text()

    tab.siret_edit.clear()
    qtbot.keyClicks(tab.siret_edit, VALID_SIRET[:9] + " " + VALID_SIRET[9:])
    assert siret_row.error.text() == "SIRET valide."
    qtbot.keyClicks(tab.rna_edit, "X12")
    assert "W majuscule" in tab.form.rows["rna"].error.text()
    tab.rna_edit.clear()
    qtbot.keyClicks(tab.rna_edit, "W595001234")
    qtbot.keyClick(window, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    assert count("associations") == before + 1
    assert "Les Amis du Faubourg" in listed_names(tab)
    assert tab.siren_edit.text() == VALID_SIRET[:9]  # deduced from the SIRET by the service
    assert tab.current_record_id() is not None
    assert "associations" in window.counts_label.text() and str(before + 1) in window.counts_label.text()


def test_an_association_shows_its_actions_and_yearly_funding(window, qtbot) -> None:
    window.tabs.setCurrentIndex(3)
    tab = window.associations_tab
    row = listed_names(tab).index("Santé Partage Valenciennois")
    tab.view.selectRow(row)
    assert tab.actions_panel.table.rowCount() >= 1
    years = tab.years_panel.rows()
    assert years[0][0] == "2015" and years[-1][0] == "Total"
    assert years[-1][3].endswith("\u00a0€")
