"""The window paints its first tab, with its data, before peewee and the models are loaded (and before any dataclass
or the schema steps); the models come right after."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

# Run as the program runs: a fresh interpreter, the base opened without the models (run_window does so).
START = """
import sys
from pathlib import Path

from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window
from cvdesk.ui.main_window import MainWindow

app = make_application(wheel_guard_soon=False)
path = Path(sys.argv[1])
with opened_database(path, defer_check=True, models=False):
    window = show_window(path, checks=False)
    window.grab()  # the first paint, the event loop not yet turned: nothing that waits for the paint has run
    print("first", window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""), "peewee" in sys.modules,
          "dataclasses" in sys.modules, "cvdesk.store.migrations" in sys.modules)
    window.close()
    window = MainWindow(path)
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    window.tabs.setCurrentIndex(titles.index("Actions"))
    window.show()
    window.grab()
    tab = window.tabs.currentWidget()
    print("actions", tab.model.rowCount(), tab.model.index(0, 0).data(), "peewee" in sys.modules)
    while tab.form_pending:  # the form comes right after the first paint, and the models with it
        app.processEvents()
    print("then", "peewee" in sys.modules, tab.heading.text())
    window.close()
"""


def test_the_first_tab_and_the_actions_list_are_painted_before_peewee_is_loaded(demo_template: Path,
                                                                                tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    with sqlite3.connect(path) as conn:  # the expected figures, from SQL
        listed = conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0]
        first_reference = conn.execute('SELECT reference FROM "action" WHERE deleted = 0 ORDER BY reference, id'
                                       ' LIMIT 1').fetchone()[0]
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "reglages")}
    done = subprocess.run([sys.executable, "-c", START, str(path)], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    first = next(line for line in lines if line.startswith("first "))
    # The dashboard painted without peewee, without defining a dataclass and without the schema steps' SQL (each
    # costs milliseconds at every start; an old base still climbs the steps: tests/store/test_schema_latest.py).
    assert first == "first Tableau de bord False False False", first
    assert f"actions {min(listed, 200)} {first_reference} False" in lines
    assert "then True Nouvelle action" in lines
