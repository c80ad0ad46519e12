"""Starting the window: the application object, the database it opens, the demo on a first run."""
from __future__ import annotations

import sys
import time
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cvdesk.store.errors import DatabaseHeld, StoreError

if TYPE_CHECKING:
    from cvdesk.ui.main_window import MainWindow

ORGANISATION = "cvdesk"
APPLICATION = "cvdesk"
# What waits for the window's first paint starts at the latest this long after the window is shown (a window shown
# minimised is never painted).
AFTER_PAINT_AT_THE_LATEST_MS = 3000


def make_application(argv: list[str] | None = None, wheel_guard_soon: bool = True) -> QApplication:
    """The application, French; the wheel guard installed as the event loop starts, unless the caller installs it
    (show_window does, after the window's first paint)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("cvdesk")
    from cvdesk.ui.qt_french import install_qt_french

    install_qt_french(app)  # Qt's standard buttons and dialogs speak French, as the rest of the window
    if wheel_guard_soon:
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


def after_first_paint(window: MainWindow, work: Callable[[], None]) -> None:
    """Run work once, after the window's first paint (the list is on screen), or a few seconds after it is shown
    if it is never painted; never once the window is closed."""
    done = False

    def run() -> None:
        nonlocal done
        if done or not window.isVisible():
            return
        done = True
        work()

    window.first_painted.connect(run)
    QTimer.singleShot(AFTER_PAINT_AT_THE_LATEST_MS, window, run)  # the window as context: nothing once it is gone


def show_window(path: Path, checks: bool = True) -> MainWindow:
    """The window on the open database, shown. The wheel guard and the opening checks (integrity, daily backup)
    start after its first paint: they are not on the way to the list."""
    from cvdesk.ui.main_window import MainWindow
    from cvdesk.ui.wheel_guard import hold_wheel_guard, install_wheel_guard

    hold_wheel_guard()  # its filter would see the thousands of events of the first show, which no wheel is part of
    window = MainWindow(path)
    after_first_paint(window, install_wheel_guard)  # connected first: installed before the checks start
    if checks:
        after_first_paint(window, lambda: _start_opening_checks(window))
    start = time.perf_counter()
    window.show()
    window.startup_times.append(("show() : polissage et mise en page", (time.perf_counter() - start) * 1000))
    return window


def _start_opening_checks(window: MainWindow) -> None:
    from cvdesk.ui.opening_checks import start_opening_checks

    start_opening_checks(window)


def run_window(path: Path, demo_if_new: bool = False, ask_if_new: bool = False) -> int:
    """The window until it closes; its exit code. On a first start (ask_if_new and no base at path yet) the user
    chooses how to begin before anything is created: quitting there creates nothing and exits 0."""
    from cvdesk.store.database import opened_database
    from cvdesk.store.target import DatabaseUrl, as_target

    app = make_application(wheel_guard_soon=False)
    path = as_target(path)
    if isinstance(path, DatabaseUrl):
        return _run_window_on_server(path)
    start = None
    create = True
    if ask_if_new and not path.exists():
        from cvdesk.ui.main_window import remembered_database

        remembered = remembered_database()  # the user's base kept elsewhere than the default folder
        if remembered is not None:
            path, ask_if_new = remembered, False
    if ask_if_new and not path.exists():
        from cvdesk.ui.first_start import ask_first_start
        from cvdesk.ui.wheel_guard import install_wheel_guard

        install_wheel_guard()  # the assistant has lists and numbers: none turns under the wheel
        start = ask_first_start(path)
        if start is None:
            return 0
        path, create = start.path, start.create
        from cvdesk.store.backups import Backups

        start.backups_existed = Backups(path).folder.exists()
    # The database is open for the window's whole life and closed (a clean exit) however the loop ends; the
    # window may switch to another base meanwhile, and the one open at the end is the one closed.
    with ExitStack() as session:
        while True:
            is_new = not path.exists()
            try:
                # The integrity check and the daily backup run in the background once the window shows; peewee
                # and the models load after the first paint, at their first use (models=False).
                session.enter_context(opened_database(path, create=create, defer_check=True, models=False))
                break
            except DatabaseHeld as exc:
                from cvdesk.ui.open_problems import ask_about_held
                from cvdesk.ui.wheel_guard import install_wheel_guard

                # Another cvdesk is writing to this file: quitting or choosing another base are the only offers
                # (the file dialog has lists: the wheel guard comes first).
                install_wheel_guard()
                other = ask_about_held(path, str(exc))
                if other is None:
                    return 2
                path, create = other, False
            except StoreError as exc:
                from cvdesk.ui.open_problems import offer_restore
                from cvdesk.ui.wheel_guard import install_wheel_guard

                # A damaged file is offered its newest good backup (the file itself is set aside, never deleted).
                install_wheel_guard()
                if not offer_restore(path, str(exc)):
                    return 2
        fill_if_new(is_new, demo_if_new)
        if start is not None and is_new:
            start.after_open()
        elif start is not None:
            start.made_meanwhile(path)
        window = show_window(path)
        if start is not None and is_new:
            after_first_paint(window, lambda: start.after_show(window))
        code = app.exec()
        # A base made for a package whose merge was cancelled, left empty: removed once closed (below).
        unused = start is not None and is_new and start.left_unused(window.db_path)
    if unused and start is not None:
        start.remove_unused_base()
    return code


def ask_password_in_dialog(message: str) -> str | None:
    """The window's password prompt for a PostgreSQL base: a masked field; None when the user gives up. The password
    is kept in memory for the run only (cvdesk.store.postgres_prompt), never in the settings."""
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    text, accepted = QInputDialog.getText(None, "Connexion à la base PostgreSQL", message, QLineEdit.EchoMode.Password)
    return text if accepted and text else None


def _run_window_on_server(url: str) -> int:
    """The window on a PostgreSQL base: no lock, no file to check or back up at opening (the server keeps its data;
    `cvdesk backup` and `check` serve it), a password asked in a dialog when the server wants one libpq did not find,
    a refused opening said in a box; a read-only role is told after the first paint that nothing can be changed."""
    from PySide6.QtWidgets import QMessageBox

    from cvdesk.store.database import is_read_only, opened_database
    from cvdesk.store.postgres_prompt import set_password_prompt

    set_password_prompt(ask_password_in_dialog)
    with ExitStack() as session:
        try:
            session.enter_context(opened_database(url, models=False))
        except StoreError as exc:
            QMessageBox.critical(None, "Ouverture impossible", str(exc))
            return 2
        window = show_window(url, checks=False)
        _without_file_backups_soon(window)
        if is_read_only():
            from cvdesk.ui.open_problems import warn_if_risky

            after_first_paint(window, lambda: warn_if_risky(url, window))
        return QApplication.instance().exec()


SERVER_BACKUP_HINT = ("Sur une base PostgreSQL, les sauvegardes se font sur le serveur : commande « cvdesk backup » "
                      "(pg_dump) ou sauvegardes de l'administrateur.")


def _without_file_backups_soon(window: MainWindow) -> None:
    """Grey the file's backup entries after the window's first paint (not on the way to the first tab), or when
    Fichier opens first (the menus are completed then too), whichever comes first."""
    done = False

    def grey() -> None:
        nonlocal done
        if done:
            return
        done = True
        window.file_menu.aboutToShow.disconnect(grey)
        _without_file_backups(window)

    window.file_menu.aboutToShow.connect(grey)
    after_first_paint(window, grey)


def _without_file_backups(window: MainWindow) -> None:
    """The file's backup entries (Sauvegardes…, Enregistrer une copie…) work on a SQLite file beside it: on a
    server base they are greyed, their tip saying where backups are made instead. The menus are completed here if
    they are not yet, so that the entries exist to be greyed."""
    window.complete_menus()
    # A greyed entry cannot be highlighted (Fusion, Windows), so its status tip is never seen: the menu shows the
    # tip in a bubble under the mouse instead (only entries given a tool tip of their own show one).
    window.file_menu.setToolTipsVisible(True)
    for action in (getattr(window, "backups_action", None), getattr(window, "save_copy_action", None)):
        if action is not None:
            action.setEnabled(False)
            action.setStatusTip(SERVER_BACKUP_HINT)
            action.setToolTip(SERVER_BACKUP_HINT)
