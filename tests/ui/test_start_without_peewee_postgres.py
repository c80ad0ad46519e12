"""Headquarters' window on a PostgreSQL base paints its first tab, with its data, before peewee and the models are
loaded (the opening's own psycopg connection serves it); the models come right after, on that same session."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.postgresql

# Run as the program runs: a fresh interpreter, the base opened without the models (run_window does so).
START = """
import sys

from cvdesk.store.connection import execute_sql
from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window
from cvdesk.ui.main_window import MainWindow

app = make_application(wheel_guard_soon=False)
url = sys.argv[1]
with opened_database(url, models=False):
    session = execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    window = show_window(url, checks=False)
    window.grab()  # the first paint, the event loop not yet turned: nothing that waits for the paint has run
    print("first", window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""), "peewee" in sys.modules,
          "cvdesk.store.models" in sys.modules)
    window.close()
    window = MainWindow(url)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("Actions"))
    window.show()
    window.grab()
    tab = window.tabs.currentWidget()
    print("actions", tab.model.rowCount(), tab.model.index(0, 0).data(), "peewee" in sys.modules)
    while tab.form_pending:  # the form comes right after the first paint, and the models with it
        app.processEvents()
    from cvdesk.store.models import db

    print("then", "peewee" in sys.modules, tab.heading.text())
    print("same session", db.execute_sql("SELECT pg_backend_pid()").fetchone()[0] == session)
    window.close()
"""


def test_the_window_on_a_postgresql_base_paints_before_peewee_and_keeps_one_session(pg_server: Any, pg_demo_url: str,
                                                                                    tmp_path: Path) -> None:
    conn = pg_server.connect(urlsplit(pg_demo_url).path.lstrip("/"))
    try:  # the expected figures, from SQL
        listed = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
        first_reference = conn.execute('SELECT reference FROM "action" WHERE deleted = 0 ORDER BY reference, id'
                                       ' LIMIT 1').fetchone()[0]
    finally:
        conn.close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "reglages")}
    done = subprocess.run([sys.executable, "-c", START, pg_demo_url], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = next(line for line in lines if line.startswith("first "))
    assert first.endswith(" False False"), first  # whatever the first tab is, painted without peewee or the models
    assert f"actions {min(listed, 200)} {first_reference} False" in lines
    assert "then True Nouvelle action" in lines
    assert "same session True" in lines  # the models took the opening's connection: one session, as before
