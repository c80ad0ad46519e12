"""Starting the window: the application object, the database it opens, the demo on a first run."""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

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
    # The integrity check and the daily backup run in the background once the window shows (opening_checks).
    open_database(path, defer_check=True)
    if is_new and demo_if_new and database_is_empty():
        build_demo()


def run_window(path: Path, demo_if_new: bool = False) -> int:
    from cvdesk.ui.main_window import MainWindow
    from cvdesk.ui.open_problems import offer_restore
    from cvdesk.ui.opening_checks import start_opening_checks

    app = make_application()
    while True:
        try:
            open_for_window(path, demo_if_new)
            break
        except StoreError as exc:
            # A damaged file is offered its newest good backup (the file itself is set aside, never deleted).
            if not offer_restore(path, str(exc)):
                return 2
    window = MainWindow(path)
    window.show()
    start_opening_checks(window)
    return app.exec()
