"""A second window on a database another cvdesk holds: it may quit or open another base, never restore over it."""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from cvdesk.store.backups import Backups
from cvdesk.store.database import close_database, database_path
from cvdesk.ui.app import run_window
from cvdesk.ui.backups_dialog import BackupsDialog


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def held(demo_template: Path, tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    """A copy of the demo with a good backup beside it, kept open by another cvdesk process until the test ends."""
    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    Backups(path).take("manuelle")
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from cvdesk.store.database import open_database;"
         f" open_database({str(path)!r}); print('ouverte', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ouverte"
        yield path, child
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


def _answer_next_dialog(qtbot, seen: list[dict], choose) -> None:
    """When the next modal dialog shows, note its title, text and buttons, then let choose() answer it."""
    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, look)
            return
        seen.append({"box": box, "title": box.windowTitle(),
                     "text": box.text() if isinstance(box, QMessageBox) else "",
                     "buttons": [b.text() for b in box.buttons()] if isinstance(box, QMessageBox) else [],
                     "default": box.defaultButton().text() if isinstance(box, QMessageBox) and box.defaultButton()
                     else None})
        choose(box)

    QTimer.singleShot(0, look)


def _click(text: str):
    def choose(box: QMessageBox) -> None:
        [button] = [b for b in box.buttons() if b.text() == text]
        button.click()
    return choose


def test_a_second_window_on_a_held_database_offers_only_to_quit_or_open_another(qtbot, held) -> None:
    path, child = held
    before = _digest(path)
    seen: list[dict] = []
    _answer_next_dialog(qtbot, seen, _click("Quitter"))
    assert run_window(path) == 2
    assert len(seen) == 1
    assert seen[0]["buttons"] == ["Quitter", "Ouvrir une autre base…"]
    assert seen[0]["default"] == "Quitter"
    assert "déjà ouverte par un autre programme cvdesk" in seen[0]["text"] and str(child.pid) in seen[0]["text"]
    assert not any("Restaurer" in b for b in seen[0]["buttons"])
    assert _digest(path) == before
    assert not list(path.parent.glob("bureau.mise-de-cote-*"))
    assert database_path() is None


def test_a_damaged_file_offers_its_backup_but_never_as_the_default_button(qtbot, demo_template: Path,
                                                                          tmp_path: Path) -> None:
    from cvdesk.ui.open_problems import offer_restore

    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    Backups(path).take("manuelle")
    with path.open("r+b") as handle:
        handle.seek(4096 * 3)
        handle.write(b"\x00\xff" * 4096 * 4)
    damaged = _digest(path)
    seen: list[dict] = []
    _answer_next_dialog(qtbot, seen, _click("Quitter"))
    assert not offer_restore(path, "La base est endommagée.")
    assert seen[0]["buttons"] == ["Restaurer la sauvegarde", "Quitter"]
    assert seen[0]["default"] == "Quitter"
    assert _digest(path) == damaged


def test_a_sound_file_refused_for_another_reason_is_not_offered_a_restore(qtbot, demo_template: Path,
                                                                          tmp_path: Path) -> None:
    import sqlite3

    from cvdesk.ui.open_problems import offer_restore

    path = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, path)
    Backups(path).take("manuelle")
    path.unlink()
    conn = sqlite3.connect(path)  # another program's sound SQLite file now sits under the name
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    seen: list[dict] = []
    _answer_next_dialog(qtbot, seen, _click("Quitter"))
    assert not offer_restore(path, "Ce n'est pas une base cvdesk.")
    assert seen[0]["buttons"] == ["Quitter"]


def test_the_backups_dialog_refuses_to_restore_while_another_program_holds_the_base(qtbot, held) -> None:
    path, child = held
    before = _digest(path)
    dialog = BackupsDialog(path)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    seen: list[dict] = []

    def answer_yes_then_note_the_refusal(box) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()
        _answer_next_dialog(qtbot, seen, lambda refusal: refusal.accept())

    _answer_next_dialog(qtbot, [], answer_yes_then_note_the_refusal)
    dialog.restore_selected()
    assert seen[0]["title"] == "Restauration impossible"
    assert "Restauration refusée, rien n'a changé" in seen[0]["text"] and str(child.pid) in seen[0]["text"]
    assert _digest(path) == before
    assert [b.reason for b in Backups(path).list()] == ["manuelle"]
    close_database()


def test_restoring_from_the_backups_dialog_still_works_on_the_open_base(qtbot, demo_db, db_path: Path) -> None:
    from cvdesk.services.actions import delete_action
    from cvdesk.store.models import Action

    Backups(db_path).take("manuelle")
    delete_action(Action.select().first().id)
    dialog = BackupsDialog(db_path)
    qtbot.addWidget(dialog)
    seen: list[dict] = []

    def answer_yes_then_close_the_notice(box) -> None:
        box.button(QMessageBox.StandardButton.Yes).click()
        _answer_next_dialog(qtbot, seen, lambda notice: notice.accept())

    _answer_next_dialog(qtbot, [], answer_yes_then_close_the_notice)
    dialog.table.selectRow(dialog.table.rowCount() - 1)
    dialog.restore_selected()
    assert seen[0]["title"] == "Restauration"
    assert Action.select().where(Action.deleted == False).count() == 40  # noqa: E712
    assert database_path() == db_path
