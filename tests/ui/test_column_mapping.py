"""A coordinator imports a partner's file whose column names cvdesk does not know: she says with the keyboard which
column holds what, sees the first rows and then every row in error, imports, and the next file maps itself."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QDialog, QMainWindow

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.store.models import db
from cvdesk.ui import exchange_actions
from cvdesk.ui.column_mapping_dialog import ColumnMappingDialog
from cvdesk.ui.exchange_dialogs import SheetPreviewDialog
from tests.ui.conftest import LAPTOP
from tests.ui.test_screen_fit import _hidden_buttons, _look, _on_screen, _show_on

SIRET = make_siret(luhn_complete("12345678"), "0001")
HEADER = "Organisme bénéficiaire;Identifiant établissement;Ville du siège;Interlocuteur"


class Driver:
    """Plays the user's part in each modal dialog as it opens, in order; a failed check, or a dialog that does not
    come, closes the dialogs (so that the test ends) and is raised by done()."""

    def __init__(self, patience_s: float = 20) -> None:
        self.steps: list[tuple[type[QDialog], Callable[[QDialog], None]]] = []
        self.seen: list[str] = []
        self.acted: list[QDialog] = []  # a button's mnemonic clicks 100 ms later: the dialog stays up meanwhile
        self.failure: BaseException | None = None
        self.deadline = time.monotonic() + patience_s

    def then(self, kind: type[QDialog], act: Callable[[QDialog], None]) -> Driver:
        self.steps.append((kind, act))
        return self

    def start(self) -> None:
        QTimer.singleShot(20, self._poll)

    def _poll(self) -> None:
        dialog = QApplication.activeModalWidget()
        if self.failure is None and self.steps and time.monotonic() > self.deadline:
            self.failure = AssertionError(f"{self.steps[0][0].__name__} ne s'est pas ouvert "
                                          f"({type(dialog).__name__ if dialog else 'aucun dialogue'} à la place)")
        if self.failure is not None:
            if isinstance(dialog, QDialog):
                dialog.reject()
            QTimer.singleShot(20, self._poll)
            return
        if not self.steps:
            return
        kind, act = self.steps[0]
        if isinstance(dialog, kind) and dialog.isVisible() and not any(dialog is d for d in self.acted):
            if not dialog.isActiveWindow():
                dialog.activateWindow()  # as the window manager does for a new dialog; acted on at the next poll
            else:
                self.steps.pop(0)
                self.seen.append(kind.__name__)
                self.acted.append(dialog)
                try:
                    act(dialog)
                except BaseException as exc:  # noqa: BLE001 - handed to the test by done()
                    self.failure = exc
        QTimer.singleShot(20, self._poll)

    def done(self) -> list[str]:
        if self.failure is not None:
            raise self.failure
        assert not self.steps, f"dialogues attendus et jamais ouverts : {[k.__name__ for k, _ in self.steps]}"
        return self.seen


@pytest.fixture
def window(exchange_window: QMainWindow) -> QMainWindow:
    return exchange_window  # a bare main window with the File menu's exchange entries (conftest)


def _file(path: Path, header: str, rows: str) -> Path:
    path.write_text(header + "\n" + rows, encoding="utf-8")
    return path


def _associations() -> list[tuple[str, str, str, str]]:
    return list(db.execute_sql("SELECT name, siret, city, contact_name FROM association WHERE deleted = 0 "
                               "ORDER BY name"))


def _type(qtbot, text: str) -> None:
    """Keys into whatever has the focus, as a person types."""
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _key(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _current(dialog: ColumnMappingDialog) -> dict[str, str]:
    return {name: combo.currentText() for name, combo in zip(dialog.header, dialog.combos)}


def test_a_partner_file_is_mapped_with_the_keyboard_imported_and_the_next_one_maps_itself(
        empty_db, window, qtbot, tmp_path: Path, told) -> None:
    january = _file(tmp_path / "janvier.csv", HEADER, f"Lire et grandir;{SIRET};Denain;Mme Leroy\n"
                                                      "Femmes solidaires;;Anzin;M. Diallo\n")

    def map_columns(dialog: ColumnMappingDialog) -> None:
        assert "Champ obligatoire sans colonne : Nom" in dialog.verdict.text()
        assert not dialog.continue_button.isEnabled()
        assert QApplication.focusWidget() is dialog.combos[0]  # the first column's list, ready for the keyboard
        _type(qtbot, "Nom")
        _key(qtbot, Qt.Key.Key_Tab)
        _type(qtbot, "SIRET")
        _key(qtbot, Qt.Key.Key_Tab)
        _type(qtbot, "Commune")
        _key(qtbot, Qt.Key.Key_Tab)
        _type(qtbot, "Contact")
        assert _current(dialog) == {"Organisme bénéficiaire": "Nom *", "Identifiant établissement": "SIRET",
                                    "Ville du siège": "Commune", "Interlocuteur": "Contact"}
        assert dialog.continue_button.isEnabled()
        assert "Les 2 premières lignes se lisent sans erreur" in dialog.verdict.text()
        assert dialog.rows.horizontalHeaderItem(2).text() == "Ville du siège\n→ Commune"
        assert dialog.rows.item(1, 0).text() == "Femmes solidaires"
        _key(qtbot, Qt.Key.Key_Return)

    def import_it(dialog: SheetPreviewDialog) -> None:
        assert "2 enregistrement(s) à créer" in dialog.verdict.text()
        rows = {dialog.mapping.item(r, 0).text(): dialog.mapping.item(r, 1).text()
                for r in range(dialog.mapping.rowCount())}
        assert rows["Organisme bénéficiaire"] == "Nom" and rows["Interlocuteur"] == "Contact"
        _key(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)

    driver = Driver().then(ColumnMappingDialog, map_columns).then(SheetPreviewDialog, import_it)
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, january, "associations")
    assert driver.done() == ["ColumnMappingDialog", "SheetPreviewDialog"] and imported
    assert _associations() == [("Femmes solidaires", "", "Anzin", "M. Diallo"),
                               ("Lire et grandir", SIRET, "Denain", "Mme Leroy")]
    assert "2 enregistrement(s) créé(s)" in told[-1]

    # February: the same columns in another order. No question: the preview opens with the mapping remembered.
    february = _file(tmp_path / "fevrier.csv", "Interlocuteur;Ville du siège;Organisme bénéficiaire;"
                                               "Identifiant établissement", "Mme Roux;Marly;Centre social;\n")

    def check_and_import(dialog: SheetPreviewDialog) -> None:
        assert ("Organisme bénéficiaire", "Nom") in dialog.preview.mapping
        _key(qtbot, Qt.Key.Key_I, Qt.KeyboardModifier.AltModifier)

    driver = Driver().then(SheetPreviewDialog, check_and_import)
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, february, "associations")
    assert driver.done() == ["SheetPreviewDialog"] and imported
    assert ("Centre social", "", "Marly", "Mme Roux") in _associations()


def test_rows_in_error_show_in_the_first_rows_then_by_line_and_nothing_is_written(
        empty_db, window, qtbot, tmp_path: Path, told) -> None:
    sheet = _file(tmp_path / "departement.csv", HEADER, f"Lire et grandir;{SIRET};Denain;\n"
                                                        "Femmes solidaires;123;Anzin;\n"
                                                        ";;Marly;M. Diallo\n")

    def map_columns(dialog: ColumnMappingDialog) -> None:
        dialog.choose("Organisme bénéficiaire", "Nom")
        dialog.choose("Identifiant établissement", "SIRET")
        errors = [(dialog.errors.item(r, 0).text(), dialog.errors.item(r, 1).text(), dialog.errors.item(r, 2).text())
                  for r in range(dialog.errors.rowCount())]
        assert errors == [("3", "Identifiant établissement", "123"), ("4", "Organisme bénéficiaire", "")]
        assert "2 erreur(s) dans les 3 premières lignes" in dialog.verdict.text()
        bad = dialog.rows.item(1, 1)  # line 3's SIRET, in red with its reason
        assert bad.background().color().name() == "#f8d7da" and "14 chiffres" in bad.toolTip()
        assert dialog.rows.item(0, 1).background().style() == Qt.BrushStyle.NoBrush
        _key(qtbot, Qt.Key.Key_Return)

    def read_and_cancel(dialog: SheetPreviewDialog) -> None:
        assert not dialog.import_button.isEnabled()
        lines = [dialog.errors.item(r, 0).text() for r in range(dialog.errors.rowCount())]
        assert lines == ["3", "4"]
        assert dialog.errors.item(0, 2).text() == "123" and "SIRET" in dialog.errors.item(0, 3).text()
        assert "sur 2 ligne(s)" in dialog.verdict.text()
        _key(qtbot, Qt.Key.Key_Escape)

    driver = Driver().then(ColumnMappingDialog, map_columns).then(SheetPreviewDialog, read_and_cancel)
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, sheet, "associations")
    driver.done()
    assert not imported
    assert _associations() == []


def test_a_wrong_guess_is_corrected_from_the_preview(empty_db, window, qtbot, tmp_path: Path, told) -> None:
    # « Nom » is the contact person here; cvdesk's usual names take it for the association's name.
    sheet = _file(tmp_path / "contacts.csv", "Nom;Organisme;Ville", "Mme Leroy;Lire et grandir;Denain\n")

    def ask_for_the_columns(dialog: SheetPreviewDialog) -> None:
        assert ("Nom", "Nom") in dialog.preview.mapping
        _key(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)  # « Changer les colonnes… »

    def remap(dialog: ColumnMappingDialog) -> None:
        assert _current(dialog)["Nom"] == "Nom *"  # the guess, to be corrected
        _type(qtbot, "Contact")
        _key(qtbot, Qt.Key.Key_Tab)
        _type(qtbot, "Nom")
        assert _current(dialog) == {"Nom": "Contact", "Organisme": "Nom *", "Ville": "Commune"}
        _key(qtbot, Qt.Key.Key_Return)

    def import_it(dialog: SheetPreviewDialog) -> None:
        assert ("Organisme", "Nom") in dialog.preview.mapping
        _key(qtbot, Qt.Key.Key_Return)

    driver = (Driver().then(SheetPreviewDialog, ask_for_the_columns).then(ColumnMappingDialog, remap)
              .then(SheetPreviewDialog, import_it))
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, sheet, "associations")
    driver.done()
    assert imported
    assert _associations() == [("Lire et grandir", "", "Denain", "Mme Leroy")]


def test_choosing_a_field_takes_it_from_the_column_that_had_it(empty_db, qtbot, tmp_path: Path) -> None:
    sheet = _file(tmp_path / "a.csv", "Nom;Organisme", "Mme Leroy;Lire et grandir\n")
    dialog = ColumnMappingDialog(preview_sheet(sheet, "associations"))
    qtbot.addWidget(dialog)
    dialog.choose("Organisme", "Nom")
    assert _current(dialog) == {"Nom": "(ignorée)", "Organisme": "Nom *"}
    assert dialog.columns() == {"Nom": "", "Organisme": "name"}


def test_at_1366x768_the_mapping_dialog_of_a_wide_file_fits_with_its_buttons(empty_db, qtbot, tmp_path: Path) -> None:
    names = [f"Colonne du partenaire numéro {n} avec un titre long" for n in range(40)]
    rows = "".join(";".join(f"valeur {r}-{c} " + "x" * 30 for c in range(40)) + "\n" for r in range(60))
    sheet = _file(tmp_path / "large.csv", ";".join(names), rows)
    dialog = ColumnMappingDialog(preview_sheet(sheet, "actions"))
    qtbot.addWidget(dialog)
    _show_on(dialog, LAPTOP, qtbot)
    assert _on_screen(dialog, LAPTOP) == []
    assert _hidden_buttons(dialog, [b for b in dialog.findChildren(QAbstractButton) if b.text()]) == []
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    assert QApplication.focusWidget() is dialog.combos[0]
    # The 40 lists are reached with Tab, each scrolled into view as it takes the focus.
    for _ in range(39):
        _key(qtbot, Qt.Key.Key_Tab)
    last = dialog.combos[-1]
    assert QApplication.focusWidget() is last and isinstance(last, QComboBox)
    assert last.visibleRegion() == QRegion(last.rect())
    _look(dialog, "correspondance-colonnes-1366x768")


def test_columns_that_cannot_be_told_apart_are_left_out_of_the_mapping(empty_db, qtbot, tmp_path: Path) -> None:
    sheet = _file(tmp_path / "a.csv", "Organisme;;Montant;Montant", "Lire et grandir;x;10;20\n")
    dialog = ColumnMappingDialog(preview_sheet(sheet, "associations"))
    qtbot.addWidget(dialog)
    assert [combo.isEnabled() for combo in dialog.combos] == [True, False, True, False]
    dialog.choose("Organisme", "Nom")
    assert dialog.columns() == {"Organisme": "name", "Montant": ""}
    assert dialog.verdict.text() == "La première ligne se lit sans erreur. L'aperçu complet suit."
