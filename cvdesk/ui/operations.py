"""One way to run long work off the UI thread (after Anki's CollectionOp/QueryOp): a worker thread, success and
failure callbacks on the UI thread, a progress dialog shown only after a delay, and a registry the window waits on."""
from __future__ import annotations

import sys
import threading
import time
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.store.errors import StoreError

Progress = Callable[[int, int], None]
CancelCheck = Callable[[], bool]
Work = Callable[[Progress, CancelCheck], Any]
DONE, FAILED, CANCELLED = "done", "failed", "cancelled"
SHOW_AFTER_MS = 400
QUEUED = Qt.ConnectionType.QueuedConnection

# Operations whose thread has not been released yet: the window waits for them when it closes.
_RUNNING: set["Operation"] = set()


def _known_errors() -> tuple[type[BaseException], ...]:
    """The errors whose str() is already the French sentence the user reads."""
    errors: list[type[BaseException]] = [ExchangeError, StoreError]
    styles = sys.modules.get("cvdesk.reports.styles")  # reportlab is heavy: if it never loaded, nothing raised it
    if styles is not None:
        errors.append(styles.ReportError)
    return tuple(errors)


def _cancel_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [Cancelled]
    styles = sys.modules.get("cvdesk.reports.styles")
    if styles is not None:
        errors.append(styles.ReportCancelled)
    return tuple(errors)


class _Thread(QThread):
    """One thread per operation: it runs the work once, with no event loop, and is waited and deleted with it."""

    def __init__(self, body: Callable[[], None]) -> None:
        super().__init__()
        self.body = body

    def run(self) -> None:
        self.body()


class Operation(QObject):
    """Run work(progress, cancelled) on its own thread; the callbacks run on the UI thread once it ends.

    A cancel button is offered only when cancellable is true (the work then calls cancelled() between steps and
    raises Cancelled). Known errors reach on_failure as their French sentence; by default a warning shows it."""

    _progressed = Signal(int, int)  # emitted on the worker thread, handled on the UI thread
    _ended = Signal(str, object)
    settled = Signal()  # after the callbacks

    def __init__(self, parent: QWidget | None, work: Work, *, title: str, label: str = "",
                 on_success: Callable[[Any], None] | None = None, on_failure: Callable[[str], None] | None = None,
                 on_cancelled: Callable[[], None] | None = None, cancellable: bool = False,
                 show_progress: bool = True, show_after_ms: int = SHOW_AFTER_MS,
                 label_for: Callable[[int, int], str] | None = None) -> None:
        super().__init__()
        self.parent_widget = parent
        self.work = work
        self.title, self.label = title, label
        self.on_success, self.on_failure, self.on_cancelled = on_success, on_failure, on_cancelled
        self.cancellable = cancellable
        self.show_progress = show_progress
        self.label_for = label_for
        self.outcome: tuple[str, Any] | None = None
        self.last_progress: tuple[int, int] | None = None
        self.dialog: QProgressDialog | None = None
        self.quiet = False  # set when the window closes: no dialog or message after that
        self._cancel = threading.Event()
        self._thread: _Thread | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(show_after_ms)
        self._timer.timeout.connect(self._show_dialog)
        self._progressed.connect(self._on_progress, QUEUED)
        self._ended.connect(self._deliver, QUEUED)

    # -- life --------------------------------------------------------------------------------------------------
    def start(self) -> "Operation":
        self._thread = _Thread(self._run_in_thread)
        self._thread.finished.connect(self._release, QUEUED)
        _RUNNING.add(self)
        if self.show_progress:
            self._timer.start()
        self._thread.start()
        return self

    def cancel(self) -> None:
        """Ask the work to stop at its next check (a no-op for work that does not check)."""
        if self.cancellable:
            self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_running(self) -> bool:
        return self._thread is not None and not self._thread.isFinished()

    def wait(self, ms: int = 30_000) -> bool:
        """Block until the worker thread has ended (its callbacks come with the next turn of the event loop)."""
        thread = self._thread
        return thread is None or thread.wait(ms)

    def run_and_wait(self) -> tuple[str, Any]:
        """Start, and keep the UI responsive in a local loop until the callbacks have run: for step-by-step flows."""
        loop = QEventLoop()
        self.settled.connect(loop.quit)
        self.start()
        if self.outcome is None:
            loop.exec()
        return self.outcome or (FAILED, "Le travail s'est arrêté sans réponse.")

    # -- the worker thread ---------------------------------------------------------------------------------------
    def _run_in_thread(self) -> None:
        from cvdesk.store.models import db

        try:
            result = self.work(lambda done, total: self._progressed.emit(done, total), self._cancel.is_set)
            self._ended.emit(DONE, result)
        except _cancel_errors():
            self._ended.emit(CANCELLED, None)
        except _known_errors() as exc:
            self._ended.emit(FAILED, str(exc))
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            from cvdesk.store.errors import describe_os_error

            self._ended.emit(FAILED, f"Le fichier{where} n'a pas pu être lu ou écrit ({describe_os_error(exc)}).")
        except Exception as exc:  # a thread's exception would vanish: the user must still read a sentence
            from cvdesk.ui.server_trouble import trouble_sentence

            trouble = trouble_sentence(exc)  # a PostgreSQL server lost or busy: not a defect of ours
            self._ended.emit(FAILED, trouble or f"« {self.title} » n'a pas abouti : défaut de cvdesk "
                                                f"({type(exc).__name__} : {exc}) ; signalez-le.")
        finally:
            # peewee keeps one SQLite connection per thread: this thread closes its own.
            if not db.is_closed():
                db.close()

    # -- the UI thread -------------------------------------------------------------------------------------------
    def _show_dialog(self) -> None:
        if self.outcome is not None or self.quiet or self.dialog is not None:
            return
        dialog = QProgressDialog(self.label, "Annuler", 0, 0, self.parent_widget)
        dialog.setWindowTitle(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)  # our own timer decided: Qt's would show a finished dialog later
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if self.cancellable:
            dialog.canceled.connect(self._cancel_pressed)
        else:
            dialog.setCancelButton(None)
        self.dialog = dialog
        if self.last_progress is not None:
            self._on_progress(*self.last_progress)
        dialog.show()

    def _cancel_pressed(self) -> None:
        self._cancel.set()
        if self.dialog is not None:
            self.dialog.setLabelText("Annulation…")

    def _on_progress(self, done: int, total: int) -> None:
        self.last_progress = (done, total)
        dialog = self.dialog
        if dialog is None or not shiboken6.isValid(dialog):  # its parent window may be gone already
            return
        if total and dialog.maximum() != total:
            dialog.setMaximum(total)
        dialog.setValue(min(done, total) if total else 0)
        if self.label_for is not None and not self._cancel.is_set():
            dialog.setLabelText(self.label_for(done, total))

    def _close_dialog(self) -> None:
        self._timer.stop()
        dialog, self.dialog = self.dialog, None
        if dialog is not None and shiboken6.isValid(dialog):
            if self.cancellable:
                dialog.canceled.disconnect(self._cancel_pressed)
            dialog.reset()  # stops Qt's own show timer as well
            dialog.hide()  # close() would emit canceled
            dialog.deleteLater()  # never reused: a finished dialog cannot come back

    def _deliver(self, status: str, payload: Any) -> None:
        self._close_dialog()
        self.outcome = (status, payload)
        try:
            if self.quiet:
                return
            if status == DONE and self.on_success is not None:
                self.on_success(payload)
            elif status == FAILED:
                if self.on_failure is not None:
                    self.on_failure(payload)
                else:
                    from PySide6.QtWidgets import QMessageBox

                    QMessageBox.warning(self.parent_widget, self.title, str(payload))
            elif status == CANCELLED and self.on_cancelled is not None:
                self.on_cancelled()
        finally:
            self.settled.emit()

    def _release(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.wait()
            thread.deleteLater()
        _RUNNING.discard(self)


def running() -> list[Operation]:
    return list(_RUNNING)


def finish_running(parent: QWidget | None, timeout_ms: int = 120_000) -> bool:
    """At close: ask cancellable work to stop, silence every callback, and wait, showing « Fin des travaux en
    cours… » if it takes more than a moment; True when no worker thread is left running."""
    for op in _RUNNING:
        # A job that ended just before, its answer still queued, is silenced too: the base its callbacks would
        # read or write is closed once the window is (on PostgreSQL the dashboard's kept figures went to it).
        op.quiet = True
        op._close_dialog()
    ops = [op for op in _RUNNING if op.is_running()]
    if not ops:
        return True
    for op in ops:
        op.cancel()
    dialog = QProgressDialog("Fin des travaux en cours…", "", 0, 0, parent)
    dialog.setWindowTitle("Fermeture")
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    loop = QEventLoop()
    deadline = time.monotonic() + timeout_ms / 1000

    def check() -> None:
        if not any(op.is_running() for op in ops) or time.monotonic() > deadline:
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(20)
    check()
    if any(op.is_running() for op in ops) and time.monotonic() <= deadline:
        loop.exec()
    timer.stop()
    dialog.reset()
    dialog.hide()
    dialog.deleteLater()
    return all(op.wait(0) for op in ops)
