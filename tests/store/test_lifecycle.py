"""The database's lifecycle: every command and the window close it cleanly, so that the next opening is quick;
a read-only folder opens read-only; an empty SQLite file of another program is not adopted."""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import peewee
import pytest

from cvdesk.cli import main
from cvdesk.store import database as store_database
from cvdesk.store.database import is_read_only, open_database, opened_database, previous_exit_was_unclean
from cvdesk.store.errors import StoreError
from cvdesk.store.lock import lock_path
from cvdesk.store.models import Quartier


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], capture_output=True, text=True, timeout=300)


def test_every_command_leaves_a_clean_close_behind(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    commands = [
        ("check",),
        ("table", "communes", "--out", str(tmp_path / "communes.csv")),
        ("report", "quartier", "--id", "QP059001", "--out", str(tmp_path / "q.pdf")),
        ("export", "--office", "Bureau Nord", "--out", str(tmp_path / "p.zip")),
        ("import", str(tmp_path / "p.zip"), "--dry-run"),
    ]
    for args in commands:
        result = run(args[0], "--db", str(path), *args[1:])
        assert result.returncode == 0, (args, result.stderr)
        # An empty lock file is the mark of a clean close (a PID left in it means the program died).
        assert lock_path(path).read_bytes() == b"", args
    with opened_database(path):
        assert not previous_exit_was_unclean()


def test_a_refused_command_closes_cleanly_too(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    result = run("report", "quartier", "--db", str(path), "--id", "QP999999", "--out", str(tmp_path / "q.pdf"))
    assert result.returncode == 2
    assert lock_path(path).read_bytes() == b""


def test_check_runs_the_integrity_check_once(demo_template: Path, tmp_path: Path, monkeypatch, capsys) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    with opened_database(path):
        pass
    checks_at_opening: list[bool] = []
    real = store_database.integrity_problem
    monkeypatch.setattr(store_database, "integrity_problem",
                        lambda p, full=False, **kw: checks_at_opening.append(full) or real(p, full=full, **kw))
    statements: list[str] = []
    real_connect = sqlite3.connect

    def traced(*args, **kwargs):
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", traced)
    assert main(["check", "--db", str(path)]) == 0
    assert "La base est cohérente." in capsys.readouterr().out
    # One full integrity check, at the opening (where a damaged file is refused naming its backup), none after.
    assert checks_at_opening == [True]
    assert sum("integrity_check" in s.lower() for s in statements) == 1


def test_an_empty_sqlite_file_of_another_program_is_not_adopted(tmp_path: Path) -> None:
    path = tmp_path / "autre.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 0")
    conn.execute("VACUUM")  # writes the header: a valid, empty SQLite file
    conn.close()
    assert path.stat().st_size > 0
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match="vide qui n'a pas été créée par cvdesk"):
        open_database(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert main(["check", "--db", str(path)]) == 2


def test_a_database_created_here_and_cut_short_is_still_ours(tmp_path: Path) -> None:
    path = tmp_path / "neuve.db"
    store_database._create_private_file(path)  # the creation stopped right after its first page
    with opened_database(path) as database:
        assert database.pragma("user_version") > 0


def test_a_healthy_database_on_a_read_only_medium_opens_for_reading(demo_template: Path, read_only_folder,
                                                                    tmp_path: Path, capsys) -> None:
    path = read_only_folder(demo_template)
    with opened_database(path):
        assert is_read_only()
        assert Quartier.select().where(Quartier.deleted == False).count() == 14  # noqa: E712
        with pytest.raises(peewee.DatabaseError, match="readonly"):
            Quartier.update(name="X").execute()
    assert not is_read_only()
    out = tmp_path / "quartiers.csv"
    assert main(["table", "quartiers", "--db", str(path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "lecture seule" in err and "illisible" not in err
    assert out.read_text(encoding="utf-8-sig").count("QP059") == 14
