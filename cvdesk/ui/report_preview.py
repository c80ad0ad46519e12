"""The PDF preview: a sheet built as an Operation off the UI thread, shown in QtPdf's view, printed or saved as PDF."""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Callable

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QKeySequence, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cvdesk.ui.operations import Operation
from cvdesk.ui.screen_fit import fit_to_screen

# build(out, progress, cancelled) writes the sheet into out; progress(done, total); cancelled() is polled.
Builder = Callable[[BinaryIO, Callable[[int, int], None], Callable[[], bool]], None]

ZOOM_STEP = 1.25
ZOOM_MIN, ZOOM_MAX = 0.25, 4.0
RASTER_DPI = 300


@dataclass(frozen=True)
class ReportJob:
    """A sheet to build: its title for the preview, the file name to suggest, and the builder."""

    title: str
    file_name: str
    build: Builder
    long: bool = False  # the programme: show progress at once, with a cancel button


def write_file_atomically(path: Path, data: bytes) -> None:
    """The whole PDF or nothing: written beside the target, then renamed over it."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class PreviewDialog(QDialog):
    """The sheet as it will print: zoom, fit, print on the system's printers, save as PDF."""

    def __init__(self, title: str, pdf: bytes, file_name: str = "fiche.pdf", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Aperçu – {title}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.pdf_bytes = pdf
        self.file_name = file_name
        self._data = QByteArray(pdf)
        self._buffer = QBuffer(self._data, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)

        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.zoom_out_button = QPushButton("Zoom −")
        self.zoom_in_button = QPushButton("Zoom +")
        self.fit_width_button = QPushButton("Largeur")
        self.fit_page_button = QPushButton("Page entière")
        self.pages_label = QLabel()
        self.print_button = QPushButton("Imprimer…")
        self.save_button = QPushButton("Enregistrer en PDF…")
        self.close_button = QPushButton("Fermer")
        self.zoom_out_button.setShortcut(QKeySequence.StandardKey.ZoomOut)
        self.zoom_in_button.setShortcut(QKeySequence.StandardKey.ZoomIn)
        self.print_button.setShortcut(QKeySequence.StandardKey.Print)
        self.save_button.setShortcut(QKeySequence.StandardKey.Save)
        self.print_button.setDefault(True)
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / ZOOM_STEP))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(ZOOM_STEP))
        self.fit_width_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        self.fit_page_button.clicked.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        self.print_button.clicked.connect(self.print_dialog)
        self.save_button.clicked.connect(self.save_dialog)
        self.close_button.clicked.connect(self.close)

        bar = QHBoxLayout()
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_width_button, self.fit_page_button):
            bar.addWidget(button)
        bar.addSpacing(12)
        bar.addWidget(self.pages_label)
        bar.addStretch(1)
        for button in (self.print_button, self.save_button, self.close_button):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        count = self.document.pageCount()
        self.pages_label.setText(f"{count} page{'s' if count > 1 else ''}")
        # An A4 page is taller than a laptop's 768 pixels: the preview takes what the screen offers and scrolls.
        fit_to_screen(self, QSize(900, 1000))
        settings = QSettings()
        geometry = settings.value("apercu/geometrie")
        if geometry is not None:
            self.restoreGeometry(geometry)
            fit_to_screen(self)  # remembered on a taller screen

    def page_count(self) -> int:
        return self.document.pageCount()

    def zoom_by(self, factor: float) -> None:
        current = self.view.zoomFactor() if self.view.zoomMode() == QPdfView.ZoomMode.Custom else self._fitted_zoom()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(ZOOM_MIN, min(ZOOM_MAX, current * factor)))

    def _fitted_zoom(self) -> float:
        """The zoom the view shows when fitted to the width, so that + and − start from what is seen."""
        page = self.document.pagePointSize(0)
        if page.width() <= 0:
            return 1.0
        dpi_scale = self.logicalDpiX() / 72.0
        return max(ZOOM_MIN, self.view.viewport().width() / (page.width() * dpi_scale))

    # -- printing ------------------------------------------------------------------------------------------------
    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.windowTitle())
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("Imprimer")
        dialog.setMinMax(1, self.page_count())
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer: QPrinter, vector_when_possible: bool = True) -> None:
        """Print the pages; printing "to a PDF file" keeps the sheet's own vector PDF, whole and searchable."""
        whole = printer.printRange() != QPrinter.PrintRange.PageRange
        if (vector_when_possible and whole and printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
                and printer.outputFileName()):
            write_file_atomically(Path(printer.outputFileName()), self.pdf_bytes)
            return
        first, last = 1, self.page_count()
        if not whole:
            first, last = max(1, printer.fromPage()), min(last, printer.toPage() or last)
        # The sheet carries its own 15 mm margins, wider than any printer's unprintable edge: use the whole sheet.
        printer.setFullPage(True)
        painter = QPainter()
        if not painter.begin(printer):
            QMessageBox.warning(self, "Impression impossible", "L'imprimante n'a pas pu être ouverte.")
            return
        try:
            # Pages go out as images of at most 300 dpi: sharp on paper, and an A4 page stays near 35 Mo.
            dpi = min(printer.resolution(), RASTER_DPI)
            for number in range(first, last + 1):
                if number > first:
                    printer.newPage()
                page = self.document.pagePointSize(number - 1)
                size = QSize(round(page.width() / 72 * dpi), round(page.height() / 72 * dpi))
                image = self.document.render(number - 1, size)
                target = QRectF(painter.viewport())
                scaled = QSizeF(size).scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                painter.drawImage(QRectF(QPointF(0, 0), scaled), image)
        finally:
            painter.end()

    def save_dialog(self) -> None:
        settings = QSettings()
        folder = settings.value("apercu/dossier", str(Path.home()))
        name, _ = QFileDialog.getSaveFileName(self, "Enregistrer en PDF", str(Path(folder) / self.file_name),
                                              "Documents PDF (*.pdf)")
        if not name:
            return
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        try:
            self.save_to(path)
        except OSError as exc:
            QMessageBox.warning(self, "Enregistrement impossible",
                                f"Le fichier {path} n'a pas pu être écrit : {exc.strerror or exc}.")
            return
        settings.setValue("apercu/dossier", str(path.parent))

    def save_to(self, path: Path) -> None:
        write_file_atomically(path, self.pdf_bytes)

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        QSettings().setValue("apercu/geometrie", self.saveGeometry())
        super().closeEvent(event)


def preview_report(parent: QWidget, job: ReportJob) -> Operation:
    """Build the job as an Operation, then open its preview; returns the operation (its preview attribute holds
    the dialog once shown; tests wait on it)."""

    def build(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> bytes:
        from cvdesk.store.models import db

        buffer = BytesIO()
        # One read transaction: the sheet is consistent even if the window saves meanwhile (WAL).
        with db.atomic():
            job.build(buffer, progress, cancelled)
        return buffer.getvalue()

    def show(data: bytes) -> None:
        dialog = PreviewDialog(job.title, data, job.file_name, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)  # nothing left behind once closed
        operation.preview = dialog
        dialog.show()

    operation = Operation(parent, build, title="Impression", label=f"Préparation : {job.title}…", cancellable=True,
                          show_after_ms=0 if job.long else 600, on_success=show,
                          on_failure=lambda message: QMessageBox.warning(parent, "Impression impossible", message),
                          label_for=lambda done, total: f"Préparation : {job.title}… ({done} / {total} actions)")
    operation.preview = None
    return operation.start()
