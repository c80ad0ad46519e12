"""Starting the window: the application object, the database it opens, the demo on a first run."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from cvdesk.store.errors import StoreError

ORGANISATION = "cvdesk"
APPLICATION = "cvdesk"


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("cvdesk")
    return app


def open_for_window(path: Path, demo_if_new: bool) -> None:
    """Open the database; a default database seen for the first time gets the demo contract."""
    from cvdesk.services.demo import build_demo, database_is_empty
    from cvdesk.store.database import open_database

    is_new = not path.exists()
    open_database(path)
    if is_new and demo_if_new and database_is_empty():
        build_demo()


def run_window(path: Path, demo_if_new: bool = False) -> int:
    from cvdesk.ui.main_window import MainWindow

    app = make_application()
    try:
        open_for_window(path, demo_if_new)
    except StoreError as exc:
        QMessageBox.critical(None, "cvdesk", str(exc))
        return 2
    window = MainWindow(path)
    window.show()
    return app.exec()
