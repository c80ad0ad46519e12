"""A large sheet of actions is written with the base's references checked once at the end instead of at each row:
what it writes still leads to real records, a sheet naming a funder that vanished before the write is refused whole,
and the base checks its references again afterwards, whatever happened."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from cvdesk.exchange import bulk_actions
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.store.database import opened_database
from cvdesk.store.models import db
from tests.exchange.helpers import settle

HEADER = ("Référence;Intitulé;Année;Orientation;Porteur;SIRET du porteur;Statut;Coût total;Date de début;"
          "Date de fin;Quartiers;Financeur;Montant demandé;Montant accordé;Montant versé;Date de décision\n")
COUNT = 300


def _sheet(path: Path, base: Path) -> tuple[Path, str]:
    """COUNT actions of one porteur, each with a line of the base's first funder; that funder's name."""
    conn = sqlite3.connect(base)
    try:
        porteur, siret = conn.execute("SELECT name, siret FROM association WHERE deleted = 0 AND siret != '' "
                                      "ORDER BY id LIMIT 1").fetchone()
        (funder,) = conn.execute("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
        (quartier,) = conn.execute("SELECT code FROM quartier WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()
    finally:
        conn.close()
    rows = [f"2033-REF-{n:04d};Action {n};2033;1;{porteur};{siret};Déposée;1 000;;;{quartier};{funder};500;;;\n"
            for n in range(1, COUNT + 1)]
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path, funder


@pytest.fixture
def large(monkeypatch: pytest.MonkeyPatch) -> None:
    # COUNT rows stand for the tens of thousands from which the references are checked at the end.
    monkeypatch.setattr(bulk_actions, "BULK_ROWS", COUNT)


def test_a_large_import_checked_at_the_end_leads_every_line_to_its_action_and_funder(
        large: None, demo_template: Path, tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, funder = _sheet(tmp_path / "lot.csv", base)
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok and preview.created == COUNT
        apply_sheet(preview)
        assert db.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)  # checked at each write again
    settle(base)
    conn = sqlite3.connect(base)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("""SELECT count(*) FROM funding f JOIN "action" a ON a.id = f.action_id
                               JOIN funder r ON r.id = f.funder_id
                               WHERE a.reference LIKE '2033-REF-%' AND r.name = ?""", (funder,)).fetchone() == (COUNT,)
    finally:
        conn.close()


def test_a_funder_gone_before_the_write_refuses_the_whole_import(large: None, demo_template: Path,
                                                                  tmp_path: Path) -> None:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    sheet, funder = _sheet(tmp_path / "lot.csv", base)
    with opened_database(base):
        preview = preview_sheet(sheet, "actions")
        assert preview.ok
        # Another program removes the funder outright (cvdesk itself only marks a record deleted) while the user
        # reads the preview.
        db.execute_sql("PRAGMA foreign_keys = OFF")
        db.execute_sql("DELETE FROM funding WHERE funder_id IN (SELECT id FROM funder WHERE name = ?)", (funder,))
        db.execute_sql("DELETE FROM funder WHERE name = ?", (funder,))
        db.execute_sql("PRAGMA foreign_keys = ON")
        with pytest.raises(ExchangeError, match="référence.*de la table funding.*rien n'a été écrit"):
            apply_sheet(preview)
        assert db.execute_sql("PRAGMA foreign_keys").fetchone() == (1,)
    settle(base)
    conn = sqlite3.connect(base)
    try:
        assert conn.execute("SELECT count(*) FROM \"action\" WHERE reference LIKE '2033-REF-%'").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM history WHERE changes LIKE '%2033-REF-%'").fetchone() == (0,)
    finally:
        conn.close()
