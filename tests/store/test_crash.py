"""Crash safety: a writer killed with SIGKILL at random moments never loses a reported commit nor half-applies work."""
from __future__ import annotations

import os
import random
import select
import shutil
import signal
import sqlite3
import time
from pathlib import Path
from typing import Callable

import pytest

from cvdesk.store.database import close_database
from cvdesk.store.migrations import MIGRATIONS

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

KILLS = 50


def _run_and_kill(work: Callable[[int], None], rng: random.Random, window: tuple[float, float]) -> list[str]:
    """Fork a child running work(write_fd); kill it after a random delay; return the lines it reported."""
    close_database()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: do the work, never return into pytest
        os.close(read_fd)
        try:
            work(write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + rng.uniform(*window)
    received = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
        if ready:
            chunk = os.read(read_fd, 65536)
            if not chunk:
                break
            received += chunk
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    while True:  # what the child wrote before dying is still in the pipe
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        received += chunk
    os.close(read_fd)
    return [line for line in received.decode().splitlines() if line]


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def test_every_reported_save_survives_a_kill(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    rng = random.Random(7)
    reported: set[str] = set()

    for round_number in range(KILLS):
        def work(fd: int, round_number: int = round_number) -> None:
            from cvdesk.services.associations import save_association
            from cvdesk.store.database import open_database

            open_database(path)
            for i in range(100_000):
                name = f"Association {round_number}-{i}"
                result = save_association({"name": name, "notes": "écrite avant un arrêt brutal"})
                assert result.ok
                os.write(fd, (name + "\n").encode())  # reported only once committed

        reported.update(_run_and_kill(work, rng, (0.02, 0.4)))
        assert _integrity(path) == "ok"
    conn = sqlite3.connect(path)
    names = {row[0] for row in conn.execute("SELECT name FROM association")}
    history = conn.execute("SELECT count(*) FROM history WHERE record_type = 'Association'").fetchone()[0]
    conn.close()
    assert len(reported) > KILLS
    assert reported <= names
    assert history >= len(reported)


def test_a_killed_migration_is_whole_or_absent(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "schema-v1.db"
    rng = random.Random(11)
    outcomes = {"entière": 0, "absente": 0}
    for attempt in range(KILLS):
        path = tmp_path / f"bureau-{attempt}.db"
        shutil.copyfile(fixture, path)

        def work(fd: int, path: Path = path) -> None:
            from cvdesk.store.database import open_database
            from cvdesk.store.migrations import MIGRATIONS, Migration, migrate

            def long_step(database, migrator) -> None:
                database.execute_sql("CREATE TABLE scratch (id INTEGER PRIMARY KEY, label TEXT)")
                database.execute_sql("ALTER TABLE quartier ADD COLUMN households INTEGER")
                database.execute_sql("UPDATE quartier SET households = population / 3")
                for start in range(0, 200_000, 20_000):
                    database.connection().executemany(
                        "INSERT INTO scratch (label) VALUES (?)", ((f"ligne {n}",) for n in range(start, start + 20_000)))
            database = open_database(path)
            os.write(fd, b"ouverte\n")
            migrate(database, (*MIGRATIONS, Migration(MIGRATIONS[-1].version + 1, "longue", long_step)))
            os.write(fd, b"migree\n")

        lines = _run_and_kill(work, rng, (0.05, 0.6))
        assert _integrity(path) == "ok"
        conn = sqlite3.connect(path)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if version == MIGRATIONS[-1].version + 1:
            assert conn.execute("SELECT count(*) FROM scratch").fetchone()[0] == 200_000
            assert conn.execute("SELECT count(*) FROM quartier WHERE households IS NULL").fetchone()[0] == 0
            outcomes["entière"] += 1
        else:
            assert version <= MIGRATIONS[-1].version and "scratch" not in tables
            assert "migree" not in lines
            outcomes["absente"] += 1
        assert conn.execute('SELECT count(*) FROM "action"').fetchone()[0] == 40
        conn.close()
    assert outcomes["entière"] + outcomes["absente"] == KILLS


@pytest.fixture(scope="module")
def big_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A package of a small synthetic dataset (3,000 actions): its import takes long enough to be cut."""
    from cvdesk.exchange.export_package import export_package
    from cvdesk.services.synthetic import Scale, build_synthetic
    from cvdesk.store.database import open_database

    folder = tmp_path_factory.mktemp("paquet")
    open_database(folder / "source.db")
    build_synthetic(Scale(communes=30, quartiers=60, associations=600, actions=3000, first_year=2015, years=3))
    package = folder / "bureau.zip"
    export_package(package, "Bureau synthétique")
    close_database()
    return package


def test_a_killed_import_is_whole_or_absent(big_package: Path, tmp_path: Path) -> None:
    from cvdesk.store.database import open_database

    empty = tmp_path / "vide.db"
    open_database(empty)
    close_database()
    rng = random.Random(13)
    outcomes = {"entier": 0, "absent": 0}
    for attempt in range(KILLS):
        path = tmp_path / f"siege-{attempt}.db"
        shutil.copyfile(empty, path)

        def work(fd: int, path: Path = path) -> None:
            from cvdesk.exchange.merge import import_package
            from cvdesk.store.database import open_database

            open_database(path)
            os.write(fd, b"ouverte\n")
            import_package(big_package)
            os.write(fd, b"importe\n")

        lines = _run_and_kill(work, rng, (0.1, 1.2))
        assert _integrity(path) == "ok"
        conn = sqlite3.connect(path)
        actions = conn.execute('SELECT count(*) FROM "action"').fetchone()[0]
        fundings = conn.execute("SELECT count(*) FROM funding").fetchone()[0]
        conn.close()
        if actions:
            assert (actions, fundings) == (3_000, 9_000)
            outcomes["entier"] += 1
        else:
            assert fundings == 0 and "importe" not in lines
            outcomes["absent"] += 1
        path.unlink()
    assert sum(outcomes.values()) == KILLS


def test_a_backup_killed_half_way_is_never_listed_and_its_leftovers_go_at_the_next_one(
        demo_template: Path, tmp_path: Path) -> None:
    from cvdesk.store.backup import WORK_MARK
    from cvdesk.store.backups import Backups, integrity_problem

    close_database()
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    backups = Backups(path)
    backups.folder.mkdir()
    caught = 0
    for _attempt in range(20):
        pid = os.fork()
        if pid == 0:  # the child backs up again and again until it is killed
            try:
                while True:
                    Backups(path).take("manuelle")
            finally:
                os._exit(0)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(WORK_MARK in name for name in os.listdir(backups.folder)):
            time.sleep(0.0005)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        leftovers = [name for name in os.listdir(backups.folder) if WORK_MARK in name]
        if not leftovers:
            continue  # killed between two backups: try again
        caught += 1
        assert all(WORK_MARK not in b.path.name for b in backups.list())
        assert all(integrity_problem(b.path) is None for b in backups.list())
        backups.take("manuelle")
        assert [name for name in os.listdir(backups.folder) if WORK_MARK in name] == []
        if caught == 3:
            break
    assert caught >= 1
    assert sorted(os.listdir(backups.folder)) == sorted(b.path.name for b in backups.list())
