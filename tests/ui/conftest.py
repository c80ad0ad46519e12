"""Window fixtures: the main window over a copy of the demo contract, with settings kept in a temporary folder."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from cvdesk.ui.app import APPLICATION, ORGANISATION

# The offices' two screens, a 1366×768 laptop (where windows open) and a 1920×1080 monitor beside it, instead of the
# offscreen plugin's 800×600; set before pytest-qt creates the application (the plugin reads it once).
SCREENS_CONFIG = Path(__file__).with_name("offscreen_screens.json")
LAPTOP, MONITOR = "portable-1366x768", "bureau-1920x1080"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREENS_CONFIG}"


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, qapp: QApplication) -> Iterator[Path]:
    """Each test remembers window geometry and widths in its own folder, never in the user's."""
    qapp.setOrganizationName(ORGANISATION)
    qapp.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    folder = tmp_path / "reglages"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch):
    """Answer the next confirmation questions with these buttons; returns the questions asked."""
    asked: list[str] = []

    def set_answers(*buttons: QMessageBox.StandardButton) -> list[str]:
        queue = list(buttons)

        def question(_parent, _title, text, *_args, **_kwargs):
            asked.append(text)
            return queue.pop(0) if queue else QMessageBox.StandardButton.Cancel

        monkeypatch.setattr(QMessageBox, "question", question)
        return asked

    return set_answers


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """The warnings the window shows, as (title, text), instead of modal boxes."""
    shown: list[tuple[str, str]] = []

    def warning(_parent, title, text, *_args, **_kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def open_window(db_target: Path | str, qtbot, monkeypatch: pytest.MonkeyPatch):
    """Open the main window on the test's base, shown and activated; the printing, exchange and backup menus are
    tested with their own modules. Closed at the end of the test."""
    from cvdesk.ui import main_window

    monkeypatch.setattr(main_window, "_menu_installers", lambda: [])
    opened = []

    def open_on() -> main_window.MainWindow:
        win = main_window.MainWindow(db_target)
        win.show()
        qtbot.waitExposed(win)
        win.activateWindow()
        opened.append(win)
        return win

    yield open_on
    for win in opened:
        for tab in win.all_tabs():
            tab._dirty = False  # a test that leaves edits must not block the close with a question
        win.close()
        win.deleteLater()


@pytest.fixture
def window(demo_db, open_window):
    """The main window on a copy of the demo."""
    return open_window()


@pytest.fixture
def type_text(qtbot):
    """Type text into a widget key by key, accented letters included (QTest's keyClicks only knows ASCII)."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    def type_into(widget, text: str) -> None:
        for char in text:
            if char.isascii():
                qtbot.keyClicks(widget, char)
            else:
                for action in (QTest.KeyAction.Press, QTest.KeyAction.Release):
                    QTest.sendKeyEvent(action, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier)

    return type_into


@pytest.fixture
def parent(qtbot) -> QMainWindow:
    """A shown, empty main window: the parent of the background jobs and their progress dialogs."""
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def exchange_window(qtbot) -> QMainWindow:
    """A bare main window holding only the File menu's exchange entries (import, export, merge)."""
    from cvdesk.ui.exchange_actions import install_exchange_actions

    main = QMainWindow()
    qtbot.addWidget(main)
    install_exchange_actions(main)
    return main


@pytest.fixture
def told(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the window told in its information and warning boxes, which answer at once."""
    messages: list[str] = []
    for name in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, name, lambda _p, _t, text, *a, **k: messages.append(text))
    return messages

