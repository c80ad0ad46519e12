"""The main window: it composes the tabs, the menus and the status bar, and holds no business rule."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

from cvdesk.store.settings import is_demo


class MainWindow(QMainWindow):
    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.db_path = db_path
        title = f"cvdesk — {db_path.name}"
        if is_demo():
            title += " (données de démonstration)"
        self.setWindowTitle(title)
        self.tabs = QTabWidget()
        for name in ("Quartiers", "Actions", "Associations"):
            self.tabs.addTab(QLabel(name), name)
        self.setCentralWidget(self.tabs)
        self.statusBar().showMessage(str(db_path))
        self.resize(1200, 800)
