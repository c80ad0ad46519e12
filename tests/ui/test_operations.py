"""Background work in the window: answers on the UI thread, a progress dialog that comes late and never comes back,
Annuler only where it works, French failures, and a window that waits for its jobs when it closes."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QPushButton

from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.ui.operations import CANCELLED, DONE, FAILED, Operation, finish_running, running


def _visible_progress() -> list[QProgressDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]


def _flush_deletions() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_answer_comes_back_on_the_window_thread(parent, qtbot) -> None:
    seen: dict[str, object] = {}

    def work(progress, cancelled):
        seen["worker"] = threading.get_ident()
        return 6 * 7

    def success(result) -> None:
        seen["result"], seen["callback"] = result, threading.get_ident()

    op = Operation(parent, work, title="Essai", on_success=success)
    with qtbot.waitSignal(op.settled, timeout=5000):
        op.start()
    assert seen["result"] == 42 and seen["callback"] == threading.get_ident() != seen["worker"]
    qtbot.waitUntil(lambda: op not in running())


def test_a_quick_job_shows_no_dialog_and_a_slow_one_leaves_none_behind(parent, qtbot) -> None:
    quick = Operation(parent, lambda p, c: "vite", title="Essai", label="Travail…")
    assert quick.run_and_wait() == (DONE, "vite")
    assert quick.dialog is None and _visible_progress() == []

    def slow(progress, cancelled):
        for step in range(1, 11):
            time.sleep(0.08)
            progress(step, 10)
        return "fini"

    op = Operation(parent, slow, title="Essai", label="Travail…", show_after_ms=100)
    op.start()
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=3000)
    dialog = op.dialog
    assert dialog.findChild(QPushButton) is None  # this job cannot be cancelled: no Annuler to ignore
    qtbot.waitUntil(lambda: op.outcome is not None, timeout=5000)
    qtbot.wait(800)  # longer than any show delay: a finished dialog must not come back
    assert _visible_progress() == []
    _flush_deletions()
    assert not shiboken6.isValid(dialog)


def test_annuler_stops_a_job_that_checks(parent, qtbot) -> None:
    steps: list[int] = []

    def work(progress, cancelled):
        for step in range(500):
            steps.append(step)
            if cancelled():
                raise Cancelled()
            time.sleep(0.01)
        return "fini"

    told: list[str] = []
    op = Operation(parent, work, title="Essai", label="Import…", cancellable=True, show_after_ms=0,
                   on_cancelled=lambda: told.append("annulé"))
    op.start()
    qtbot.waitUntil(lambda: op.dialog is not None and op.dialog.isVisible(), timeout=3000)
    op.dialog.findChild(QPushButton).click()  # the user presses Annuler
    qtbot.waitUntil(lambda: op.outcome is not None, timeout=5000)
    assert op.outcome == (CANCELLED, None) and told == ["annulé"]
    assert len(steps) < 500


def test_a_refusal_is_told_in_its_own_french_sentence(parent, qtbot, monkeypatch) -> None:
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: told.append(text))
    sentence = "Le fichier paquet.zip n'est pas un paquet cvdesk."

    def work(progress, cancelled):
        raise ExchangeError(sentence)

    status, message = Operation(parent, work, title="Importer un paquet").run_and_wait()
    assert (status, message) == (FAILED, sentence) and told == [sentence]


def test_a_full_disk_and_a_defect_are_told_in_french(parent, qtbot, monkeypatch) -> None:
    import errno

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a, **k: told.append(text))

    def full(progress, cancelled):
        raise OSError(errno.ENOSPC, "No space left on device", "paquet.zip")

    status, message = Operation(parent, full, title="Exporter").run_and_wait()
    assert status == FAILED and message == "Le fichier paquet.zip n'a pas pu être lu ou écrit (le disque est plein)."

    def broken(progress, cancelled):
        raise KeyError("funder")

    status, message = Operation(parent, broken, title="Exporter").run_and_wait()
    assert status == FAILED and message.startswith("« Exporter » n'a pas abouti : défaut de cvdesk (KeyError")
    assert told == [told[0], message] and "No space" not in told[0]


def test_the_window_waits_for_a_running_job_when_it_closes(parent, qtbot) -> None:
    finished = threading.Event()

    def work(progress, cancelled):
        time.sleep(0.5)
        finished.set()

    op = Operation(parent, work, title="Essai", on_success=lambda _r: pytest.fail("no callback after the close"))
    op.start()
    assert finish_running(parent)
    assert finished.is_set() and not op.is_running()
    qtbot.wait(50)



SCRIPT = """
import sys, time
from pathlib import Path
from PySide6.QtCore import QTimer
from cvdesk.store.database import opened_database
from cvdesk.ui import opening_checks
from cvdesk.ui.app import make_application
from cvdesk.ui.main_window import MainWindow

real = opening_checks.verify_integrity
def slow_verify(*args, **kwargs):  # a big base: the check still runs when the user closes the window
    time.sleep(1.5)
    return real(*args, **kwargs)
opening_checks.verify_integrity = slow_verify

app = make_application()
path = Path(sys.argv[1])
with opened_database(path, defer_check=True):
    window = MainWindow(path)
    window.show()
    checks = opening_checks.start_opening_checks(window)
    QTimer.singleShot(200, window.close)
    code = app.exec()
    assert checks.isFinished()
sys.exit(code)
"""


def test_closing_the_window_during_the_opening_checks_exits_cleanly(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    path.write_bytes(demo_template.read_bytes())
    env = {"QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "PATH": "/usr/bin:/bin"}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(path)], env=env, capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert "Destroyed while thread" not in done.stderr
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started >= 1.5  # the window did wait for the check
