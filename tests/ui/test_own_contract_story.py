"""A new coordinator at Grand Besançon starts cvdesk for the first time: no base yet, so the window asks how to begin.
She sets up her own contract from the official reference, records two quartiers, an association and an action
funded by three partners within an envelope, and prints the programme; its header names her contract and its
figures are the base's. Another user quits at the first question (nothing is created); a third takes the demo."""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Callable

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget, QWizard

from cvdesk.domain.identifiers import luhn_complete
from cvdesk.domain.money import format_money
from cvdesk.ui.app import run_window
from cvdesk.ui.contract_assistant import ContractAssistant
from cvdesk.ui.first_start import FirstStartDialog
from cvdesk.ui.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
BESANCON_SIREN = "242500361"  # « CU Grand Besançon Métropole » in the reference (67 communes)
WATCHDOG_MS = 180_000
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def pdf_text(path: Path) -> tuple[str, str]:
    """The first page's text and the whole text, spaces normalised."""
    pages = [norm(page.extract_text() or "") for page in PdfReader(str(path)).pages]
    return pages[0], " ".join(pages)


def euros(cents: int) -> str:
    return norm(format_money(cents))


def when_shown(kind: type[QWidget], act: Callable[[QWidget], None]) -> None:
    """Once a modal dialog of this kind is up (its own event loop running), let act() answer it as a user would."""
    def look() -> None:
        shown = QApplication.activeModalWidget()
        if not isinstance(shown, kind) or not shown.isVisible():
            QTimer.singleShot(20, look)
            return
        act(shown)

    QTimer.singleShot(0, look)


def when_window_shown(act: Callable[[MainWindow], None]) -> None:
    """Once the main window has painted, run act(window) and close the window, whatever happened (the test's
    run_window then returns)."""
    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or not windows[0]._painted:
            QTimer.singleShot(20, look)
            return
        window = windows[0]
        try:
            act(window)
        finally:
            for tab in window.built_tabs():
                tab._dirty = False  # a failed step must not hold the close with a question
            window.close()

    QTimer.singleShot(0, look)


def close_window_when(ready: Callable[[], bool]) -> None:
    """Close the main window once ready() holds, without waiting in a loop of one's own (the window's work may be
    waiting in its own)."""
    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or not ready():
            QTimer.singleShot(20, look)
            return
        windows[0].close()

    QTimer.singleShot(0, look)


@pytest.fixture
def watchdog():
    """A story that goes wrong must end: after a few minutes every dialog and window is closed."""
    def stop() -> None:
        for widget in QApplication.topLevelWidgets():
            if widget.isVisible():
                widget.close()

    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(stop)
    timer.start(WATCHDOG_MS)
    yield
    timer.stop()


@pytest.fixture
def first_start_path(tmp_path: Path) -> Path:
    """Where the user's base would be: a data folder not made yet."""
    return tmp_path / "donnees-utilisateur" / "cvdesk" / "cvdesk.db"


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def fill_the_assistant(qtbot, type_text, assistant: ContractAssistant, seen: dict) -> None:
    """The new contract of Grand Besançon, 2024–2030, its city only, the three pillars, the proposed funders."""
    page = assistant.territory_page
    page.epci_edit.setFocus()
    type_text(page.epci_edit, "CA du Grand Besançon Métropole")
    popup = page.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=3000)
    seen["suggestions"] = page.suggestions.stringList()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.epci is not None, timeout=3000)
    seen["epci"] = page.epci_label.text()
    for spin, year in ((page.start_spin, "2024"), (page.end_spin, "2030")):
        spin.setFocus()
        spin.selectAll()
        qtbot.keyClicks(spin, year)
        qtbot.keyClick(spin, Qt.Key.Key_Tab)
    seen["name"] = page.name_edit.text()
    click(qtbot, assistant.button(QWizard.WizardButton.NextButton))

    communes = assistant.communes_page
    assert assistant.currentPage() is communes, page.error_label.text()
    seen["communes"] = communes.table.rowCount()
    click(qtbot, communes.none_button)
    city = communes.row_of("Besançon")
    communes.table.setFocus()
    communes.table.setCurrentCell(city, 0)
    qtbot.keyClick(communes.table, Qt.Key.Key_Space)
    seen["ticked"] = communes.count_label.text()
    click(qtbot, assistant.button(QWizard.WizardButton.NextButton))

    assert assistant.currentPage() is assistant.signatories_page
    seen["signatories"] = assistant.signatories_page.names()
    click(qtbot, assistant.button(QWizard.WizardButton.NextButton))

    orientations = assistant.orientations_page
    assert assistant.currentPage() is orientations
    orientations.preset_box.setFocus()
    while orientations.preset_box.currentData() != "piliers":
        qtbot.keyClick(orientations.preset_box, Qt.Key.Key_Down)
    seen["orientations"] = orientations.orientations()
    click(qtbot, assistant.button(QWizard.WizardButton.NextButton))

    funders = assistant.funders_page
    assert assistant.currentPage() is funders
    seen["funders"] = [row[1] for row in funders.funders() if row[0]]
    click(qtbot, assistant.button(QWizard.WizardButton.NextButton))

    assert assistant.currentPage() is assistant.summary_page, funders.error_label.text()
    seen["summary"] = assistant.summary_page.summary.text()
    click(qtbot, assistant.button(QWizard.WizardButton.FinishButton))


def add_quartier(window: MainWindow, qtbot, type_text, code: str, name: str, population: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_1, CTRL)
    tab = window.quartiers_tab
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    qtbot.keyClicks(tab.code_edit, code)
    type_text(tab.name_edit, name)
    item = next(tab.communes_list.item(row) for row in range(tab.communes_list.count())
                if tab.communes_list.item(row).text().startswith("Besançon"))
    tab.communes_list.setCurrentItem(item)
    qtbot.keyClick(tab.communes_list, Qt.Key.Key_Space)
    qtbot.keyClicks(tab.population_edit, population)
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()


def add_association(window: MainWindow, qtbot, type_text, name: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_3, CTRL)
    tab = window.associations_tab
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    type_text(tab.name_edit, name)
    qtbot.keyClicks(tab.siret_edit, luhn_complete("7328293200007"))
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()


def add_funding(tab, qtbot, type_text, funder: str, requested: str, granted: str) -> None:
    editor = tab.plan_editor
    click(qtbot, editor.add_button)
    row = editor.table.rowCount() - 1
    combo = editor.funder_combo(row)
    index = combo.findText(funder, Qt.MatchFlag.MatchStartsWith)
    assert index >= 0, f"{funder} absent de {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(index)
    type_text(editor.amount_edit(row, "requested"), requested)
    type_text(editor.amount_edit(row, "granted"), granted)


def add_action(window: MainWindow, qtbot, type_text, association: str) -> None:
    qtbot.keyClick(window, Qt.Key.Key_2, CTRL)
    tab = window.actions_tab
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    tab.year_spin.setValue(2024)
    tab.reference_edit.clear()
    qtbot.keyClicks(tab.reference_edit, "2024-GBM-001")
    type_text(tab.title_edit, "Ateliers numériques à Planoise")
    tab.orientation_combo.setCurrentIndex(tab.orientation_combo.findText("1", Qt.MatchFlag.MatchStartsWith))
    type_text(tab.porteur_combo.lineEdit(), association)
    for row in range(tab.quartiers_list.count()):
        tab.quartiers_list.setCurrentRow(row)
        qtbot.keyClick(tab.quartiers_list, Qt.Key.Key_Space)
    qtbot.keyClicks(tab.total_cost_edit, "60 000")
    add_funding(tab, qtbot, type_text, "État", "25 000", "20 000")
    add_funding(tab, qtbot, type_text, "CU Grand Besançon", "15 000", "15 000")
    add_funding(tab, qtbot, type_text, "Région", "10 000,50", "8 000")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()


def add_envelope(window: MainWindow, qtbot, type_text) -> dict[str, str]:
    """The État's credits for 2024, typed in Contrat > Enveloppes; the consumption it shows once saved."""
    qtbot.keyClick(window, Qt.Key.Key_4, CTRL)
    contract = window.tab_for("contract")
    qtbot.keyClick(window, Qt.Key.Key_V, Qt.KeyboardModifier.AltModifier)  # « En&veloppes »
    tab = contract.current_page()
    assert tab.kind == "envelope"
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    tab.funder_combo.setCurrentIndex(tab.funder_combo.findText("État", Qt.MatchFlag.MatchStartsWith))
    qtbot.keyClicks(tab.year_edit, "2024")
    qtbot.keyClicks(tab.amount_edit, "300 000")
    type_text(tab.label_edit, "Crédits politique de la ville 2024")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    return {key: norm(text) for key, text in tab.consumption.texts().items()}


def print_programme(window: MainWindow, qtbot, monkeypatch, out: Path) -> None:
    from cvdesk.ui.report_actions import ProgrammeDialog

    qtbot.waitUntil(lambda: hasattr(window, "print_programme_action"), timeout=5000)

    def answer(dialog: ProgrammeDialog) -> None:
        dialog.year_box.setCurrentIndex(dialog.year_box.findData(2024))
        click(qtbot, _ok_button(dialog))

    when_shown(ProgrammeDialog, answer)
    window.print_programme_action.trigger()
    runner = window.last_report_runner
    assert runner is not None
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=60_000)
    preview = runner.preview
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(out), ""))
    click(qtbot, preview.save_button)
    assert out.exists()
    preview.close()


def _ok_button(dialog):
    from PySide6.QtWidgets import QDialogButtonBox

    return dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)


def test_a_new_coordinator_sets_up_grand_besancon_records_an_action_and_prints_the_programme(
        qtbot, type_text, monkeypatch: pytest.MonkeyPatch, watchdog, first_start_path: Path, tmp_path: Path) -> None:
    seen: dict = {}
    out = tmp_path / "programme-2024.pdf"
    # The file dialog for the new base: she keeps the place and name proposed.
    suggested: list[str] = []

    def keep_proposed(_parent, _title, proposed, *_args, **_kwargs):
        suggested.append(proposed)
        return proposed, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", keep_proposed)

    def first_question(dialog: FirstStartDialog) -> None:
        seen["choices"] = [b.text() for b in (dialog.demo_button, dialog.own_button, dialog.open_button)]
        when_shown(ContractAssistant, lambda assistant: fill_the_assistant(qtbot, type_text, assistant, seen))
        click(qtbot, dialog.own_button)

    def the_working_day(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        add_quartier(window, qtbot, type_text, "QP025004", "Planoise", "19 500")
        add_quartier(window, qtbot, type_text, "QP025006", "Clairs-Soleils", "3 150")
        add_association(window, qtbot, type_text, "Les Petits Débrouillards de Franche-Comté")
        add_action(window, qtbot, type_text, "Les Petits Débrouillards de Franche-Comté")
        seen["envelope"] = add_envelope(window, qtbot, type_text)
        print_programme(window, qtbot, monkeypatch, out)
        seen["printed"] = True

    when_shown(FirstStartDialog, first_question)
    when_window_shown(the_working_day)
    assert run_window(first_start_path, ask_if_new=True) == 0

    # The first start asked, the assistant found the EPCI under its reference name, and the base is where proposed.
    assert seen["choices"] == ["Découvrir avec le contrat de démonstration (Valenciennes Métropole 2015)",
                               "Créer mon propre contrat", "Ouvrir une base existante ou un paquet du siège"]
    assert suggested[0] == str(first_start_path)
    assert seen["suggestions"][0].startswith(f"CU Grand Besançon Métropole — SIREN {BESANCON_SIREN}")
    assert BESANCON_SIREN in seen["epci"] and "67 communes" in seen["epci"]
    assert seen["communes"] == 67 and seen["ticked"].startswith("1 commune cochée sur 67")
    assert [title for title, _pillar in seen["orientations"]] == [
        "Cohésion sociale", "Cadre de vie et renouvellement urbain", "Développement économique et emploi"]
    assert "démonstration" not in seen["title"] and first_start_path.name in seen["title"]
    assert seen.get("printed"), "le programme n'a pas été imprimé"

    conn = sqlite3.connect(first_start_path)
    contract_name, epci_siren, start, end, demo = conn.execute(
        "SELECT name, epci_siren, start_year, end_year, is_demo FROM contract WHERE deleted = 0").fetchone()
    communes = conn.execute("SELECT name, insee_code FROM commune WHERE deleted = 0").fetchall()
    orientations = conn.execute("SELECT number, title FROM orientation WHERE deleted = 0 ORDER BY number").fetchall()
    epci_funder = conn.execute("SELECT siren FROM funder WHERE deleted = 0 AND kind = 'epci'").fetchone()
    cost, requested, granted = conn.execute(
        'SELECT a.total_cost, sum(f.requested), sum(f.granted) FROM "action" a JOIN funding f ON f.action_id = a.id '
        "WHERE a.deleted = 0 AND f.deleted = 0 AND a.year = 2024").fetchone()
    lines = conn.execute("SELECT count(*) FROM funding WHERE deleted = 0").fetchone()[0]
    envelope, = conn.execute("SELECT amount FROM envelope WHERE deleted = 0 AND year = 2024").fetchone()
    quartiers = conn.execute("SELECT count(*) FROM quartier WHERE deleted = 0").fetchone()[0]
    conn.close()
    assert (epci_siren, start, end, demo) == (BESANCON_SIREN, 2024, 2030, 0)
    assert communes == [("Besançon", "25056")]
    assert [title for _n, title in orientations][0] == "Cohésion sociale"
    assert epci_funder == (BESANCON_SIREN,)
    assert quartiers == 2 and lines == 3
    # Hand count of what she typed: 25 000 + 15 000 + 10 000,50 requested; 20 000 + 15 000 + 8 000 granted.
    assert (cost, requested, granted) == (6_000_000, 5_000_050, 4_300_000)

    header, text = pdf_text(out)
    assert norm(contract_name) in header and "Programme d'actions 2024" in header
    assert "Données de démonstration" not in text
    assert "2024-GBM-001" in text and "Ateliers numériques à Planoise" in text
    assert f"1 action · coût total {euros(cost)} · demandé {euros(requested)} · accordé {euros(granted)}" in text
    # The envelopes' table: the État's 300 000 € and its 20 000 € granted, 6,7 % of it (hand count: 2/30).
    envelopes = text[text.index("Consommation des enveloppes 2024"):]
    assert euros(envelope) in envelopes and euros(2_000_000) in envelopes and "6,7" in envelopes
    # The Enveloppes form showed the same consumption: the État's 20 000 € granted of its 300 000 €.
    assert seen["envelope"]["amount"] == euros(envelope) == euros(30_000_000)
    assert seen["envelope"]["granted"].startswith(euros(2_000_000))
    for amount in (2_500_000, 2_000_000, 1_500_000, 1_000_050, 800_000):
        assert euros(amount) in text


def test_escape_at_the_first_question_quits_and_creates_nothing(qtbot, watchdog, first_start_path: Path) -> None:
    asked: list[str] = []

    def press_escape(dialog: FirstStartDialog) -> None:
        asked.append(dialog.windowTitle())
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)

    when_shown(FirstStartDialog, press_escape)
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert asked == ["Bienvenue dans cvdesk"]
    assert not first_start_path.parent.exists()


def test_giving_up_the_assistant_comes_back_to_the_question_and_quitting_creates_nothing(
        qtbot, watchdog, monkeypatch: pytest.MonkeyPatch, first_start_path: Path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, proposed, *a, **k: (proposed, ""))
    asked: list[str] = []

    def cancel_assistant(assistant: ContractAssistant) -> None:
        asked.append(assistant.windowTitle())
        when_shown(FirstStartDialog, lambda again: (asked.append(again.windowTitle()), click(qtbot, again.quit_button)))
        click(qtbot, assistant.button(QWizard.WizardButton.CancelButton))

    def own_contract(dialog: FirstStartDialog) -> None:
        when_shown(ContractAssistant, cancel_assistant)
        click(qtbot, dialog.own_button)

    when_shown(FirstStartDialog, own_contract)
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert asked == ["Nouveau contrat", "Bienvenue dans cvdesk"]
    assert not first_start_path.parent.exists()


def test_the_demo_choice_opens_the_demonstration_contract(qtbot, watchdog, first_start_path: Path) -> None:
    seen: dict = {}

    def look(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        seen["actions"] = window.actions_tab.model.rowCount()

    when_shown(FirstStartDialog, lambda dialog: click(qtbot, dialog.demo_button))
    when_window_shown(look)
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert "démonstration" in seen["title"] and first_start_path.name in seen["title"]
    conn = sqlite3.connect(first_start_path)
    name, demo = conn.execute("SELECT name, is_demo FROM contract WHERE deleted = 0").fetchone()
    actions = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    conn.close()
    assert demo == 1 and "Valenciennes" in name
    assert actions == 40 and seen["actions"] == 40


def package_chosen_at_the_first_question(monkeypatch: pytest.MonkeyPatch, demo_template: Path,
                                        tmp_path: Path) -> Path:
    """Headquarters' base (the demo) as the package the coordinator picks, the new base where it is proposed;
    returns headquarters' base."""
    import shutil

    from cvdesk.exchange.export_package import export_package
    from cvdesk.store.database import opened_database

    source = tmp_path / "siege.db"
    shutil.copyfile(demo_template, source)
    package = tmp_path / "paquet-siege.zip"
    with opened_database(source):
        export_package(package, "Siège")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(package), ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda _p, _t, proposed, *a, **k: (proposed, ""))
    return source


def test_a_package_from_headquarters_becomes_a_new_base(qtbot, watchdog, monkeypatch: pytest.MonkeyPatch,
                                                        demo_template: Path, first_start_path: Path,
                                                        tmp_path: Path) -> None:
    from cvdesk.ui.exchange_dialogs import SummaryDialog

    source = package_chosen_at_the_first_question(monkeypatch, demo_template, tmp_path)
    conn = sqlite3.connect(source)
    expected = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    conn.close()
    summaries: list[str] = []

    def confirm(dialog: SummaryDialog) -> None:
        summaries.append(dialog.text.toPlainText())
        if len(summaries) == 1:
            when_shown(SummaryDialog, confirm)  # then the merge's own summary, closed once read
            click(qtbot, dialog.accept_button)
        else:
            dialog.accept()
            close_window_when(lambda: QApplication.activeModalWidget() is None)

    # The merge runs as the window shows, in the window's own import (its questions wait in their own loops):
    # the test answers them as they come, then closes the window.
    when_shown(SummaryDialog, confirm)
    when_shown(FirstStartDialog, lambda dialog: click(qtbot, dialog.open_button))
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert "Fusionner ce paquet" in summaries[0]
    conn = sqlite3.connect(first_start_path)
    merged = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
    conn.close()
    assert merged == expected == 40


def test_opening_an_existing_base_at_the_first_question_opens_it_and_creates_nothing_else(
        qtbot, watchdog, monkeypatch: pytest.MonkeyPatch, demo_template: Path, first_start_path: Path,
        tmp_path: Path) -> None:
    import shutil

    existing = tmp_path / "cle-usb" / "bureau-planoise.db"
    existing.parent.mkdir()
    shutil.copyfile(demo_template, existing)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(existing), ""))
    seen: dict = {}

    def look(window: MainWindow) -> None:
        seen["title"] = window.windowTitle()
        seen["path"] = window.db_path

    when_shown(FirstStartDialog, lambda dialog: click(qtbot, dialog.open_button))
    when_window_shown(look)
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert seen["path"] == existing and existing.name in seen["title"]
    assert not first_start_path.parent.exists()


def test_a_package_whose_merge_is_cancelled_leaves_no_base_behind(qtbot, watchdog, monkeypatch: pytest.MonkeyPatch,
                                                                 demo_template: Path, first_start_path: Path,
                                                                 tmp_path: Path) -> None:
    """The package from headquarters is read, the coordinator answers « Annuler » to « Fusionner ce paquet » and
    closes the window: no empty base is left where the next start would open it without asking again."""
    from PySide6.QtCore import QSettings

    from cvdesk.ui.exchange_dialogs import SummaryDialog
    from cvdesk.ui.main_window import remembered_database

    package_chosen_at_the_first_question(monkeypatch, demo_template, tmp_path)
    asked: list[str] = []

    def cancel(dialog: SummaryDialog) -> None:
        asked.append(dialog.text.toPlainText())
        dialog.reject()
        close_window_when(lambda: QApplication.activeModalWidget() is None)

    when_shown(SummaryDialog, cancel)
    when_shown(FirstStartDialog, lambda dialog: click(qtbot, dialog.open_button))
    assert run_window(first_start_path, ask_if_new=True) == 0
    assert "Fusionner ce paquet" in asked[0]
    left = sorted(p.name for p in first_start_path.parent.iterdir()) if first_start_path.parent.exists() else []
    assert not first_start_path.exists(), left
    assert remembered_database() is None
    assert QSettings().value("database/last") in (None, "")
