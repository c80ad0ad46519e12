"""A coordinator opens the base from a write-protected key: the window says it is read-only, and a save is
refused in French instead of the base being called damaged."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cvdesk.store.database import opened_database
from cvdesk.store.models import Quartier
from cvdesk.ui.main_window import MainWindow
from cvdesk.ui.opening_checks import start_opening_checks

CTRL = Qt.KeyboardModifier.ControlModifier


def test_a_base_on_a_read_only_key_opens_for_reading_and_says_so(demo_template: Path, read_only_folder, qtbot,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path = read_only_folder(demo_template)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, text, *a, **k: told.append(text))
    monkeypatch.setattr(QMessageBox, "critical", lambda _parent, _title, text, *a, **k: told.append(text))
    with opened_database(path, defer_check=True):
        window = MainWindow(path)
        qtbot.addWidget(window)
        window.show()
        checks = start_opening_checks(window)
        qtbot.waitUntil(checks.isFinished, timeout=20000)
        assert "(lecture seule)" in window.windowTitle()
        assert window.path_label.text().startswith("Lecture seule")
        assert told and "lecture seule" in told[0] and "endommag" not in " ".join(told)
        window.tabs.setCurrentIndex(1)
        tab = window.quartiers_tab
        tab.view.selectRow(0)
        name = Quartier.get_by_id(tab.current_record_id()).name
        tab.population_edit.clear()
        qtbot.keyClicks(tab.population_edit, "5000")
        qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
        assert "lecture seule" in tab.error_label.text()
        assert Quartier.get_by_id(tab.current_record_id()).name == name
        tab._dirty = False
        window.close()
