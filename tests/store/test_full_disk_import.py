"""A full disk during an import: a French sentence, the database as it was, the older backups untouched."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_full_disk_during_an_import_changes_nothing(demo_template: Path, tmp_path: Path) -> None:
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.export_package import export_package
    from cvdesk.exchange.merge import import_package
    from cvdesk.services.synthetic import Scale, build_synthetic

    source = tmp_path / "gros-bureau.db"
    open_database(source)
    build_synthetic(Scale(communes=10, quartiers=20, associations=200, actions=1000, first_year=2015, years=2))
    package = tmp_path / "gros-bureau.zip"
    export_package(package, "Gros bureau")
    close_database()

    headquarters = tmp_path / "siege.db"
    shutil.copyfile(demo_template, headquarters)
    backups = Backups(headquarters)
    backups.take("manuelle")
    older = {b.path.name: _digest(b.path) for b in backups.list()}
    database = open_database(headquarters)
    before = {name: database.execute_sql(f'SELECT count(*) FROM "{name}"').fetchone()[0]
              for name in ("action", "funding", "association", "history")}
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up during the merge
    try:
        import_package(package)
    except ExchangeError as exc:
        message = str(exc)
    else:
        raise AssertionError("the import should have failed on the full disk")
    assert "le disque est plein" in message and "rien n'a été modifié" in message
    after = {name: database.execute_sql(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in before}
    assert after == before
    close_database()
    assert {name: digest for name, digest in
            ((b.path.name, _digest(b.path)) for b in backups.list()) if name in older} == older
    check = subprocess.run([sys.executable, "-m", "cvdesk", "check", "--db", str(headquarters)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_full_disk_during_a_spreadsheet_import_says_so_changes_nothing_and_retries_leave_one_backup(
        demo_template: Path, tmp_path: Path) -> None:
    from cvdesk.exchange.errors import ExchangeError
    from cvdesk.exchange.sheet_import import import_sheet

    sheet = tmp_path / "associations.csv"
    rows = "".join(f"Association du tableur n° {n};{'Compte rendu de la réunion. ' * 60}\n" for n in range(3000))
    sheet.write_text("Nom;Notes\n" + rows, encoding="utf-8")
    headquarters = tmp_path / "siege.db"
    shutil.copyfile(demo_template, headquarters)
    backups = Backups(headquarters)
    backups.take("manuelle")
    older = {b.path.name: _digest(b.path) for b in backups.list()}
    database = open_database(headquarters)
    counts = "SELECT (SELECT count(*) FROM association), (SELECT count(*) FROM history)"
    before = database.execute_sql(counts).fetchone()
    pages = database.execute_sql("PRAGMA page_count").fetchone()[0]
    database.execute_sql(f"PRAGMA max_page_count = {pages + 5}")  # the disk fills up during the import
    messages = []
    for _attempt in range(3):  # the coordinator tries again, twice
        try:
            import_sheet(sheet, "associations")
        except ExchangeError as exc:
            messages.append(str(exc))
        else:
            raise AssertionError("the import should have failed on the full disk")
        assert database.execute_sql(counts).fetchone() == before
    close_database()
    assert len(messages) == 3
    for message in messages:
        assert str(sheet) in message and "le disque est plein" in message and "rien n'a été modifié" in message
        assert "rollback" not in message and "transaction" not in message
    assert {b.path.name: _digest(b.path) for b in backups.list() if b.path.name in older} == older
    assert sorted(b.reason for b in backups.list()) == ["import", "manuelle"]
    check = subprocess.run([sys.executable, "-m", "cvdesk", "check", "--db", str(headquarters)],
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
