"""The exchange in the window: menu entries, progress off the UI thread, previews, summaries, conflicts."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QApplication, QDialog, QFileDialog, QInputDialog, QMainWindow, QProgressDialog, QPushButton)

from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.export_package import export_package
from cvdesk.exchange.merge import import_package
from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.services.actions import save_action
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import Action, Association, db
from cvdesk.store.settings import OFFICE, get_setting, set_setting
from cvdesk.ui import exchange_actions
from cvdesk.ui.exchange_actions import CANCELLED, run_with_progress
from cvdesk.ui.operations import running
from cvdesk.ui.exchange_dialogs import ConflictsDialog, SheetPreviewDialog, SummaryDialog


@pytest.fixture
def window(exchange_window: QMainWindow) -> QMainWindow:
    return exchange_window  # a bare main window with the File menu's exchange entries (conftest)


def test_the_file_menu_offers_the_exchange(window: QMainWindow) -> None:
    texts = [a.text().replace("&", "") for a in window.file_menu.actions() if not a.isSeparator()]
    assert texts == ["Exporter pour le siège…", "Importer un paquet…", "Importer un tableur…", "Exporter la liste…",
                     "Conflits à examiner…"]


def test_export_for_headquarters_asks_the_office_name_once(empty_db, window, tmp_path: Path, monkeypatch, told) -> None:
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("Bureau de Denain", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "paquet"), ""))
    out = exchange_actions.export_for_headquarters(window)
    assert out == tmp_path / "paquet.zip" and out.exists()
    assert get_setting(OFFICE) == "Bureau de Denain"
    assert "Paquet du bureau « Bureau de Denain » écrit" in told[-1]


def test_a_package_is_previewed_then_merged(demo_template: Path, tmp_path: Path, window, monkeypatch, told) -> None:
    source = tmp_path / "a.db"
    source.write_bytes(demo_template.read_bytes())
    open_database(source)
    export_package(tmp_path / "p.zip", "Bureau Nord")
    open_database(tmp_path / "siege.db")
    shown: list[str] = []

    def exec_(dialog: SummaryDialog) -> int:
        shown.append(dialog.text.toPlainText())
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(SummaryDialog, "exec", exec_)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(tmp_path / "p.zip"), ""))
    assert exchange_actions.import_package_file(window)
    assert "Rien n'est encore écrit" in shown[0] and "Actions" in shown[0]
    assert Action.select().count() == 40
    assert "Total" in shown[1]
    close_database()


def test_the_spreadsheet_preview_shows_the_mapping_and_the_rows_in_error(empty_db, qtbot, tmp_path: Path) -> None:
    sheet = tmp_path / "assos.csv"
    sheet.write_text("N° SIRET;Nom;Couleur\n123;Lire et grandir;bleu\n;Centre social;vert\n", encoding="utf-8")
    dialog = SheetPreviewDialog(preview_sheet(sheet, "associations"))
    qtbot.addWidget(dialog)
    assert dialog.mapping.rowCount() == 3 and dialog.mapping.item(2, 1).text() == "ignorée"
    assert dialog.errors.rowCount() >= 1 and dialog.errors.item(0, 0).text() == "2"
    assert dialog.errors.item(0, 1).text() == "N° SIRET"
    assert not dialog.import_button.isEnabled()
    dialog.grab().save(str(tmp_path / "apercu.png"))
    sheet.write_text("Nom;Sigle\nLire et grandir;LEG\n", encoding="utf-8")
    ok = SheetPreviewDialog(preview_sheet(sheet, "associations"))
    qtbot.addWidget(ok)
    assert ok.import_button.isEnabled() and "1 enregistrement(s) à créer" in ok.verdict.text()


def test_a_spreadsheet_is_imported_from_the_menu(empty_db, window, tmp_path: Path, monkeypatch, told) -> None:
    sheet = tmp_path / "assos.csv"
    sheet.write_text("Nom;Sigle\nLire et grandir;LEG\n", encoding="utf-8")
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert exchange_actions.import_spreadsheet(window, sheet, "associations")
    assert Association.get(Association.acronym == "LEG").name == "Lire et grandir"
    assert "1 enregistrement(s) créé(s)" in told[-1]


def test_the_current_list_is_exported_to_xlsx(demo_db, window, tmp_path: Path, monkeypatch, told) -> None:
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Financements", True))
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "financements"), "Classeur Excel (*.xlsx)"))
    out = exchange_actions.export_list(window)
    assert out == tmp_path / "financements.xlsx" and out.exists()
    assert "ligne(s) écrite(s)" in told[-1]


def test_cancel_stops_the_work(window, qtbot) -> None:
    def work(progress, cancelled):
        deadline = time.monotonic() + 10
        step = 0
        while time.monotonic() < deadline:
            step += 1
            progress(step, 100_000)
            if cancelled():
                raise Cancelled()
            time.sleep(0.01)
        return "fini"

    def press_cancel() -> None:
        buttons = [b for d in QApplication.topLevelWidgets() if isinstance(d, QProgressDialog) and d.isVisible()
                   for b in d.findChildren(QPushButton)]
        if buttons:
            buttons[0].click()  # the user presses Annuler
        else:
            QTimer.singleShot(50, press_cancel)

    QTimer.singleShot(50, press_cancel)
    status, _ = run_with_progress(window, "Essai", "Travail…", work)
    assert status == CANCELLED


def test_conflicts_are_reviewed_and_the_chosen_version_stays(demo_template: Path, tmp_path: Path, qtbot) -> None:
    siege = tmp_path / "siege.db"
    siege.write_bytes(demo_template.read_bytes())
    open_database(siege)
    set_setting(OFFICE, "Siège")
    export_package(tmp_path / "p0.zip", "Siège")
    reference = Action.select().first().reference
    open_database(tmp_path / "nord.db")
    set_setting(OFFICE, "Bureau Nord")
    import_package(tmp_path / "p0.zip")
    assert save_action({"title": "Titre du Nord"}, Action.get(Action.reference == reference).id).ok
    export_package(tmp_path / "p1.zip", "Bureau Nord")
    open_database(siege)
    assert save_action({"title": "Titre du siège"}, Action.get(Action.reference == reference).id).ok
    summary = import_package(tmp_path / "p1.zip")
    from cvdesk.exchange.conflicts import pending_conflicts

    dialog = ConflictsDialog(pending_conflicts())
    qtbot.addWidget(dialog)
    assert dialog.list.rowCount() == 1 and reference in dialog.list.item(0, 1).text()
    assert [dialog.details.item(0, c).text() for c in range(3)] == ["Intitulé", "Titre du siège", "Titre du Nord"]
    dialog.grab().save(str(tmp_path / "conflits.png"))
    dialog.choose(0, "incoming")
    dialog.apply()
    assert Action.get(Action.reference == reference).title == "Titre du Nord"
    assert pending_conflicts() == [] and summary.conflicts
    close_database()


def test_cancelling_a_spreadsheet_import_writes_nothing(empty_db, window, tmp_path: Path, monkeypatch, told) -> None:
    sheet = tmp_path / "assos.csv"
    rows = "".join(f"Association numéro {n};A{n}\n" for n in range(3000))
    sheet.write_text("Nom;Sigle\n" + rows, encoding="utf-8")
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    before = db.execute_sql("SELECT count(*) FROM association").fetchone()[0]

    def cancel_the_import() -> None:
        ops = [op for op in running() if op.label == "Import…"]
        if ops and ops[0].last_progress is not None and ops[0].last_progress[0] >= 100:
            ops[0].cancel()  # what Annuler does, once rows are being written
        else:
            QTimer.singleShot(2, cancel_the_import)

    QTimer.singleShot(0, cancel_the_import)
    assert not exchange_actions.import_spreadsheet(window, sheet, "associations")
    assert told[-1] == "Annulé : rien n'a été écrit."
    assert db.execute_sql("SELECT count(*) FROM association").fetchone()[0] == before == 0


def test_a_funders_sheet_is_chosen_by_its_french_name_and_imported(empty_db, window, tmp_path: Path,
                                                                   monkeypatch, told) -> None:
    sheet = tmp_path / "financeurs.csv"
    sheet.write_text("Nom;Nom court;Catégorie\nCaisse d'allocations familiales du Nord;CAF du Nord;CAF\n",
                     encoding="utf-8")
    offered: list[str] = []

    def choose(_parent, _title, _label, items, *_args, **_kwargs):
        offered.extend(items)
        return "Financeurs", True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    assert exchange_actions.import_spreadsheet(window, sheet)
    assert {"Communes", "Orientations du contrat", "Financeurs", "Enveloppes des financeurs"} <= set(offered)
    names = [name for (name,) in db.execute_sql("SELECT short_name FROM funder WHERE deleted = 0")]
    assert names == ["CAF du Nord"]
    assert "1 enregistrement(s) créé(s)" in told[-1]
