"""The PDF preview: a sheet built off the UI thread, shown in QtPdf's view, printed or saved as PDF."""
from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO, Callable

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QPointF,
    QRectF,
    QSettings,
    QSize,
    QSizeF,
    Qt,
    QThread,
    Signal,
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
    QProgressDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

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


def _close_thread_connection() -> None:
    """peewee gives each thread its own SQLite connection: the worker closes its own when done."""
    from cvdesk.store.models import db

    database = getattr(db, "obj", None)
    if database is not None and not database.is_closed():
        database.close()


class ReportWorker(QObject):
    """Builds a sheet into memory on a worker thread; reads from one snapshot of the database."""

    progressed = Signal(int, int)
    done = Signal(bytes)
    failed = Signal(str)
    was_cancelled = Signal()

    def __init__(self, job: ReportJob) -> None:
        super().__init__()
        self.job = job
        self.cancel_event = threading.Event()

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:
        from cvdesk.reports.styles import ReportCancelled, ReportError
        from cvdesk.store.models import db

        buffer = BytesIO()
        try:
            # One read transaction: the sheet is consistent even if the window saves meanwhile (WAL).
            with db.atomic():
                self.job.build(buffer, lambda done, total: self.progressed.emit(done, total),
                               self.cancel_event.is_set)
        except ReportCancelled:
            self.was_cancelled.emit()
        except ReportError as exc:
            self.failed.emit(str(exc))
        except OSError as exc:
            self.failed.emit(f"Le document n'a pas pu être préparé : {exc.strerror or exc}.")
        except Exception as exc:  # the user gets a sentence, never a traceback
            self.failed.emit(f"Le document n'a pas pu être préparé ({type(exc).__name__} : {exc}).")
        else:
            self.done.emit(buffer.getvalue())
        finally:
            _close_thread_connection()
            # Quit from here: a queued quit would wait for the UI thread's loop.
            QThread.currentThread().quit()


class ReportRunner(QObject):
    """Runs one job on a QThread, with a progress dialog for long ones; emits ready(job, pdf bytes)."""

    ready = Signal(object, bytes)
    finished = Signal()

    def __init__(self, parent: QWidget, job: ReportJob) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.job = job
        self.thread = QThread(self)
        self.worker = ReportWorker(job)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.done.connect(self._done)
        self.worker.failed.connect(self._failed)
        self.worker.was_cancelled.connect(self._cancelled)
        self.thread.finished.connect(self._cleanup)
        self.progress = QProgressDialog(f"Préparation : {job.title}…", "Annuler", 0, 0, parent)
        self.progress.setWindowTitle("Impression")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0 if job.long else 600)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        # Set the flag from the UI thread: a slot of the worker would wait for its busy thread.
        self.progress.canceled.connect(self.cancel)
        self.worker.progressed.connect(self._progressed)
        self.result: bytes | None = None
        self.error: str | None = None
        self.last_progress: tuple[int, int] | None = None

    def start(self) -> None:
        if self.job.long:
            self.progress.show()
        self.thread.start()

    def cancel(self) -> None:
        self.worker.cancel()

    def _progressed(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        if self.progress.maximum() != total:
            self.progress.setMaximum(total)
        self.progress.setValue(done)
        self.progress.setLabelText(f"Préparation : {self.job.title}… ({done} / {total} actions)")

    def _done(self, data: bytes) -> None:
        self.result = data
        self.progress.hide()  # close() would emit canceled
        self.ready.emit(self.job, data)

    def _failed(self, message: str) -> None:
        self.error = message
        self.progress.hide()  # close() would emit canceled
        QMessageBox.warning(self.parent_widget, "Impression impossible", message)

    def _cancelled(self) -> None:
        self.progress.hide()  # close() would emit canceled

    def _cleanup(self) -> None:
        self.progress.hide()  # close() would emit canceled
        self.worker.deleteLater()
        self.finished.emit()

    def wait(self, ms: int = 30000) -> bool:
        return self.thread.wait(ms)


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
        self.resize(900, 1000)
        settings = QSettings()
        geometry = settings.value("apercu/geometrie")
        if geometry is not None:
            self.restoreGeometry(geometry)

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


def preview_report(parent: QWidget, job: ReportJob) -> ReportRunner:
    """Build the job off the UI thread, then open its preview; returns the runner (tests wait on it)."""
    runner = ReportRunner(parent, job)

    def show(job: ReportJob, data: bytes) -> None:
        dialog = PreviewDialog(job.title, data, job.file_name, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        runner.preview = dialog
        dialog.show()

    runner.preview = None
    runner.ready.connect(show)
    _RUNNING.add(runner)
    runner.finished.connect(lambda: _RUNNING.discard(runner))
    runner.start()
    return runner


# Runners alive while their thread works (Python would otherwise collect them).
_RUNNING: set[ReportRunner] = set()
