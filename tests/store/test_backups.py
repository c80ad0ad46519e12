"""Verified backups: rotation with a fake clock, a bad database never backed up, restore end to end."""
from __future__ import annotations

import hashlib
import shutil
import sqlite3
import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database
from cvdesk.store.errors import StoreError


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture
def closed_demo(demo_db, db_path: Path) -> Path:
    close_database()
    return db_path


def test_rotation_keeps_7_daily_4_weekly_12_monthly(closed_demo: Path) -> None:
    clock = FakeClock(datetime(2024, 1, 1, 9, tzinfo=timezone.utc))
    backups = Backups(closed_demo, clock)
    for day in range(400):  # a backup every day for 400 days
        clock.now = datetime(2024, 1, 1, 9, tzinfo=timezone.utc) + timedelta(days=day)
        backups.take("ouverture")
    kept = [b.taken_at.date() for b in backups.list()]
    newest = clock.now.date()
    daily = [newest - timedelta(days=d) for d in range(7)]
    assert all(d in kept for d in daily)
    assert len({(d.year, d.month) for d in kept}) == 12
    assert len({d.isocalendar()[:2] for d in kept}) >= 4
    assert len(kept) <= 7 + 4 + 12
    for info in backups.list():
        assert stat.S_IMODE(info.path.stat().st_mode) == 0o600


def test_at_most_one_backup_a_day_at_opening_and_only_if_changed(closed_demo: Path) -> None:
    clock = FakeClock(datetime.now(timezone.utc))
    backups = Backups(closed_demo, clock)
    assert backups.due_at_open()
    backups.take("ouverture")
    assert not backups.due_at_open()
    clock.now += timedelta(days=1)
    assert not backups.due_at_open(), "unchanged since the last backup"


def test_a_change_still_in_the_wal_makes_the_next_days_backup_due(closed_demo: Path) -> None:
    import sqlite3

    import os

    clock = FakeClock(datetime.now(timezone.utc) - timedelta(hours=1))
    backups = Backups(closed_demo, clock)
    backups.take("ouverture")
    writer = sqlite3.connect(closed_demo)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the change stays in the -wal, as while the program runs
    writer.execute("UPDATE association SET notes = 'modifié' WHERE id = (SELECT min(id) FROM association)")
    writer.commit()
    assert Path(str(closed_demo) + "-wal").stat().st_size > 0
    older = (clock.now - timedelta(hours=1)).timestamp()
    os.utime(closed_demo, (older, older))  # the main file says nothing changed: only the -wal does
    clock.now += timedelta(days=1)
    assert backups.due_at_open()
    writer.close()


def test_a_damaged_database_is_never_backed_up(closed_demo: Path) -> None:
    backups = Backups(closed_demo)
    backups.take("manuelle")
    before = _digests(backups.folder)
    with closed_demo.open("r+b") as handle:  # scribble over a page in the middle of the file
        handle.seek(8192 * 4)
        handle.write(b"\xff" * 4096 * 6)
    with pytest.raises(StoreError, match="aucune sauvegarde"):
        backups.take("ouverture")
    assert _digests(backups.folder) == before


def test_restore_puts_back_every_record_and_keeps_the_current_state(closed_demo: Path) -> None:
    backups = Backups(closed_demo)
    saved = backups.take("manuelle")
    open_database(closed_demo)
    from cvdesk.services.actions import delete_action
    from cvdesk.store.models import Action

    for action in list(Action.select().where(Action.deleted == False))[:5]:  # noqa: E712
        delete_action(action.id)
    assert Action.select().where(Action.deleted == False).count() == 35  # noqa: E712
    close_database()
    previous = backups.restore(saved)
    assert previous is not None and previous.exists()
    open_database(closed_demo)
    assert Action.select().where(Action.deleted == False).count() == 40  # noqa: E712
    close_database()
    assert [b.reason for b in backups.list()][:1] == ["restauration"]
    conn = sqlite3.connect(previous)
    assert conn.execute('SELECT count(*) FROM "action" WHERE deleted = 0').fetchone()[0] == 35
    conn.close()


def test_a_damaged_database_is_set_aside_not_deleted_when_restoring(closed_demo: Path) -> None:
    backups = Backups(closed_demo)
    saved = backups.take("manuelle")
    with closed_demo.open("r+b") as handle:
        handle.seek(8192 * 4)
        handle.write(b"\xff" * 4096 * 6)
    damaged = closed_demo.read_bytes()
    previous = backups.restore(saved)
    assert previous is not None and ".mise-de-cote-" in previous.name
    assert previous.read_bytes() == damaged
    open_database(closed_demo)
    close_database()


def test_backup_listing_gives_date_size_and_counts(closed_demo: Path) -> None:
    backups = Backups(closed_demo)
    backups.take("manuelle")
    [info] = backups.list()
    assert info.size > 0 and info.reason == "manuelle"
    assert info.counts() == {"actions": 40, "associations": 20, "quartiers": 14}


def test_opening_takes_the_daily_backup(demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    open_database(path, backup_on_open=True)
    close_database()
    open_database(path, backup_on_open=True)
    close_database()
    assert len(Backups(path).list()) == 1


def test_a_full_disk_during_a_backup_leaves_everything_as_it_was(closed_demo: Path, monkeypatch) -> None:
    import errno
    import os

    backups = Backups(closed_demo)
    backups.take("manuelle")
    before = _digests(backups.folder)
    database_before = hashlib.sha256(closed_demo.read_bytes()).hexdigest()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StoreError, match="le disque est plein"):
        backups.take("import")
    assert _digests(backups.folder) == before
    assert hashlib.sha256(closed_demo.read_bytes()).hexdigest() == database_before


def test_an_import_is_preceded_by_a_verified_backup(demo_template: Path, tmp_path: Path) -> None:
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.services.associations import save_association

    office, headquarters = tmp_path / "bureau.db", tmp_path / "siege.db"
    shutil.copyfile(demo_template, office)
    shutil.copyfile(demo_template, headquarters)
    package = tmp_path / "bureau.zip"
    open_database(office)
    save_association({"name": "Nouvelle association du bureau"})
    export_package(package, "Bureau de Condé")
    close_database()
    open_database(headquarters)
    try:
        assert Backups(headquarters).list() == []
        summary = import_package(package, dry_run=True)
        assert summary.changed and Backups(headquarters).list() == []
        import_package(package)
        [backup] = Backups(headquarters).list()
        assert backup.reason == "import" and backup.counts()["associations"] == 20
    finally:
        close_database()


def test_a_folder_name_with_a_hash_does_not_fool_the_backups(demo_template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "Projet #2 ?50%"
    folder.mkdir()
    path = folder / "bureau.db"
    shutil.copyfile(demo_template, path)
    backups = Backups(path)
    saved = backups.take("manuelle")
    assert backups.list()[0].counts()["actions"] == 40
    backups.restore(saved)
    conn = sqlite3.connect(path)
    assert conn.execute('SELECT count(*) FROM "action"').fetchone()[0] == 40
    conn.close()
    assert not (tmp_path / "Projet ").exists()


def test_what_a_killed_backup_left_behind_is_never_listed_and_goes_at_the_next_backup(closed_demo: Path) -> None:
    backups = Backups(closed_demo)
    kept = backups.take("manuelle")
    # A backup killed half-way: its work folder with a partial copy inside, and an earlier version's `.tmp` file.
    work = backups.folder / ".bureau-20240101T000000000000Z-import.db.en-cours-k1ll3d"
    work.mkdir()
    (work / "bureau-20240101T000000000000Z-import.db").write_bytes(closed_demo.read_bytes()[:20_000])
    legacy = backups.folder / "bureau-20240101T000000000000Z-import.db.tmp"
    legacy.write_bytes(closed_demo.read_bytes()[:20_000])
    restore_left = closed_demo.parent / ".bureau.db.en-cours-r3st0r"  # a restore killed before its rename
    restore_left.mkdir()
    assert [b.path for b in backups.list()] == [kept]
    backups.take("import")
    assert not work.exists() and not legacy.exists() and not restore_left.exists()
    assert sorted(p.name for p in backups.folder.iterdir()) == sorted(b.path.name for b in backups.list())
    assert len(backups.list()) == 2


def test_retried_imports_of_an_unchanged_database_leave_one_backup(closed_demo: Path) -> None:
    clock = FakeClock(datetime(2025, 3, 3, 9, tzinfo=timezone.utc))
    backups = Backups(closed_demo, clock)
    backups.take("ouverture")
    for minute in range(1, 4):  # three attempts at the same import, none of which changed anything
        clock.now += timedelta(minutes=minute)
        newest = backups.take("import")
    assert [(b.reason, b.path) for b in backups.list()][:1] == [("import", newest)]
    assert sorted(b.reason for b in backups.list()) == ["import", "ouverture"]


def test_a_changed_database_gets_a_new_backup_even_for_the_same_reason(closed_demo: Path) -> None:
    clock = FakeClock(datetime(2025, 3, 3, 9, tzinfo=timezone.utc))
    backups = Backups(closed_demo, clock)
    first = backups.take("import")
    open_database(closed_demo)
    from cvdesk.services.associations import save_association

    assert save_association({"name": "Association ajoutée entre deux imports"}).ok
    close_database()
    clock.now += timedelta(minutes=5)
    second = backups.take("import")
    assert [b.path for b in backups.list()] == [second, first]
    assert [b.counts()["associations"] for b in backups.list()] == [21, 20]
