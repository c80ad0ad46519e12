"""The window opens on a database, shows the three tabs a coordinator works in, and closes it cleanly."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cvdesk.store.database import opened_database, previous_exit_was_unclean
from cvdesk.store.lock import lock_path
from cvdesk.ui.app import fill_if_new, run_window
from cvdesk.ui.main_window import MainWindow


def test_first_run_on_the_default_database_fills_the_demo(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "defaut.db"
    with opened_database(path, defer_check=True):
        fill_if_new(is_new=True, demo_if_new=True)
        window = MainWindow(path)
        qtbot.addWidget(window)
        window.show()
        tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
        assert tabs[:3] == ["Quartiers", "Actions", "Associations"]
        assert "démonstration" in window.windowTitle()
        window.close()


def test_closing_the_window_marks_a_clean_exit_so_the_next_opening_is_quick(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    seen: list[str] = []

    def close_when_checked() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        checks = getattr(windows[0], "opening_checks", None) if windows else None
        if checks is None or not checks.isFinished():
            QTimer.singleShot(20, close_when_checked)
            return
        seen.append(windows[0].windowTitle())
        windows[0].close()

    QTimer.singleShot(0, close_when_checked)
    assert run_window(path, demo_if_new=True) == 0
    assert seen and "démonstration" in seen[0]
    # The lock file is emptied on a clean exit: no PID left behind.
    assert lock_path(path).read_bytes() == b""
    with opened_database(path):
        assert not previous_exit_was_unclean()
