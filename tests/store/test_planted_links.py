"""Someone plants a link where cvdesk writes its lock or its backups: the file it points to stays as it was."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cvdesk.store.backup import backup_to
from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError
from cvdesk.store.lock import acquire, lock_path

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="creating links needs a POSIX system here")

VICTIM_TEXT = "Notes personnelles de la coordinatrice : ne pas écraser.\n"


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "ailleurs"
    folder.mkdir()
    path = folder / "notes.txt"
    path.write_text(VICTIM_TEXT, encoding="utf-8")
    return path


@pytest.fixture
def office_db(demo_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    return path


def test_a_link_planted_as_the_lock_file_is_refused_and_its_target_untouched(office_db: Path, victim: Path) -> None:
    lock_path(office_db).symlink_to(victim)
    with pytest.raises(StoreError) as refused:
        open_database(office_db)
    assert "verrou" in str(refused.value) and "lien" in str(refused.value)
    assert str(lock_path(office_db)) in str(refused.value)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_the_command_line_says_so_in_one_sentence(office_db: Path, victim: Path) -> None:
    lock_path(office_db).symlink_to(victim)
    result = subprocess.run([sys.executable, "-m", "cvdesk", "check", "--db", str(office_db)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "est un lien vers un autre fichier" in result.stderr and "Traceback" not in result.stderr
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_a_dangling_link_as_the_lock_file_creates_nothing_at_its_target(office_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "ailleurs" / "cree-par-cvdesk.txt"
    target.parent.mkdir()
    lock_path(office_db).symlink_to(target)
    with pytest.raises(StoreError, match="lien"):
        acquire(office_db)
    assert not target.exists()


def test_a_second_name_of_another_file_as_the_lock_file_is_refused(office_db: Path, victim: Path) -> None:
    os.link(victim, lock_path(office_db))  # a hard link: the same file under the lock's name
    with pytest.raises(StoreError, match="lien"):
        acquire(office_db)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_an_ordinary_lock_file_still_works(office_db: Path) -> None:
    open_database(office_db)
    assert lock_path(office_db).read_text().strip() == str(os.getpid())
    close_database()
    assert lock_path(office_db).read_text() == ""


def test_links_planted_at_the_backup_names_are_never_written_through(office_db: Path, victim: Path,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "partage" / "copie.db"
    out.parent.mkdir()
    # Every name the copy could use beside its target, earlier versions' included.
    for name in ("copie.db.tmp", "copie.db.tmp-journal", "copie.db-journal", ".copie.db.en-cours-x"):
        (out.parent / name).symlink_to(victim)
    backup_to(office_db, out)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert not out.is_symlink() and out.stat().st_size > 0
    leftovers = sorted(p.name for p in out.parent.iterdir() if p.name != "copie.db" and not p.is_symlink())
    assert leftovers == []


def test_a_link_planted_as_a_backup_is_not_listed_and_not_followed(office_db: Path, victim: Path) -> None:
    backups = Backups(office_db)
    backups.take("manuelle")
    planted = backups.folder / "bureau-20240101T000000000000Z-manuelle.db"
    planted.symlink_to(victim)
    assert [b.path for b in backups.list()] != [] and planted not in [b.path for b in backups.list()]
    backups.prune()
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT


def test_a_restore_replaces_a_planted_link_instead_of_writing_through_it(office_db: Path, victim: Path) -> None:
    backups = Backups(office_db)
    saved = backups.take("manuelle")
    office_db.unlink()
    office_db.symlink_to(victim)  # the database's own name now points elsewhere
    (office_db.parent / "bureau.db.restauration").symlink_to(victim)  # the staging name of earlier versions
    backups.restore(saved)
    assert victim.read_text(encoding="utf-8") == VICTIM_TEXT
    assert not office_db.is_symlink()
    open_database(office_db)
    close_database()
