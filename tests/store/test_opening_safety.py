"""Bad files, second instances, stale locks and a full disk: a French sentence, exit 2, and nothing changed."""
from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cvdesk", *args], capture_output=True, text=True, timeout=120)


def _snapshot(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\x00\xff" * 4096 * 4)


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _foreign(path: Path) -> None:
    path.unlink()
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()


def _newer(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "damage, words",
    [(_truncate, "tronquée"), (_corrupt, "endommagée"), (_empty, "vide"), (_foreign, "autre programme"),
     (_newer, "version plus récente")],
    ids=["tronquée", "endommagée", "vide", "étrangère", "plus-récente"],
)
def test_a_bad_file_is_refused_untouched_with_the_newest_good_backup_named(
        demo_template: Path, tmp_path: Path, damage, words) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    Backups(path).take("manuelle")
    damage(path)
    before = _snapshot(tmp_path)
    result = run("check", "--db", str(path))
    assert result.returncode == 2, result.stdout + result.stderr
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    if damage in (_truncate, _corrupt, _empty):
        assert "sauvegarde en bon état" in result.stderr
    after = _snapshot(tmp_path)
    after.pop("bureau.db.verrou", None)
    before.pop("bureau.db.verrou", None)
    assert after == before


def test_a_second_program_on_the_same_database_is_told_so(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    open_database(path)
    try:
        result = run("check", "--db", str(path))
        assert result.returncode == 2
        assert "déjà ouverte par un autre programme cvdesk" in result.stderr
        assert str(os.getpid()) in result.stderr
    finally:
        close_database()
    assert run("check", "--db", str(path)).returncode == 0


def test_a_lock_left_by_a_killed_program_does_not_block_the_next_start(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from cvdesk.store.database import open_database;"
         f" open_database({str(path)!r}); print('ouverte', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ouverte"
    child.kill()
    child.wait()
    assert (tmp_path / "bureau.db.verrou").read_text().strip() == str(child.pid)
    open_database(path)  # stale lock: taken over, and the full integrity check runs
    close_database()
    assert (tmp_path / "bureau.db.verrou").read_text() == ""


def test_a_full_disk_during_a_save_says_so_and_changes_nothing(demo_db) -> None:
    from cvdesk.services.associations import save_association
    from cvdesk.store.models import Association

    count = Association.select().count()
    pages = demo_db.execute_sql("PRAGMA page_count").fetchone()[0]
    demo_db.execute_sql(f"PRAGMA max_page_count = {pages}")
    # Within the field caps (255 characters for a name, 20,000 for notes), but more than the free pages hold.
    result = save_association({"name": "Association au nom très long " * 8, "notes": "x" * 19_000})
    assert not result.ok
    assert "disque est plein" in result.errors[""]
    assert Association.select().count() == count


def test_a_database_on_a_risky_place_gets_a_warning() -> None:
    from cvdesk.store.location_risk import risky_location

    assert "OneDrive" in risky_location(Path("/home/marie/OneDrive/cvdesk/bureau.db"))
    assert "Dropbox" in risky_location(Path("C:/Users/marie/Dropbox/bureau.db"))
    assert "réseau" in risky_location(Path("//serveur/partage/bureau.db"))
    assert risky_location(Path("/home/marie/.local/share/cvdesk/bureau.db")) is None


def _fill_the_disk(database) -> None:
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages}")


def test_a_full_disk_during_a_quartier_save_leaves_no_half_written_quartier(demo_db) -> None:
    from cvdesk.services.quartiers import save_quartier
    from cvdesk.store.models import Commune, Quartier, QuartierCommune

    before = (Quartier.select().count(), QuartierCommune.select().count())
    _fill_the_disk(demo_db)
    result = save_quartier({"code": "QP059099", "name": "Quartier " + "très long " * 20, "notes": "n" * 19_000},
                           commune_ids=[c.id for c in Commune.select()])
    assert not result.ok and "disque est plein" in next(iter(result.errors.values()))
    assert (Quartier.select().count(), QuartierCommune.select().count()) == before


def test_a_full_disk_during_a_deletion_says_so_and_keeps_the_record(demo_db, monkeypatch) -> None:
    from peewee import OperationalError

    from cvdesk.services import records
    from cvdesk.services.actions import delete_action
    from cvdesk.store.models import Action, History

    action = Action.select().first()
    history = History.select().count()

    def full(*_args, **_kwargs) -> None:  # the history line is the write that no longer fits
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(records, "_write_history", full)
    with pytest.raises(StoreError, match="Suppression impossible : le disque est plein"):
        delete_action(action.id)
    assert Action.get_by_id(action.id).deleted is False
    assert History.select().count() == history
