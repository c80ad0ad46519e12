"""A base kept elsewhere than the default folder is opened again at the next start, without the first-start question."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from cvdesk.ui import first_start
from cvdesk.ui.app import run_window
from cvdesk.ui.main_window import MainWindow, remembered_database


def close_when_shown(seen: dict[str, str]) -> None:
    def look() -> None:
        windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or not windows[0]._painted:
            QTimer.singleShot(20, look)
            return
        seen["title"] = windows[0].windowTitle()
        windows[0].close()

    QTimer.singleShot(0, look)


def test_the_base_shown_last_opens_again_when_the_default_one_does_not_exist(
        window, qtbot, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Remembered once the window has painted (Qt's settings file is not written on the way to the first paint).
    qtbot.waitUntil(lambda: remembered_database() == db_path.resolve(), timeout=3000)
    window.close()
    from cvdesk.store.database import close_database

    close_database()
    asked: list[Path] = []
    monkeypatch.setattr(first_start, "ask_first_start", lambda path: asked.append(path))
    default = tmp_path / "dossier-par-defaut" / "cvdesk.db"
    seen: dict[str, str] = {}
    close_when_shown(seen)
    assert run_window(default, ask_if_new=True) == 0
    assert asked == []  # nobody asked how to begin
    assert seen["title"].startswith(db_path.name)
    assert not default.exists()


def test_a_remembered_base_that_was_deleted_leads_back_to_the_question(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cvdesk.ui.main_window import remember_database

    gone = tmp_path / "ailleurs" / "base.db"
    gone.parent.mkdir()
    gone.write_bytes(b"")
    remember_database(gone)
    gone.unlink()
    asked: list[Path] = []
    monkeypatch.setattr(first_start, "ask_first_start", lambda path: asked.append(path))
    default = tmp_path / "dossier-par-defaut" / "cvdesk.db"
    assert remembered_database() is None
    assert run_window(default, ask_if_new=True) == 0  # the question was answered « Quitter » (None)
    assert asked == [default]
    assert not default.exists()


def test_a_contract_planned_while_another_cvdesk_made_the_base_is_not_dropped_without_a_word(
        demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cvdesk were started on a fresh computer: while the coordinator filled the assistant in one, the other
    made the base with the demo. The first opens that base as it is, and says the contract was not created in it."""
    import shutil
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    from cvdesk.services.contract_setup import propose_plan

    default = tmp_path / "dossier-par-defaut" / "cvdesk.db"
    plan = propose_plan("242500361", 2024, 2030)  # Grand Besançon

    def answered_while_the_other_made_the_base(path: Path) -> first_start.FirstStart:
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(demo_template, path)
        return first_start.FirstStart(path, create=True, plan=plan)

    monkeypatch.setattr(first_start, "ask_first_start", answered_while_the_other_made_the_base)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text, *a, **k: told.append(text))
    seen: dict[str, str] = {}
    close_when_shown(seen)
    assert run_window(default, ask_if_new=True) == 0
    assert len(told) == 1 and "n'y a pas été créé" in told[0] and plan.name in told[0]
    conn = sqlite3.connect(default)
    names = [row[0] for row in conn.execute("SELECT name FROM contract WHERE deleted = 0")]
    conn.close()
    assert len(names) == 1 and "Valenciennes" in names[0]  # the other program's base, as it made it
