"""A coordinator receives the subsidies the city published as open data (SCDL): Fichier > Importer un tableur, picks
« Subventions au format SCDL », reads the preview, clicks Importer, and finds the grant as an action of its porteur in
the Actions list, with one funding line per attribuant."""
from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from cvdesk.exchange.scdl_columns import SCDL_2_COLUMNS
from cvdesk.store.models import db
from cvdesk.ui import exchange_actions
from cvdesk.ui.exchange_dialogs import SheetPreviewDialog


def test_a_scdl_file_is_imported_from_the_window_and_listed_in_the_actions_tab(window, qtbot, monkeypatch,
                                                                               tmp_path: Path) -> None:
    porteur, siret = db.execute_sql("SELECT name, siret FROM association WHERE deleted = 0 AND siret != '' "
                                    "ORDER BY id LIMIT 1").fetchone()
    funders = [name for (name,) in db.execute_sql("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 2")]
    rows = [{"nomAttribuant": funder, "nomBeneficiaire": porteur.upper(), "idBeneficiaire": siret,
             "exerciceBudgetaire": "2016", "objet": "Ateliers d'écriture au collège", "montant": amount,
             "nature": "aide en numéraire", "pourcentageSubvention": "1.00", "notificationUE": "non"}
            for funder, amount in zip(funders, ("4000", "1500.50"))]
    sheet = tmp_path / "subventions-ville.csv"
    sheet.write_text(";".join(SCDL_2_COLUMNS) + "\n"
                     + "".join(";".join(row.get(c, "") for c in SCDL_2_COLUMNS) + "\n" for row in rows),
                     encoding="utf-8")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(sheet), ""))
    offered: list[str] = []

    def choose(_parent, _title, _label, items, *_args, **_kwargs):
        offered.extend(items)
        return next(item for item in items if "SCDL" in item), True

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    verdicts: list[str] = []

    def read_and_import(dialog: SheetPreviewDialog) -> int:
        verdicts.append(dialog.verdict.text())
        assert dialog.import_button.isEnabled()
        dialog.import_button.click()  # what the coordinator does after reading the preview
        return dialog.result()

    monkeypatch.setattr(SheetPreviewDialog, "exec", read_and_import)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))

    assert exchange_actions.import_spreadsheet(window)

    assert "Subventions au format SCDL (données ouvertes)" in offered
    assert verdicts and "1 enregistrement(s) à créer" in verdicts[0]  # one action; porteur and funders are known
    assert told and "1 enregistrement(s) créé(s)" in told[-1]
    action_id, title = db.execute_sql("SELECT id, title FROM action WHERE deleted = 0 AND title = ?",
                                      ("Ateliers d'écriture au collège",)).fetchone()
    lines = db.execute_sql("SELECT f.name, fu.granted FROM funding fu JOIN funder f ON f.id = fu.funder_id "
                           "WHERE fu.action_id = ? AND fu.deleted = 0 ORDER BY fu.id", (action_id,)).fetchall()
    assert lines == [(funders[0], 400_000), (funders[1], 150_050)]
    tab = window.actions_tab
    window.tabs.setCurrentWidget(tab)
    tab.model.ensure_complete()
    listed = [tab.model.record_id(row) for row in range(tab.model.rowCount())]
    column = [c.key for c in tab.model.columns].index("title")
    assert tab.model.index(listed.index(action_id), column).data() == title


def test_a_departements_file_without_attribuant_asks_who_published_it(window, qtbot, monkeypatch, type_text) -> None:
    """The Pyrénées-Orientales publish their grants without an attribuant column: the window asks who granted them
    (the base's funders offered, a new one typed with the keyboard), then previews and imports the file."""
    from PySide6.QtCore import Qt

    from cvdesk.ui.attribuant_dialog import AttribuantDialog

    path = Path(__file__).parents[1] / "fixtures" / "partners" / "pyrenees_orientales.ods"
    funders = [name for (name,) in db.execute_sql("SELECT name FROM funder WHERE deleted = 0")]
    offered: list[list[str]] = []

    def answer_by_keyboard(dialog: AttribuantDialog) -> int:
        offered.append([dialog.combo.itemText(i) for i in range(dialog.combo.count())])
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.combo.currentText() == "" and not dialog.ok_button.isEnabled()  # nothing guessed
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)  # Entrée on an empty field: still asked
        assert dialog.isVisible()
        type_text(dialog.combo.lineEdit(), "Département des Pyrénées-Orientales")
        qtbot.keyClick(dialog.combo, Qt.Key.Key_Return)
        return dialog.result()

    monkeypatch.setattr(AttribuantDialog, "exec", answer_by_keyboard)
    verdicts: list[str] = []

    def read_and_import(dialog: SheetPreviewDialog) -> int:
        verdicts.append(dialog.verdict.text())
        dialog.import_button.click()
        return dialog.result()

    monkeypatch.setattr(SheetPreviewDialog, "exec", read_and_import)
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a, **k: told.append(text))

    assert exchange_actions.import_spreadsheet(window, path, "scdl")

    assert sorted(offered[0]) == sorted(funders)
    # By hand (tests/exchange/test_scdl_bulk_and_attribuant.py): 51 actions of 54 grants, one new funder, and the
    # beneficiaries the demo does not hold.
    assert db.execute_sql("SELECT kind FROM funder WHERE name = 'Département des Pyrénées-Orientales'"
                          ).fetchall() == [("departement",)]
    assert db.execute_sql("SELECT count(*), sum(f.granted) FROM funding f JOIN funder fr ON fr.id = f.funder_id "
                          "WHERE fr.name = 'Département des Pyrénées-Orientales'").fetchone() == (51, 360_471_398)
    assert verdicts and told and "créé(s)" in told[-1]


def test_giving_up_the_attribuant_question_imports_nothing(window, monkeypatch) -> None:
    from cvdesk.ui.attribuant_dialog import AttribuantDialog

    path = Path(__file__).parents[1] / "fixtures" / "partners" / "pyrenees_orientales.ods"
    before = db.execute_sql("SELECT count(*) FROM funder").fetchone()
    monkeypatch.setattr(AttribuantDialog, "exec", lambda dialog: 0)  # Échap
    monkeypatch.setattr(SheetPreviewDialog, "exec", lambda dialog: pytest.fail("no preview after giving up"))
    assert not exchange_actions.import_spreadsheet(window, path, "scdl")
    assert db.execute_sql("SELECT count(*) FROM funder").fetchone() == before
