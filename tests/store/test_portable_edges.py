"""Portable edges: the Windows lock (its platform functions faked), synchronised folders named by whole folder names,
and command output on a Windows console that cannot show every character."""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cvdesk.store.errors import StoreError
from cvdesk.store.location_risk import risky_location, synced_folder
from cvdesk.store.lock import PID_BYTES, acquire, lock_path, windows_platform


class FakeMsvcrt:
    """msvcrt.locking as Windows behaves: a byte range locked from the file position, refused to a second holder,
    freed by the system when its program dies."""
    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self) -> None:
        self.held: dict[tuple[int, int, int], int] = {}  # (device, inode, first byte) -> descriptor
        self.locked_ranges: list[tuple[int, int]] = []

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        stat = os.fstat(fd)
        start = os.lseek(fd, 0, os.SEEK_CUR)
        key = (stat.st_dev, stat.st_ino, start)
        if mode == self.LK_NBLCK:
            if key in self.held:
                raise PermissionError(errno.EACCES, "Permission denied")
            self.held[key] = fd
            self.locked_ranges.append((start, start + nbytes))
        elif mode == self.LK_UNLCK:
            if self.held.pop(key, None) is None:
                raise PermissionError(errno.EACCES, "Permission denied")

    def program_killed(self) -> None:
        self.held.clear()


@pytest.fixture
def office_db(tmp_path: Path) -> Path:
    path = tmp_path / "bureau.db"
    path.write_bytes(b"")
    return path


def test_on_windows_a_program_killed_with_the_base_open_is_noticed_by_the_next_one(office_db: Path) -> None:
    msvcrt = FakeMsvcrt()
    platform = windows_platform(msvcrt, nofollow=0)  # Windows has no O_NOFOLLOW
    first = acquire(office_db, platform)
    assert not first.unclean_exit
    assert lock_path(office_db).read_text() == str(os.getpid())
    os.close(first.fd)  # the program dies without releasing anything…
    msvcrt.program_killed()  # …and Windows frees its lock
    second = acquire(office_db, platform)
    assert second.unclean_exit
    second.release()
    assert lock_path(office_db).read_text() == ""
    third = acquire(office_db, platform)
    assert not third.unclean_exit
    third.release()


def test_on_windows_the_locked_byte_lies_beyond_the_pid_so_the_next_program_can_read_it(office_db: Path) -> None:
    msvcrt = FakeMsvcrt()
    platform = windows_platform(msvcrt, nofollow=0)
    held = acquire(office_db, platform)
    try:
        # Windows locks are mandatory: the PID must sit in bytes nobody locks.
        assert all(start >= PID_BYTES for start, _end in msvcrt.locked_ranges)
        with pytest.raises(StoreError) as refused:
            acquire(office_db, platform)
        assert f"processus {os.getpid()}" in str(refused.value)
        assert str(office_db) in str(refused.value)
    finally:
        held.release()
    assert msvcrt.held == {}


def test_on_windows_a_planted_link_is_refused_without_o_nofollow(office_db: Path, tmp_path: Path) -> None:
    if not hasattr(os, "symlink") or os.name == "nt":
        pytest.skip("creating links needs a POSIX system here")
    victim = tmp_path / "notes.txt"
    victim.write_text("à garder", encoding="utf-8")
    lock_path(office_db).symlink_to(victim)
    with pytest.raises(StoreError, match="lien"):
        acquire(office_db, windows_platform(FakeMsvcrt(), nofollow=0))
    assert victim.read_text(encoding="utf-8") == "à garder"


@pytest.mark.parametrize("path", [
    "/home/anne/megane/bureau.db",
    "/home/anne/Mega Drive/bureau.db",
    "/home/anne/Documents/Megapole/bureau.db",
    "C:\\Users\\anne\\Documents\\Boxing club\\bureau.db",
    "/home/anne/onedrive-archives-old/bureau.db",
    "/home/anne/Documents/Dropboxes/bureau.db",
    "/srv/cvdesk/dropbox.db",  # the file's own name is not a folder
])
def test_a_folder_that_only_looks_like_a_synced_one_gets_no_warning(path: str) -> None:
    assert synced_folder(path) is None
    assert risky_location(Path(path)) is None


@pytest.mark.parametrize(("path", "service"), [
    ("/home/anne/MEGA/bureau.db", "MEGA"),
    ("/home/anne/mega/cvdesk/bureau.db", "MEGA"),
    ("C:\\Users\\anne\\OneDrive - Mairie de Condé\\Documents\\bureau.db", "OneDrive"),
    ("/home/anne/Dropbox (Personnel)/bureau.db", "Dropbox"),
    ("/home/anne/Nextcloud/bureau.db", "Nextcloud"),
    ("/home/anne/ownCloud/bureau.db", "ownCloud"),
    ("G:\\Mon Drive\\cvdesk\\bureau.db", "Google Drive"),
    ("/Users/anne/Library/CloudStorage/GoogleDrive-anne@ville.fr/Mon Drive/bureau.db", "Google Drive"),
    ("/Users/anne/Library/Mobile Documents/com~apple~CloudDocs/bureau.db", "iCloud"),
    ("C:\\Users\\anne\\iCloudDrive\\bureau.db", "iCloud"),
    ("P:\\pCloud Drive\\bureau.db", "pCloud"),
    ("C:\\Users\\anne\\Box\\bureau.db", "Box"),
    ("/home/anne/Seafile/bureau.db", "Seafile"),
])
def test_a_database_in_a_synced_folder_gets_a_warning_naming_the_service(path: str, service: str) -> None:
    warning = risky_location(Path(path))
    assert warning is not None and f"synchronisé ({service})" in warning


def test_an_import_summary_prints_on_a_cp1252_console(demo_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, database)
    sheet = tmp_path / "associations.csv"
    sheet.write_text("Nom;Sigle\nLire et grandir;LEG\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run([sys.executable, "-m", "cvdesk", "import", "--db", str(database), str(sheet),
                             "--kind", "associations", "--dry-run"], capture_output=True, env=env, timeout=120)
    out, err = result.stdout.decode("cp1252"), result.stderr.decode("cp1252")
    assert result.returncode == 0, out + err
    assert "Traceback" not in err and "Défaut de cvdesk" not in err
    assert "Nom ? Nom" in out  # the "→" the console cannot show
    assert "données" in out and "Simulation (--dry-run) : rien n'a été écrit." in out


def test_a_refusal_with_an_ellipsis_prints_on_a_cp1252_console(demo_template: Path, tmp_path: Path) -> None:
    database = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, database)
    sheet = tmp_path / "actions.csv"
    sheet.write_text("Référence;Intitulé;Année;Statut\n2016-VM-900;Jardins;2016;pirate\n", encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    result = subprocess.run([sys.executable, "-m", "cvdesk", "import", "--db", str(database), str(sheet),
                             "--kind", "actions", "--dry-run"], capture_output=True, env=env, timeout=120)
    out, err = result.stdout.decode("cp1252"), result.stderr.decode("cp1252")
    assert result.returncode == 2, out + err
    assert "Traceback" not in err and "Défaut de cvdesk" not in err
    assert "le statut « pirate » n'existe pas" in err and "…" in err
    assert "Statut ? Statut" in out
