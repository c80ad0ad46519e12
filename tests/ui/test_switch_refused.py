"""Fichier > Ouvrir une base: a refused file leaves the coordinator on the base they had; if that base cannot be
opened again either (replaced meanwhile by something that is no base), they are told so in French and the window
closes, rather than an error escaping the menu or an empty base being created in its place."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from cvdesk.store.database import database_path, opened_database


@pytest.fixture
def criticals(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda _parent, title, text, *a, **k: shown.append((title, text)) or QMessageBox.StandardButton.Ok)
    return shown


def _window(path: Path, qtbot):
    from cvdesk.ui.main_window import MainWindow

    window = MainWindow(path)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_a_refused_file_leaves_the_base_that_was_open(demo_template: Path, tmp_path: Path, qtbot, criticals) -> None:
    office, garbage = tmp_path / "bureau.db", tmp_path / "photo.db"
    shutil.copyfile(demo_template, office)
    garbage.write_bytes(b"JFIF" * 4096)
    with opened_database(office, models=False):
        window = _window(office, qtbot)
        assert not window.switch_database(garbage, create=False)
        assert len(criticals) == 1 and "photo.db" in criticals[0][1]
        assert window.db_path == office and database_path() == office and window.isVisible()
        window.close()


def test_a_base_gone_bad_meanwhile_is_said_and_the_window_closes(demo_template: Path, tmp_path: Path, qtbot,
                                                                  criticals) -> None:
    office, garbage = tmp_path / "bureau.db", tmp_path / "photo.db"
    shutil.copyfile(demo_template, office)
    garbage.write_bytes(b"JFIF" * 4096)
    with opened_database(office, models=False):
        window = _window(office, qtbot)
        replacement = tmp_path / "remplacement"
        replacement.write_bytes(b"pas une base " * 1000)
        os.replace(replacement, office)  # another program put something else at the base's place
        assert not window.switch_database(garbage, create=False)
        assert [title for title, _text in criticals] == ["Ouverture impossible", "Base précédente inaccessible"]
        assert "bureau.db" in criticals[1][1] and "\n" not in criticals[1][1]
        qtbot.waitUntil(lambda: not window.isVisible(), timeout=3000)
        assert database_path() is None
        assert office.read_bytes().startswith(b"pas une base")  # nothing was created in its place
