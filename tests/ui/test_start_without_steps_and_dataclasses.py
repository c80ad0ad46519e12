"""The window paints its dashboard without defining a dataclass or importing the schema steps' SQL: both cost
milliseconds at every start (benchmarks/results.md). An old base still climbs the steps: tests/store/test_schema_latest.py."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

START = """
import sys
from pathlib import Path

from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window

app = make_application(wheel_guard_soon=False)
path = Path(sys.argv[1])
with opened_database(path, defer_check=True, models=False):
    window = show_window(path, checks=False)
    window.grab()  # the first paint, the event loop not yet turned
    print("tab", window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""))
    print("loaded", "dataclasses" in sys.modules, "cvdesk.store.migrations" in sys.modules)
    window.close()
"""


def test_the_dashboard_is_painted_before_any_dataclass_or_schema_step_is_loaded(demo_template: Path,
                                                                                 tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "reglages")}
    done = subprocess.run([sys.executable, "-c", START, str(path)], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "tab Tableau de bord" in lines
    assert "loaded False False" in lines

