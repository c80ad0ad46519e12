"""The window opens on a database and shows the three tabs a coordinator works in."""
from __future__ import annotations

from pathlib import Path

from cvdesk.ui.app import open_for_window
from cvdesk.ui.main_window import MainWindow


def test_first_run_on_the_default_database_fills_the_demo(qtbot, tmp_path: Path) -> None:
    path = tmp_path / "defaut.db"
    open_for_window(path, demo_if_new=True)
    window = MainWindow(path)
    qtbot.addWidget(window)
    window.show()
    tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert tabs[:3] == ["Quartiers", "Actions", "Associations"]
    assert "démonstration" in window.windowTitle()
