"""Review of Fichier > Importer un tableur… and Exporter la liste… as a coordinator uses them at 1366×768, keyboard
first: what she reads must read whole, in French, and what she cancels writes nothing."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
)

from cvdesk.store.models import db
from cvdesk.ui import exchange_actions
from cvdesk.ui.app import make_application
from cvdesk.ui.exchange_actions import install_exchange_actions
from cvdesk.ui.exchange_dialogs import SheetPreviewDialog
from tests.ui.conftest import LAPTOP
from tests.ui.test_column_mapping import Driver
from tests.ui.test_screen_fit import _hidden_buttons, _on_screen, _screen

PARTNERS = Path(__file__).resolve().parent.parent / "fixtures" / "partners"
ENGLISH = ("Look in", "Files of type", "Folder", "Drive")


@pytest.fixture
def window(qtbot) -> QMainWindow:
    """A window with the Fichier menu's exchange entries, maximised on the laptop's screen (its dialogs open there)."""
    make_application()  # as cvdesk starts: Qt's own texts in French
    main = QMainWindow()
    qtbot.addWidget(main)
    install_exchange_actions(main)
    main.setScreen(_screen(LAPTOP))
    main.showMaximized()
    qtbot.waitExposed(main)
    return main


def _entry(window: QMainWindow, name: str):
    [entry] = [a for a in window.exchange_actions if a.objectName() == name]
    return entry


def _key(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _type(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def _cut_cells(table: QTableWidget) -> list[str]:
    """The cells a person cannot read whole on screen: their text, wrapped to the column's width (less the cell's
    margins), is taller than the row, or the column ends beyond the table's visible width."""
    metrics = table.fontMetrics()
    cut = []
    for row in range(table.rowCount()):
        for column in range(table.columnCount()):
            text = table.item(row, column).text()
            width = table.columnWidth(column) - 6  # the delegate's text margins, 3 pixels each side
            needed = metrics.boundingRect(QRect(0, 0, max(1, width), 100_000),
                                          Qt.TextFlag.TextWordWrap, text).height()
            beyond = table.columnViewportPosition(column) + table.columnWidth(column) > table.viewport().width()
            if text and (needed > table.rowHeight(row) or beyond):
                cut.append(text)
    return cut


def test_the_points_to_check_of_a_partners_file_read_whole_in_the_preview(empty_db, window, qtbot) -> None:
    """Deux-Sèvres' .xls (SCDL): the preview lists the doubtful matches (« par son nom alors que leurs SIRET
    diffèrent (… dans le fichier, … ») whose end says what to check; each reason must read whole, not end in « … »."""
    seen: dict[str, object] = {}

    def read_and_leave(dialog: SheetPreviewDialog) -> None:
        seen["reasons"] = [dialog.warnings.item(r, 3).text() for r in range(dialog.warnings.rowCount())]
        seen["cut"] = _cut_cells(dialog.warnings)
        seen["outside"] = _on_screen(dialog, LAPTOP)
        seen["buttons"] = _hidden_buttons(dialog, [b for b in dialog.findChildren(QAbstractButton) if b.text()])
        _key(qtbot, Qt.Key.Key_Escape)

    driver = Driver().then(SheetPreviewDialog, read_and_leave)
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, PARTNERS / "deux_sevres.xls", "scdl")
    driver.done()
    assert not imported
    assert any("leurs SIRET diffèrent" in reason for reason in seen["reasons"])  # type: ignore[union-attr]
    assert seen["cut"] == []
    assert seen["outside"] == [] and seen["buttons"] == []
    # Escape wrote nothing.
    assert db.execute_sql("SELECT count(*) FROM association").fetchone()[0] == 0


def test_the_file_dialog_of_the_import_speaks_french(empty_db, window, qtbot, tmp_path: Path) -> None:
    """Fichier > Importer un tableur…: the file dialog's labels and the kind of each entry are French."""
    (tmp_path / "partenaires").mkdir()
    (tmp_path / "aube.xlsx").write_bytes((PARTNERS / "aube.xlsx").read_bytes())
    shown: list[str] = []

    def look_and_leave(dialog: QFileDialog) -> None:
        _type(qtbot, str(tmp_path))
        _key(qtbot, Qt.Key.Key_Return)  # into the folder, as typed
        view = next(v for v in dialog.findChildren(QAbstractItemView) if v.isVisible() and v.objectName() == "treeView")
        qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) == 2)
        model, root = view.model(), view.rootIndex()
        for row in range(model.rowCount(root)):
            for column in range(model.columnCount(root)):
                shown.append(str(model.index(row, column, root).data()))
        shown.extend(label.text() for label in dialog.findChildren(QLabel) if label.isVisible())
        _key(qtbot, Qt.Key.Key_Escape)

    driver = Driver().then(QFileDialog, look_and_leave)
    driver.start()
    _entry(window, "exchange_import_spreadsheet").trigger()
    driver.done()
    assert "partenaires" in shown and any("Voir dans" in text for text in shown)
    assert [text for text in shown if any(word in text for word in ENGLISH)] == []


def test_every_grant_left_out_of_the_scdl_file_can_be_read_and_the_box_fits(demo_db, window, qtbot,
                                                                              tmp_path: Path) -> None:
    """No funder has its SIRET yet: the SCDL export names each of them (their grants left out), all readable from
    the box, whose buttons stay on the laptop's screen."""
    db.execute_sql("UPDATE funder SET siret = '', siren = ''")
    expected = [name for (name,) in db.execute_sql(
        "SELECT DISTINCT fu.name FROM funding f JOIN funder fu ON fu.id = f.funder_id JOIN \"action\" a "
        "ON a.id = f.action_id WHERE f.deleted = 0 AND a.deleted = 0 AND fu.deleted = 0 AND f.granted > 0 "
        "AND fu.kind <> 'bailleur'")]
    assert len(expected) > 10  # more than the box used to list
    read: dict[str, object] = {}

    def pick(dialog: QInputDialog) -> None:
        _type(qtbot, "Su")  # « Subventions accordées (format national SCDL, open data) »
        _key(qtbot, Qt.Key.Key_Return)

    def name_the_file(dialog: QFileDialog) -> None:
        _key(qtbot, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        _type(qtbot, str(tmp_path / "subventions"))
        _key(qtbot, Qt.Key.Key_Return)

    def read_the_box(box: QMessageBox) -> None:
        details = next((b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.ActionRole), None)
        if details is not None:
            details.click()  # « Montrer les détails… »
            qtbot.wait(50)
        read["text"] = box.text() + "\n" + box.detailedText()
        read["outside"] = _on_screen(box, LAPTOP)
        read["buttons"] = _hidden_buttons(box, [b for b in box.buttons() if b.isVisible()])
        box.accept()

    driver = (Driver().then(QInputDialog, pick).then(QFileDialog, name_the_file)
              .then(QMessageBox, read_the_box))
    driver.start()
    _entry(window, "exchange_export_list").trigger()
    driver.done()
    assert (tmp_path / "subventions.csv").exists()
    assert [name for name in expected if f"« {name} »" not in read["text"]] == []  # type: ignore[operator]
    assert read["outside"] == [] and read["buttons"] == []


def _actions_sheet(path: Path, actions: int) -> Path:
    """A coordinator's sheet of actions, two funders each (two rows per reference), from the demo's names."""
    porteurs = [name for (name,) in db.execute_sql("SELECT name FROM association WHERE deleted = 0 ORDER BY id")]
    funders = [name for (name,) in db.execute_sql("SELECT name FROM funder WHERE kind <> 'bailleur' ORDER BY id")]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Référence", "Intitulé", "Année", "Orientation", "Porteur", "Financeur", "Montant demandé"])
        for n in range(actions):
            for funder in (funders[n % len(funders)], funders[(n + 1) % len(funders)]):
                writer.writerow([f"2024-RV-{n + 1:05d}", f"Action {n + 1}", "2024", str(n % 5 + 1),
                                 porteurs[n % len(porteurs)], funder, "1 500,00"])
    return path


def test_annuler_while_a_big_sheet_is_read_stops_the_import_and_writes_nothing(demo_db, window, qtbot,
                                                                                tmp_path: Path) -> None:
    """100,000 rows take a few seconds to read and check: « Lecture du tableur… » offers « Annuler », Escape takes it,
    no preview follows, the window says nothing was written, and nothing was. (20,000 rows went by, once the reading
    got faster, before the progress dialog's delay: the preview came instead.)"""
    sheet = _actions_sheet(tmp_path / "actions.csv", 50_000)
    before = db.execute_sql('SELECT count(*) FROM "action"').fetchone()[0]
    read: dict[str, object] = {}

    def cancel(dialog: QProgressDialog) -> None:
        read["label"] = dialog.findChild(QLabel).text()
        read["buttons"] = [b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()]
        _key(qtbot, Qt.Key.Key_Escape)

    def told(box: QMessageBox) -> None:
        read["told"] = box.text()
        _key(qtbot, Qt.Key.Key_Return)

    driver = Driver().then(QProgressDialog, cancel).then(QMessageBox, told)
    driver.start()
    imported = exchange_actions.import_spreadsheet(window, sheet, "actions")
    driver.done()
    assert not imported
    assert read["label"] == "Lecture du tableur…" and read["buttons"] == ["Annuler"]
    assert read["told"] == "Annulé : rien n'a été écrit."
    assert db.execute_sql('SELECT count(*) FROM "action"').fetchone()[0] == before
