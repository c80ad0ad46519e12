"""« Fichier > Nouvelle base » then the new-contract assistant: the new base opens with the contract set up."""
from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWizard

from cvdesk.ui.contract_assistant import ContractAssistant

BESANCON = "242500361"
FINISH = QWizard.WizardButton.FinishButton


def _finish_with_besancon(qtbot):
    """When the assistant shows: Grand Besançon by its SIREN, 2024–2030, Besançon only, the rest as proposed."""
    from PySide6.QtCore import QTimer

    def fill(wizard: ContractAssistant) -> None:
        page = wizard.territory_page
        qtbot.keyClicks(page.epci_edit, BESANCON)
        qtbot.keyClick(page.epci_edit, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: page.epci is not None, timeout=2000)
        assert wizard.currentPage() is page  # Enter took the EPCI and left time for the period
        wizard.next()
        wizard.communes_page.tick_all(False)
        wizard.communes_page.table.item(wizard.communes_page.row_of("Besançon"), 0).setCheckState(
            Qt.CheckState.Checked)
        for _ in range(4):
            wizard.next()
        assert wizard.currentPage() is wizard.summary_page, wizard.currentPage().error_label.text()
        qtbot.mouseClick(wizard.button(FINISH), Qt.MouseButton.LeftButton)

    def look() -> None:
        shown = QApplication.activeModalWidget()
        if isinstance(shown, ContractAssistant) and shown.isVisible():
            fill(shown)
        else:
            QTimer.singleShot(20, look)

    QTimer.singleShot(0, look)


def test_nouvelle_base_opens_the_assistant_and_the_new_base_holds_the_contract(window, qtbot, tmp_path,
                                                                               monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from cvdesk.services.reference import current_contract

    fresh = tmp_path / "besancon.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(fresh), ""))
    _finish_with_besancon(qtbot)
    window.new_db_action.trigger()
    assert window.db_path == fresh and "démonstration" not in window.windowTitle()
    contract = current_contract()
    assert contract.name == "Contrat de ville de CU Grand Besançon Métropole 2024–2030"
    conn = sqlite3.connect(fresh)
    communes = conn.execute("SELECT insee_code, population FROM commune WHERE deleted = 0").fetchall()
    funders = conn.execute("SELECT name, siren FROM funder WHERE deleted = 0 AND kind = 'epci'").fetchall()
    conn.close()
    assert communes == [("25056", 120_057)]
    assert funders == [("CU Grand Besançon Métropole", BESANCON)]
    # The action form offers the new contract's funders at once.
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.new_record()
    qtbot.mouseClick(tab.plan_editor.add_button, Qt.MouseButton.LeftButton)
    combo = tab.plan_editor.funder_combo(0)
    assert combo.findText("CU Grand Besançon Métropole") >= 0

