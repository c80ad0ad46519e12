"""A coordinator publishes the granted subsidies from the window: Fichier > Exporter la liste…, the national format."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMessageBox

from cvdesk.store.models import db
from tests.exchange.scdl_validator import scdl_errors

SCDL_CHOICE = "Subventions accordées (format national SCDL, open data)"


@pytest.fixture
def window(exchange_window: QMainWindow) -> QMainWindow:
    return exchange_window  # a bare main window with the File menu's exchange entries (conftest)


def test_the_subsidies_are_published_from_the_menu_and_the_grants_left_out_are_named(
        demo_db, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    offered: list[str] = []
    shown: list[tuple[str, str]] = []

    def pick(_parent, _title, _label, items, *_args, **_kwargs):
        offered.extend(items)
        return SCDL_CHOICE, True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    # The coordinator types a name without its extension.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "subventions"), "CSV (*.csv)"))
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, kind=kind, **k: shown.append((kind, text)))

    [entry] = [action for action in window.exchange_actions if action.objectName() == "exchange_export_list"]
    entry.trigger()

    out = tmp_path / "subventions.csv"
    assert SCDL_CHOICE in offered and out.exists()
    assert scdl_errors(out) == []
    [(granted,)] = db.execute_sql(
        "SELECT count(*) FROM funding f JOIN \"action\" a ON a.id = f.action_id JOIN funder fu ON fu.id = f.funder_id "
        "WHERE f.deleted = 0 AND a.deleted = 0 AND f.granted > 0 AND fu.kind <> 'bailleur'"
    ).fetchall()
    # One box: the file written (every cash grant of the demo), then the TFPB abatements left out.
    [(kind, text)] = shown
    assert kind == "warning"
    assert text.startswith(f"{granted} ligne(s) écrite(s) dans {out}.")
    assert "n'a pas de SIRET valide" not in text and "abattements de TFPB" in text
