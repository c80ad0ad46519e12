"""A coordinator imports a sheet of actions from the window: the progress shows, Annuler stops the bulk writing with
nothing written, and a second import goes through."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QMainWindow

from cvdesk.exchange import bulk_actions
from cvdesk.store.models import db
from cvdesk.ui import exchange_actions
from cvdesk.ui.exchange_dialogs import SheetPreviewDialog
from cvdesk.ui.operations import running


@pytest.fixture
def window(exchange_window: QMainWindow) -> QMainWindow:
    return exchange_window  # a bare main window with the File menu's exchange entries (conftest)


def _sheet(path: Path, count: int) -> Path:
    porteur, siret = db.execute_sql("SELECT name, siret FROM association WHERE deleted = 0 AND siret != '' "
                                    "ORDER BY id LIMIT 1").fetchone()
    funder = db.execute_sql("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
    lines = ["Référence;Intitulé;Année;Porteur;SIRET du porteur;Financeur;Montant demandé\n"]
    lines += [f"2034-FEN-{n:05d};Action n° {n};2034;{porteur};{siret};{funder};1 000\n" for n in range(1, count + 1)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _imported() -> int:
    return db.execute_sql("SELECT count(*) FROM \"action\" WHERE reference LIKE '2034-FEN-%'").fetchone()[0]


def test_an_actions_import_cancelled_from_its_progress_writes_nothing_then_goes_through(
        demo_db, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: list[str]) -> None:
    count = 3 * bulk_actions.CHUNK + 100  # the cancel, asked once 2,000 are written, lands while more are
    sheet = _sheet(tmp_path / "actions.csv", count)
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    history = db.execute_sql("SELECT count(*) FROM history").fetchone()[0]

    def cancel_once_written() -> None:
        ops = [op for op in running() if op.label == "Import…"]
        if ops and ops[0].last_progress is not None and ops[0].last_progress[0] >= bulk_actions.CHUNK:
            ops[0].cancel()  # what Annuler does, once the first 2,000 actions are written
        else:
            QTimer.singleShot(2, cancel_once_written)

    QTimer.singleShot(0, cancel_once_written)
    assert not exchange_actions.import_spreadsheet(window, sheet, "actions")
    assert told[-1] == "Annulé : rien n'a été écrit."
    assert _imported() == 0
    assert db.execute_sql("SELECT count(*) FROM history").fetchone()[0] == history
    assert exchange_actions.import_spreadsheet(window, sheet, "actions")
    assert f"{count // 1000}\u00a0{count % 1000:03d} enregistrement(s) créé(s)" in told[-1]  # 6 100, grouped
    assert _imported() == count
    # The search finds them, as actions saved from the form.
    assert db.execute_sql("SELECT count(*) FROM action_search WHERE action_search MATCH '\"2034-fen-0123\"'"
                          ).fetchone()[0] == 10


def test_the_progress_says_when_every_row_is_written_and_what_the_last_seconds_are_for(
        demo_db, window, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, told: list[str]) -> None:
    labels: list[str] = []

    class ShownAtOnce(exchange_actions.Operation):
        """The import's own operation, its dialog shown at once rather than after its delay; its labels noted."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **{**kwargs, "show_after_ms": 0})

        def _on_progress(self, done: int, total: int) -> None:
            super()._on_progress(done, total)
            if self.dialog is not None and self.label == "Import…":
                labels.append(self.dialog.labelText())

    count = bulk_actions.CHUNK + 100
    sheet = _sheet(tmp_path / "actions.csv", count)
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(exchange_actions, "Operation", ShownAtOnce)
    assert exchange_actions.import_spreadsheet(window, sheet, "actions")
    assert _imported() == count
    assert labels and all(label.startswith("Import : ") for label in labels)
    assert labels[-1] == ("Import : 2\u00a0100 enregistrements écrits ; index et vérifications avant "
                          "l'enregistrement…")
