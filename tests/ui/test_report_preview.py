"""Printing from the window: the preview of a sheet, printed through QPrinter, saved, and the programme cancelled."""
from __future__ import annotations

import threading
import time
from io import BytesIO
from pathlib import Path

import shiboken6
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from cvdesk.reports.quartier_sheet import build_quartier_sheet
from cvdesk.reports.styles import ReportCancelled
from cvdesk.services.report_data import ProgrammeScope, find_quartier
from cvdesk.ui.report_actions import ProgrammeDialog, install_report_actions, programme_job, record_job
from cvdesk.ui.operations import CANCELLED, running
from cvdesk.ui.report_preview import PreviewDialog, ReportJob, preview_report


def _text(path: Path) -> str:
    return " ".join((p.extract_text() or "").replace("\u00a0", " ") for p in PdfReader(str(path)).pages)


def _pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def test_the_preview_of_a_quartier_prints_to_a_pdf_file(qtbot, demo_db, tmp_path: Path) -> None:
    quartier = find_quartier("QP059001")
    buffer = BytesIO()
    build_quartier_sheet(quartier.id, buffer)
    dialog = PreviewDialog("Fiche quartier QP059001", buffer.getvalue(), "fiche-QP059001.pdf")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.page_count() == 2)
    assert dialog.pages_label.text() == "2 pages"

    dialog.zoom_in_button.click()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.Custom
    zoomed = dialog.view.zoomFactor()
    dialog.zoom_out_button.click()
    assert dialog.view.zoomFactor() < zoomed
    dialog.fit_page_button.click()
    assert dialog.view.zoomMode() == QPdfView.ZoomMode.FitInView

    printed = tmp_path / "imprime.pdf"
    dialog.print_to(_pdf_printer(printed))
    text = _text(printed)
    assert "QP059001 – Chasse Royale" in text and "Page 2 / 2" in text

    # A real printer gets the pages as images at its resolution: every page goes out.
    raster = tmp_path / "raster.pdf"
    dialog.print_to(_pdf_printer(raster), vector_when_possible=False)
    assert len(PdfReader(str(raster)).pages) == 2

    saved = tmp_path / "enregistre.pdf"
    dialog.save_to(saved)
    assert saved.read_bytes() == buffer.getvalue()


def test_a_sheet_is_built_off_the_ui_thread_then_previewed(qtbot, demo_db) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    quartier = find_quartier("QP059002")
    runner = preview_report(parent, record_job("quartier", quartier.id))
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=15000)
    assert runner.wait()
    assert quartier.code in runner.preview.windowTitle()
    assert runner.preview.page_count() >= 1
    runner.preview.close()


def test_a_long_build_shows_progress_and_can_be_cancelled(qtbot, demo_db) -> None:
    started = threading.Event()

    def slow_build(out, progress, cancelled) -> None:
        progress(1, 10)
        started.set()
        deadline = time.monotonic() + 10
        while not cancelled():
            if time.monotonic() > deadline:
                raise AssertionError("jamais annulé")
            time.sleep(0.01)
        raise ReportCancelled()

    parent = QWidget()
    qtbot.addWidget(parent)
    runner = preview_report(parent, ReportJob("Programme 2015", "programme-2015.pdf", slow_build, long=True))
    qtbot.waitUntil(lambda: runner.dialog is not None and runner.dialog.isVisible(), timeout=2000)
    assert started.wait(5)
    qtbot.waitUntil(lambda: runner.dialog.maximum() == 10)
    dialog = runner.dialog
    dialog.findChild(QPushButton).click()  # the user presses Annuler
    assert runner.wait()
    qtbot.waitUntil(lambda: runner.outcome is not None)
    assert runner.preview is None and runner.outcome == (CANCELLED, None)
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_the_programme_is_built_with_its_progress(qtbot, demo_db) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    runner = preview_report(parent, programme_job(ProgrammeScope(2015)))
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=15000)
    assert runner.wait()
    assert runner.last_progress == (40, 40)
    assert runner.preview.page_count() >= 4
    runner.preview.close()


def test_the_programme_dialog_offers_the_years_and_narrowings(qtbot, demo_db) -> None:
    dialog = ProgrammeDialog()
    qtbot.addWidget(dialog)
    assert dialog.year_box.currentData() == 2015
    assert dialog.orientation_box.count() == 7 and dialog.quartier_box.count() == 15
    dialog.funder_box.setCurrentIndex(1)
    scope = dialog.scope()
    assert scope.year == 2015 and scope.funder_id is not None and scope.orientation_id is None


def test_the_window_prints_the_quartier_on_screen(window, qtbot, tmp_path: Path) -> None:
    if not hasattr(window, "print_sheet_action"):  # the window fixture leaves the optional menus out
        install_report_actions(window)
    assert window.print_sheet_action.shortcut().toString() == "Ctrl+P"
    texts = [a.text() for a in window.file_menu.actions()]
    assert "&Imprimer la fiche…" in texts and "&Programme…" in texts
    quartier = find_quartier("QP059001")
    window.open_record("quartier", quartier.id)
    window.print_sheet_action.trigger()
    runner = window.last_report_runner
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=15000)
    assert runner.wait()
    out = tmp_path / "fiche.pdf"
    runner.preview.print_to(_pdf_printer(out))
    assert "QP059001 – Chasse Royale" in _text(out)
    runner.preview.close()


def test_installing_on_a_bare_window_is_harmless(qtbot) -> None:
    bare = QWidget()
    qtbot.addWidget(bare)
    install_report_actions(bare)
    assert not hasattr(bare, "print_sheet_action")


def test_a_save_during_the_build_neither_waits_nor_mixes_into_the_sheet(qtbot, demo_db) -> None:
    from cvdesk.services.quartiers import save_quartier
    from cvdesk.store.models import Quartier

    quartier = find_quartier("QP059001")
    started, saved = threading.Event(), threading.Event()
    seen: list[tuple[str, str]] = []

    def build(out, progress, cancelled) -> None:
        first = Quartier.get_by_id(quartier.id).name
        started.set()
        assert saved.wait(10)
        seen.append((first, Quartier.get_by_id(quartier.id).name))
        build_quartier_sheet(quartier.id, out)

    parent = QWidget()
    qtbot.addWidget(parent)
    runner = preview_report(parent, ReportJob("Fiche quartier", "fiche.pdf", build))
    assert started.wait(10)
    result = save_quartier({"name": "Chasse Royale renommée"}, quartier.id)  # the window saves meanwhile
    assert result.ok
    saved.set()
    qtbot.waitUntil(lambda: runner.preview is not None, timeout=15000)
    assert runner.wait()
    assert seen == [("Chasse Royale", "Chasse Royale")]  # one snapshot from start to end
    assert Quartier.get_by_id(quartier.id).name == "Chasse Royale renommée"
    runner.preview.close()


def test_printing_three_times_leaves_no_thread_progress_or_preview_behind(qtbot, demo_db) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    quartier = find_quartier("QP059002")
    previews = []
    for _ in range(3):
        runner = preview_report(parent, record_job("quartier", quartier.id))
        qtbot.waitUntil(lambda: runner.preview is not None, timeout=15000)
        previews.append(runner.preview)
        runner.preview.close()
    qtbot.waitUntil(lambda: running() == [], timeout=5000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not any(shiboken6.isValid(p) for p in previews)
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog)] == []
