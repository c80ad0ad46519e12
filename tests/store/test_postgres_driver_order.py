"""The window's start on a PostgreSQL base loads the driver before PySide6 (whose import hook makes every later
import dearer); a file's start loads no PostgreSQL driver at all."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ORDER = """
import sys
from cvdesk.store.target import load_driver_before_qt

load_driver_before_qt(sys.argv[1])
print("psycopg2", "psycopg2" in sys.modules, "qt", "PySide6" in sys.modules, "peewee", "peewee" in sys.modules)
"""


def _loaded_after(target: str) -> str:
    done = subprocess.run([sys.executable, "-c", ORDER, target], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_a_postgresql_address_loads_the_driver_before_qt_and_without_peewee() -> None:
    assert _loaded_after("postgresql://siege@serveur/cvdesk") == "psycopg2 True qt False peewee False"


def test_a_file_loads_no_postgresql_driver(tmp_path: Path) -> None:
    assert _loaded_after(str(tmp_path / "bureau.db")) == "psycopg2 False qt False peewee False"
