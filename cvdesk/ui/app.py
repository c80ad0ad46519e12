"""Starting the window: the application object, the database it opens, the demo on a first run."""
from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from cvdesk.store.errors import DatabaseHeld, StoreError

if TYPE_CHECKING:
    from cvdesk.ui.main_window import MainWindow

ORGANISATION = "cvdesk"
APPLICATION = "cvdesk"
CHECKS_AT_THE_LATEST_MS = 3000


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("cvdesk")
    from cvdesk.ui.qt_french import install_qt_french

    install_qt_french(app)  # Qt's standard buttons and dialogs speak French, as the rest of the window
    from cvdesk.ui.wheel_guard import install_wheel_guard_soon

    install_wheel_guard_soon()  # scrolling a form never turns a list, a number or a date under the pointer
    return app


def fill_if_new(is_new: bool, demo_if_new: bool) -> None:
    """A default database seen for the first time gets the demo contract."""
    if not (is_new and demo_if_new):
        return  # the demo builder's imports are not paid at every start
    from cvdesk.services.demo import build_demo, database_is_empty

    if database_is_empty():
        build_demo()


def start_checks_after_first_paint(window: MainWindow) -> None:
    """The opening checks start once the window has painted its list: they are not on the way to the first paint."""
    from PySide6.QtCore import QTimer

    started = False

    def start() -> None:
        nonlocal started
        if started or not window.isVisible():
            return
        started = True
        from cvdesk.ui.opening_checks import start_opening_checks

        start_opening_checks(window)

    window.first_painted.connect(start)
    QTimer.singleShot(CHECKS_AT_THE_LATEST_MS, start)  # a window shown minimised is never painted, yet checked


def run_window(path: Path, demo_if_new: bool = False) -> int:
    from cvdesk.store.database import opened_database
    from cvdesk.ui.main_window import MainWindow

    app = make_application()
    # The database is open for the window's whole life and closed (a clean exit) however the loop ends; the
    # window may switch to another base meanwhile, and the one open at the end is the one closed.
    with ExitStack() as session:
        create = True
        while True:
            is_new = not path.exists()
            try:
                # The integrity check and the daily backup run in the background once the window shows.
                session.enter_context(opened_database(path, create=create, defer_check=True))
                break
            except DatabaseHeld as exc:
                from cvdesk.ui.open_problems import ask_about_held

                # Another cvdesk is writing to this file: quitting or choosing another base are the only offers.
                other = ask_about_held(path, str(exc))
                if other is None:
                    return 2
                path, create = other, False
            except StoreError as exc:
                from cvdesk.ui.open_problems import offer_restore

                # A damaged file is offered its newest good backup (the file itself is set aside, never deleted).
                if not offer_restore(path, str(exc)):
                    return 2
        fill_if_new(is_new, demo_if_new)
        window = MainWindow(path)
        start_checks_after_first_paint(window)
        window.show()
        return app.exec()
