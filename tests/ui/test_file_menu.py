"""The Fichier menu: a coordinator saves a copy of the base, then opens another base in the same window."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from cvdesk.services.lists import count
from cvdesk.ui import contract_assistant


def test_save_a_copy_then_open_a_new_empty_base_and_come_back(window, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    copy = tmp_path / "copie.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(copy), ""))
    window.save_copy_action.trigger()
    assert copy.exists()

    fresh = tmp_path / "nouvelle.db"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(fresh), ""))
    # The new-contract assistant that follows is left (Annuler): the new base stays empty.
    monkeypatch.setattr(contract_assistant, "ask_contract_plan", lambda *args, **kwargs: None)
    window.new_db_action.trigger()
    assert window.db_path == fresh and fresh.name in window.windowTitle()
    assert "démonstration" not in window.windowTitle()
    assert window.actions_tab.model.rowCount() == 0
    assert "0 actions" in window.counts_label.text()

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(copy), ""))
    window.open_db_action.trigger()
    assert window.db_path == copy
    assert window.actions_tab.model.rowCount() == count("actions") == 40


def test_a_file_that_is_not_a_base_is_refused_and_the_current_base_stays_open(
        window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("pas une base", encoding="utf-8")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text, *a: shown.append(text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(bogus), ""))
    before = window.db_path
    window.open_db_action.trigger()
    assert shown and "SQLite" in shown[0]
    assert window.db_path == before and count("actions") == 40
