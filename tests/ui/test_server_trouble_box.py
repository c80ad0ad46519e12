"""The box a lost PostgreSQL server opens in the window speaks French: libpq's or the server's own words (often
English) are quoted as the server's message, not mixed into the sentence as if they were ours."""
from __future__ import annotations

import sys

import pg_plain
import psycopg2
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from cvdesk.ui import server_trouble

pytestmark = pytest.mark.postgresql


def a_connection_ended_by_the_administrator(pg_url: str) -> psycopg2.OperationalError:
    """A real lost session: the administrator ends it (pg_terminate_backend), its next statement fails."""
    lost = pg_plain.connect(pg_url)
    with pg_plain.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (lost.info.backend_pid,))
    try:
        lost.execute("SELECT 1")
    except psycopg2.OperationalError as exc:
        return exc
    finally:
        lost.close()
    raise AssertionError("the ended session still answered")


def test_a_lost_server_is_said_in_french_with_its_own_words_quoted(pg_url: str, qtbot) -> None:
    error = a_connection_ended_by_the_administrator(pg_url)
    servers_words = next(line.strip() for line in str(error).splitlines() if line.strip()).rstrip(".")
    window = QWidget()
    qtbot.addWidget(window)
    server_trouble.install(window)
    shown: list[tuple[str, str]] = []

    def read_the_box() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_the_box)
            return
        shown.append((box.windowTitle(), box.text()))
        box.accept()

    QTimer.singleShot(0, read_the_box)
    try:
        sys.excepthook(type(error), error, error.__traceback__)  # what the event loop does with a slot's error
    finally:
        window.close()  # the hook goes with the window

    (title, text), = shown
    assert title == "Base PostgreSQL"
    assert text == ("La connexion au serveur PostgreSQL a été interrompue (message du serveur : "
                    f"« {servers_words} ») : ce que vous faisiez n'a pas été enregistré ; cvdesk se reconnecte à "
                    "votre prochaine action, réessayez quand le serveur répond.")
