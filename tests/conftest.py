"""Shared fixtures: a fresh database per test, and the demo contract copied from one build per session."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from cvdesk.store.database import close_database, open_database  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "bureau.db"


@pytest.fixture
def empty_db(db_path: Path):
    database = open_database(db_path)
    yield database
    close_database()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cvdesk.services.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    open_database(path)
    build_demo()
    close_database()
    # One self-contained file: fold the WAL into it so a plain copy is complete.
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path


@pytest.fixture
def demo_db(demo_template: Path, db_path: Path):
    shutil.copyfile(demo_template, db_path)
    database = open_database(db_path)
    yield database
    close_database()


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """A copy of a database on a read-only medium (a tmpfs remounted read-only): call it with the file to copy."""
    import subprocess

    folder = tmp_path / "cle"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("monter un support en lecture seule demande les droits d'administration")

    def put(source: Path) -> Path:
        target = folder / "bureau.db"
        shutil.copyfile(source, target)
        result = subprocess.run(["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return target

    try:
        yield put
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
