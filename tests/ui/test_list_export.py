"""Exporting a list from the window: the workbook is offered first, and a CSV is written only once the user has
read what it loses in an office tool."""
from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox

from cvdesk.ui import exchange_actions


@pytest.fixture
def window(exchange_window: QMainWindow) -> QMainWindow:
    return exchange_window  # a bare main window with the File menu's exchange entries (conftest)


@pytest.fixture
def save_dialog(monkeypatch: pytest.MonkeyPatch):
    """The file dialog answers with this path and filter; returns what the window offered (default name, filters)."""
    offered: list[tuple[str, str]] = []

    def choose(path: Path, chosen_filter: str) -> list[tuple[str, str]]:
        def get_save_file_name(_parent, _title, default, filters, *_a, **_k):
            offered.append((default, filters))
            return str(path), chosen_filter

        monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
        return offered

    return choose


def test_the_communes_are_offered_as_a_workbook_that_keeps_their_codes(demo_db, window, tmp_path: Path, monkeypatch,
                                                                      save_dialog, told) -> None:
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Communes", True))
    offered = save_dialog(tmp_path / "communes", "Classeur Excel (*.xlsx)")
    out = exchange_actions.export_list(window)
    default, filters = offered[0]
    assert default == "communes.xlsx" and filters.startswith("Classeur Excel (*.xlsx)")
    assert out == tmp_path / "communes.xlsx"
    sheet = load_workbook(out).active
    codes = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert codes and all(isinstance(code, str) and len(code) == 5 for code in codes)
    assert "ligne(s) écrite(s)" in told[-1]


def test_asking_for_a_csv_says_what_it_loses_and_no_writes_nothing(demo_db, window, tmp_path: Path, monkeypatch,
                                                                   save_dialog, answer, told) -> None:
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("Associations", True))
    save_dialog(tmp_path / "associations", "CSV, texte brut (*.csv)")
    asked = answer(QMessageBox.StandardButton.No)
    assert exchange_actions.export_list(window) is None
    assert "zéros de tête" in asked[0] and "XLSX" in asked[0]
    assert not (tmp_path / "associations.csv").exists() and not told
    # The same choice, confirmed: the CSV is written.
    answer(QMessageBox.StandardButton.Yes)
    assert exchange_actions.export_list(window) == tmp_path / "associations.csv"
    assert (tmp_path / "associations.csv").read_text(encoding="utf-8-sig").startswith("Nom;Sigle;SIRET")
