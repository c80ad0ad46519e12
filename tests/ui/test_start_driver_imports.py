"""What the PostgreSQL driver costs the window's first paint: on a file, nothing (neither psycopg2 nor ssl, which it
pulls in, ≈ 30 ms at every start); on a server, everything it needs is loaded before PySide6, whose import hook
makes every later import dearer (benchmarks/results.md, « la fenêtre sur PostgreSQL peinte sans peewee »), and
nothing of it is left to load between Qt and the paint (the connection, the opening and the first tab's queries)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The standard modules psycopg2 brings along (ssl and socket by its C module, decimal by its numbers, json by its
# JSON adapters): none may first load after Qt either. asyncio, importlib.metadata and ctypes were psycopg 3's, the
# driver no longer used: not loaded at all.
DRIVER_STANDARD_MODULES = ("ssl", "socket", "decimal", "json", "asyncio", "importlib.metadata", "ctypes")

# As the window command runs (cli.cmd_window, then ui.app.run_window): a fresh interpreter.
ON_SERVER = """
import sys

from cvdesk.store.target import load_driver_before_qt

url, standard = sys.argv[1], sys.argv[2].split(",")
load_driver_before_qt(url)
before_qt = set(sys.modules)
from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window

app = make_application(wheel_guard_soon=False)
with opened_database(url, models=False):
    window = show_window(url, checks=False)
    window.grab()  # the first paint, the event loop not yet turned
    late = sorted(name for name in set(sys.modules) - before_qt
                  if name.split(".")[0] in ("psycopg2", "psycopg", "psycopg_binary")
                  or name.startswith("cvdesk.store.postgres") or name in standard)
    print("first", window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""))
    print("driver before qt", "psycopg2" in before_qt and "PySide6" not in before_qt)
    print("psycopg 3", "psycopg" in sys.modules)
    print("late", ",".join(late) or "-")
    window.close()
"""

ON_FILE = """
import sys
from pathlib import Path

from cvdesk.store.database import opened_database
from cvdesk.ui.app import make_application, show_window

app = make_application(wheel_guard_soon=False)
path = Path(sys.argv[1])
with opened_database(path, defer_check=True, models=False):
    window = show_window(path, checks=False)
    window.grab()
    print("first", window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""))
    print("loaded", " ".join(name for name in ("psycopg2", "psycopg", "ssl", "asyncio") if name in sys.modules) or "-")
    window.close()
"""


def _run(script: str, *arguments: str, settings: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(settings)}
    done = subprocess.run([sys.executable, "-c", script, *arguments], capture_output=True, text=True, env=env,
                          timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.postgresql
def test_the_window_on_a_server_loads_its_whole_driver_before_qt_and_nothing_of_it_before_the_paint(
        pg_demo_url: str, tmp_path: Path) -> None:
    lines = _run(ON_SERVER, pg_demo_url, ",".join(DRIVER_STANDARD_MODULES), settings=tmp_path / "reglages")
    assert "first Tableau de bord" in lines
    assert "driver before qt True" in lines
    assert "psycopg 3 False" in lines  # the driver cvdesk used before: nothing may still import it
    assert "late -" in lines, lines  # a module named here was first imported after PySide6, at a dearer price


def test_the_window_on_a_file_paints_without_the_postgresql_driver_or_ssl(demo_template: Path,
                                                                              tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    lines = _run(ON_FILE, str(path), settings=tmp_path / "reglages")
    assert "first Tableau de bord" in lines
    assert "loaded -" in lines, lines

