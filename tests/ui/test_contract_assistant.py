"""The new-contract assistant as a coordinator uses it: keyboard only, on a 1366×768 laptop, with the reference's
EPCI and communes, and a wrong SIRET refused in one sentence naming the funder."""
from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWizard

from cvdesk.territory.extract import shipped_extract
from cvdesk.ui.contract_assistant import ContractAssistant

BESANCON = "242500361"
NEXT, BACK, FINISH, CANCEL = (QWizard.WizardButton.NextButton, QWizard.WizardButton.BackButton,
                              QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)


def members_in_extract(siren: str) -> list[tuple[str, str, int | None]]:
    """The EPCI's members (INSEE code, name, population municipale) read straight from the shipped extract."""
    conn = sqlite3.connect(shipped_extract())
    members, = conn.execute("SELECT members FROM epci WHERE siren = ?", (int(siren),)).fetchone()
    rows = [conn.execute("SELECT insee, name, population_municipale FROM commune WHERE insee = ?",
                         (code,)).fetchone() for code in members.split()]
    conn.close()
    return sorted(rows)


@pytest.fixture
def assistant(qtbot) -> Iterator[ContractAssistant]:
    wizard = ContractAssistant()
    wizard.show()
    qtbot.waitExposed(wizard)
    wizard.activateWindow()
    yield wizard
    # Not qtbot.addWidget: its closing comes before this line, and once an EPCI is chosen closing asks a question.
    wizard.plan = None  # the test is over: closing the wizard now is no Échap of the user's, nothing to ask
    wizard.close()
    wizard.deleteLater()


def focused() -> object:
    return QApplication.focusWidget()


def test_keyboard_only_from_the_siren_to_the_created_plan(assistant: ContractAssistant, qtbot) -> None:
    page = assistant.territory_page
    qtbot.waitUntil(lambda: focused() is page.epci_edit, timeout=2000)
    qtbot.keyClicks(focused(), "242 500 361")
    popup = page.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Return)  # the single suggestion, taken with Enter
    qtbot.waitUntil(lambda: page.epci is not None, timeout=2000)
    assert page.epci.siren == BESANCON and "CU Grand Besançon Métropole" in page.epci_label.text()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.start_spin
    focused().selectAll()
    qtbot.keyClicks(focused(), "2015")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.end_spin
    focused().selectAll()
    qtbot.keyClicks(focused(), "2022")
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is page.name_edit
    assert page.name_edit.text() == "Contrat de ville de CU Grand Besançon Métropole 2015–2022"
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter: « Suivant »

    communes = assistant.communes_page
    assert assistant.currentPage() is communes
    expected = members_in_extract(BESANCON)
    shown = sorted((communes.table.item(r, 1).text(), communes.table.item(r, 0).text(),
                    int(communes.table.item(r, 3).text().replace("\u00a0", "")) if communes.table.item(r, 3).text()
                    else None) for r in range(communes.table.rowCount()))
    assert shown == expected and len(shown) == 67
    # Tab goes to the buttons under the list, never from cell to cell; « Tout décocher » with the keyboard.
    communes.table.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is communes.none_button
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert not assistant.button(NEXT).isEnabled()  # no commune: nothing to go on with
    communes.table.setFocus()
    communes.table.setCurrentCell(communes.row_of("Besançon"), 0)
    qtbot.keyClick(communes.table, Qt.Key.Key_Space)
    assert communes.count_label.text().startswith("1 commune cochée sur 67")
    assert assistant.button(NEXT).isEnabled()
    qtbot.keyClick(communes.table, Qt.Key.Key_Return)

    assert assistant.currentPage() is assistant.signatories_page
    names = assistant.signatories_page.names()
    assert "CU Grand Besançon Métropole" in names and "Commune de Besançon" in names
    assert not any("Saint-Vit" in name for name in names)  # unticked: not proposed as a signatory
    qtbot.keyClick(assistant.signatories_page.list, Qt.Key.Key_Return)

    orientations = assistant.orientations_page
    assert assistant.currentPage() is orientations
    orientations.preset_box.setFocus()
    while orientations.preset_box.currentData() != "demo":
        qtbot.keyClick(orientations.preset_box, Qt.Key.Key_Down)
    assert orientations.table.rowCount() == 6
    qtbot.keyClick(orientations.preset_box, Qt.Key.Key_Return)

    funders = assistant.funders_page
    assert assistant.currentPage() is funders
    offered = [row[1] for row in funders.funders()]
    assert "CU Grand Besançon Métropole" in offered and "Commune de Besançon" in offered
    assert "Commune de Saint-Vit" not in offered  # not in the contract: not offered
    qtbot.keyClick(funders.table, Qt.Key.Key_Return)

    assert assistant.currentPage() is assistant.summary_page
    assert "Période : 2015 à 2022" in assistant.summary_page.summary.text()
    qtbot.keyClick(assistant.summary_page, Qt.Key.Key_Return)  # « Créer le contrat »
    assert assistant.result() == QWizard.DialogCode.Accepted
    plan = assistant.plan
    assert (plan.epci_siren, plan.start_year, plan.end_year) == (BESANCON, 2015, 2022)
    assert [(c.insee_code, c.population) for c in plan.communes if c.kept] == [("25056", 120_057)]
    assert len(plan.orientations) == 6


def _walk_pages(assistant: ContractAssistant, qtbot):
    """Each page in turn, the EPCI chosen by its name, every member kept."""
    page = assistant.territory_page
    qtbot.keyClicks(page.epci_edit, "grand besancon")
    qtbot.waitUntil(page.completer.popup().isVisible, timeout=2000)
    qtbot.keyClick(page.completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(page.completer.popup(), Qt.Key.Key_Return)
    yield page
    for _ in range(5):
        assistant.next()
        yield assistant.currentPage()


def test_every_page_fits_the_laptop_screen_with_its_buttons_in_sight(assistant: ContractAssistant, qtbot) -> None:
    area = assistant.screen().availableGeometry()
    assert (area.width(), area.height()) == (1366, 768)
    titles = []
    for page in _walk_pages(assistant, qtbot):
        titles.append(page.title())
        assert area.contains(assistant.frameGeometry()), page.title()
        inside = QRect(0, 0, assistant.width(), assistant.height())
        for which in (NEXT, BACK, FINISH, CANCEL):
            button = assistant.button(which)
            if button.isVisible():
                corner = button.mapTo(assistant, button.rect().bottomRight())
                assert inside.contains(corner), (page.title(), button.text())
        shown = [assistant.button(w).text() for w in (BACK, NEXT, FINISH, CANCEL) if assistant.button(w).isVisible()]
        assert "Annuler" in shown and ("&Suivant >" in shown or "&Créer le contrat" in shown), shown
    assert titles == ["Territoire et période", "Communes du contrat", "Signataires", "Orientations stratégiques",
                      "Financeurs", "Récapitulatif"]


def test_a_wrong_siret_is_refused_in_one_sentence_naming_the_funder(assistant: ContractAssistant, qtbot,
                                                                    type_text) -> None:
    pages = _walk_pages(assistant, qtbot)
    for page in pages:
        if page is assistant.funders_page:
            break
    funders = assistant.funders_page
    row = funders.row_of("CU Grand Besançon Métropole")
    funders.table.setCurrentCell(row, 4)
    funders.table.setFocus()
    qtbot.waitUntil(lambda: focused() is funders.table, timeout=2000)
    qtbot.keyClicks(funders.table, "2")  # typing in a cell opens its editor, which takes the rest
    qtbot.waitUntil(lambda: isinstance(focused(), QLineEdit), timeout=2000)
    editor = focused()
    qtbot.keyClicks(editor, "4250036100011")
    qtbot.keyClick(editor, Qt.Key.Key_Return)  # the cell takes it on the next turn of the event loop
    qtbot.waitUntil(lambda: funders.table.item(row, 4).text() == "24250036100011", timeout=2000)
    assistant.next()
    assert assistant.currentPage() is funders
    message = funders.error_label.text()
    assert funders.error_label.isVisible()
    assert message.startswith("Financeur « CU Grand Besançon Métropole »") and "SIRET" in message
    assert "clé de contrôle" in message


def test_a_plan_for_a_base_that_already_holds_a_contract_is_refused_in_one_sentence(qtbot, demo_db, db_path,
                                                                                    monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from cvdesk.services.contract_setup import propose_plan
    from cvdesk.ui.contract_assistant import create_planned_contract

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text, *a, **k: shown.append(text))
    conn = sqlite3.connect(db_path)
    before = conn.execute("SELECT count(*) FROM commune").fetchone()[0]
    assert not create_planned_contract(None, propose_plan(BESANCON, 2024, 2030))
    assert len(shown) == 1 and "contient déjà le contrat" in shown[0] and "\n" not in shown[0]
    assert conn.execute("SELECT count(*) FROM commune").fetchone()[0] == before
    conn.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(typed=st.one_of(st.text(max_size=30), st.sampled_from(["242 500 361 00011", "25056", "2A004", "' OR 1=1 --",
                                                                "\u00a0", "CC", "métropole", "9" * 20])))
def test_whatever_is_typed_for_the_epci_the_page_offers_matches_or_nothing_and_never_goes_on_alone(
        assistant: ContractAssistant, qtbot, typed: str) -> None:
    page = assistant.territory_page
    page.epci_edit.clear()
    page.epci_edit.setFocus()
    page.epci_edit.insert(typed)
    page.epci_edit.textEdited.emit(page.epci_edit.text())  # as if typed: the suggestions follow
    offered = page.suggestions.stringList()
    assert len(offered) <= 12 and all(" — SIREN " in label for label in offered)
    assert page.epci is None and not assistant.button(NEXT).isEnabled()
    assert assistant.currentPage() is page and page.error_label.isHidden()


def test_escape_after_choices_asks_before_dropping_them(assistant: ContractAssistant, qtbot, answer) -> None:
    page = assistant.territory_page
    qtbot.waitUntil(lambda: focused() is page.epci_edit, timeout=2000)
    qtbot.keyClicks(focused(), "242 500 361")
    popup = page.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=2000)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.epci is not None, timeout=2000)
    qtbot.mouseClick(assistant.button(NEXT), Qt.MouseButton.LeftButton)
    communes = assistant.communes_page
    assert assistant.currentPage() is communes
    communes.tick_all(False)
    asked = answer(QMessageBox.StandardButton.No)
    qtbot.keyClick(assistant, Qt.Key.Key_Escape)
    assert len(asked) == 1 and "Abandonner la création du contrat" in asked[0]
    assert assistant.isVisible() and assistant.currentPage() is communes and assistant.plan is not None
    assert not any(communes.is_ticked(row) for row in range(communes.table.rowCount()))  # the choices are kept
    answer(QMessageBox.StandardButton.Yes)
    qtbot.keyClick(assistant, Qt.Key.Key_Escape)
    assert len(asked) == 2 and not assistant.isVisible() and assistant.plan is None
    assert assistant.result() == QWizard.DialogCode.Rejected


def test_escape_on_the_first_page_closes_without_a_question(assistant: ContractAssistant, qtbot, answer) -> None:
    asked = answer()
    qtbot.keyClick(assistant, Qt.Key.Key_Escape)
    assert asked == [] and not assistant.isVisible()
