"""Opening in the window: a damaged database is refused with its newest good backup offered, and restored."""
from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, open_database
from cvdesk.ui.open_problems import offer_restore
from cvdesk.ui.opening_checks import OpeningChecks


def _damage(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\x00\xff" * 4096 * 4)


def test_a_damaged_file_found_in_the_background_is_reported(qtbot, demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    _damage(path)
    checks = OpeningChecks(path, full=True)
    with qtbot.waitSignal(checks.problem, timeout=10_000) as blocker:
        checks.start()
    assert "endommagée" in blocker.args[0]
    checks.wait()


def test_the_daily_backup_is_taken_in_the_background(qtbot, demo_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    checks = OpeningChecks(path, full=False)
    with qtbot.waitSignal(checks.backed_up, timeout=10_000):
        checks.start()
    checks.wait()
    assert [b.reason for b in Backups(path).list()] == ["ouverture"]


def test_restoring_from_the_refusal_sets_the_bad_file_aside(qtbot, demo_template: Path, tmp_path: Path,
                                                            monkeypatch) -> None:
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    Backups(path).take("manuelle")
    _damage(path)
    damaged = path.read_bytes()

    def click_restore(box: QMessageBox) -> int:
        restore = [b for b in box.buttons() if b.text() == "Restaurer la sauvegarde"][0]
        monkeypatch.setattr(box, "clickedButton", lambda: restore)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", click_restore)
    assert offer_restore(path, "La base est endommagée.")
    aside = list(tmp_path.glob("bureau.mise-de-cote-*.db"))
    assert len(aside) == 1 and aside[0].read_bytes() == damaged
    open_database(path)
    close_database()
