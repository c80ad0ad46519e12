"""A coordinator imports a large subsidies file (SCDL): the bulk writing leaves exactly what saving each record
through its service leaves, a cancelled import leaves nothing; and a département's own file, which has no attribuant
column, imports once the coordinator says who published it, its payment-only rows told and never made grants."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.scdl_attribuant import preview_scdl
from cvdesk.exchange.scdl_columns import SCDL_2_COLUMNS
from cvdesk.exchange.scdl_write import save_one
from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
from cvdesk.services.reference import save_funder
from cvdesk.store.database import close_database, open_database
from cvdesk.store.models import db
from tests.exchange.helpers import fingerprint, run_cli, settle

pytestmark = pytest.mark.both_engines  # the imports and exports on SQLite and on PostgreSQL

PARTNERS = Path(__file__).parents[1] / "fixtures" / "partners"
PYRENEES = PARTNERS / "pyrenees_orientales.ods"
NORD = make_siret(luhn_complete("22590001"), "0001")
ROUBAIX = make_siret(luhn_complete("21590512"), "0001")
NOUVELLE = make_siret(luhn_complete("51234567"), "0002")
PO = make_siret(luhn_complete("22660001"), "0001")  # the département's SIRET (a 22… SIREN)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def _sql(query: str, *args: object) -> list[tuple]:
    return list(db.execute_sql(query, args))


def _scdl(path: Path, facts: dict[str, Any]) -> Path:
    """Grants of the demo's first porteur and funder, of a new funder and of new associations: one action with two
    lines, an action without amount, a refused one, and a line added to an action of the base."""
    porteur, siret, funder = facts["porteur"], facts["siret"], facts["funder"]
    ref_title, ref_year = facts["action"]
    rows = [
        {"nomAttribuant": funder, "nomBeneficiaire": porteur, "idBeneficiaire": siret, "exerciceBudgetaire": "2031",
         "objet": "Jardins « partagés »", "montant": "1200.50", "dateDecision": "2031-03-20",
         "referenceDecision": "CP-1", "dateDebut": "2031-04-01", "dateFin": "2031-10-31"},
        {"nomAttribuant": "Ville de Roubaix", "idAttribuant": ROUBAIX, "nomBeneficiaire": porteur,
         "idBeneficiaire": siret, "exerciceBudgetaire": "2031", "objet": "Jardins « partagés »", "montant": "300"},
        {"nomAttribuant": "Ville de Roubaix", "idAttribuant": ROUBAIX, "nomBeneficiaire": "Cité Jeunes",
         "idBeneficiaire": NOUVELLE, "rnaBeneficiaire": "W595009999", "exerciceBudgetaire": "2031",
         "objet": "Chantiers d'été", "montant": "", "evaluationCout": "9000"},
        {"nomAttribuant": funder, "nomBeneficiaire": "Les Amis du Parc", "exerciceBudgetaire": "2031",
         "objet": "Fête du parc", "statutLabel": "refusée", "montantDemande": "800"},
        {"nomAttribuant": "Ville de Roubaix", "idAttribuant": ROUBAIX, "nomBeneficiaire": porteur,
         "idBeneficiaire": siret, "exerciceBudgetaire": str(ref_year), "objet": ref_title, "montant": "450"},
    ]
    path.write_text(";".join(SCDL_2_COLUMNS) + "\n" + "".join(
        ";".join(row.get(c, "") for c in SCDL_2_COLUMNS) + "\n" for row in rows), encoding="utf-8")
    return path


def _facts(base: Path) -> dict[str, Any]:
    conn = sqlite3.connect(base)
    try:
        porteur_id, porteur, siret = conn.execute("SELECT id, name, siret FROM association WHERE deleted = 0 AND "
                                                  "siret != '' ORDER BY id LIMIT 1").fetchone()
        funder = conn.execute("SELECT name FROM funder WHERE deleted = 0 ORDER BY id LIMIT 1").fetchone()[0]
        action = conn.execute('SELECT title, year FROM "action" WHERE deleted = 0 AND porteur_id = ? ORDER BY id '
                              "LIMIT 1", (porteur_id,)).fetchone()
    finally:
        conn.close()
    return {"porteur": porteur, "siret": siret, "funder": funder, "action": action}


def _picture(base: Path, since: str) -> dict[str, list[Any]]:
    """Every row the import added or changed after `since` (an updated_at), by SQL: all columns but ids, UUIDs and
    times; links by name; the history's UUIDs replaced by the names of their records; the search indexes' text."""
    conn = sqlite3.connect(base)
    try:
        names: dict[str, str] = {}
        for table, name in (("funder", "name"), ("association", "name"), ("action", "reference"),
                            ("orientation", "number"), ("quartier", "code")):
            names.update({u: f"{table}:{n}" for u, n in conn.execute(f'SELECT uuid, {name} FROM "{table}"')})
        names.update({u: f"funding:{r}/{f}" for u, r, f in conn.execute(
            'SELECT l.uuid, a.reference, fr.name FROM funding l JOIN "action" a ON a.id = l.action_id '
            "JOIN funder fr ON fr.id = l.funder_id")})
        named = lambda text: UUID.sub(lambda m: names.get(m.group(0), "?"), text)  # noqa: E731
        picture: dict[str, list[Any]] = {}
        links = {"porteur_id": ("association", "name"), "orientation_id": ("orientation", "number"),
                 "action_id": ("action", "reference"), "funder_id": ("funder", "name")}
        for table in ("funder", "association", "action", "funding"):
            columns = [c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')]
            rows = []
            for row in conn.execute(f'SELECT * FROM "{table}" WHERE updated_at > ?', (since,)):
                record = dict(zip(columns, row))
                assert UUID.fullmatch(record.pop("uuid"))
                # The version counts the saves of a record here (a service's save moves it once per line of the
                # plan): bookkeeping of this base, not what the file brought.
                for key in ("id", "created_at", "updated_at", "version"):
                    record.pop(key)
                for key, (target, name) in links.items():
                    if record.get(key) is not None:
                        record[key] = conn.execute(f'SELECT {name} FROM "{target}" WHERE id = ?',
                                                   (record[key],)).fetchone()[0]
                rows.append(sorted(record.items()))
            picture[table] = sorted(rows, key=repr)
        picture["history"] = sorted(
            (record_type, names.get(record_uuid, "?"), operation, user, office, deleted, named(changes))
            for record_type, record_uuid, operation, user, office, deleted, changes in conn.execute(
                "SELECT record_type, record_uuid, operation, os_user, office, deleted, changes FROM history "
                "WHERE created_at > ?", (since,)))
        picture["action_search"] = sorted(conn.execute(
            'SELECT a.reference, s.text FROM action_search s JOIN "action" a ON a.id = s.rowid WHERE a.updated_at > ?',
            (since,)))
        picture["association_search"] = sorted(conn.execute(
            "SELECT a.name, s.text FROM association_search s JOIN association a ON a.id = s.rowid "
            "WHERE a.updated_at > ?", (since,)))
    finally:
        conn.close()
    return picture


def test_the_bulk_write_leaves_what_saving_each_record_leaves(demo_template: Path, tmp_path: Path) -> None:
    """The same file into two copies of the demo: once by the import (bulk), once record by record through the
    services (the way it went before); every added row, history row and search row is the same."""
    facts = _facts(demo_template)
    pictures = []
    for way in ("bulk", "services"):
        base = tmp_path / f"{way}.db"
        shutil.copyfile(demo_template, base)
        open_database(base)
        try:
            since = _sql("SELECT max(updated_at) FROM history")[0][0]
            preview = preview_sheet(_scdl(tmp_path / f"{way}.csv", facts), "scdl")
            assert preview.ok, preview.lines()
            # By hand: Roubaix, Cité Jeunes, Les Amis du Parc, 3 new actions, and the base's action gets a line.
            assert (preview.created, preview.updated) == (6, 1)
            if way == "bulk":
                apply_sheet(preview)
            else:
                with db.atomic():
                    for item in preview.items:
                        assert save_one(item).ok
        finally:
            close_database()
        pictures.append(_picture(base, since))
    bulk, services = pictures
    assert bulk == services
    # And they hold what the file says (not two equal empty pictures).
    # (The base's action keeps its row: only its plan gets Roubaix's line, below.)
    assert len(bulk["action"]) == 3 and len(bulk["association"]) == 2 and len(bulk["funder"]) == 1
    grants = {dict(row)["action_id"]: dict(row) for row in bulk["funding"] if dict(row)["funder_id"] == "Ville de Roubaix"}
    assert sorted(grants.values(), key=lambda row: row["granted"] or 0)[0]["granted"] is None
    assert sorted(row["granted"] or 0 for row in grants.values()) == [0, 30_000, 45_000]
    changes = [json.loads(c) for t, _, o, *_, c in bulk["history"] if t == "Association" and o == "create"]
    assert {c["name"][1] for c in changes} == {"Cité Jeunes", "Les Amis du Parc"}


def test_a_cancelled_import_leaves_the_base_as_it_was(demo_template: Path, tmp_path: Path) -> None:
    base = tmp_path / "d.db"
    shutil.copyfile(demo_template, base)
    settle(base)
    open_database(base)
    preview = preview_sheet(_scdl(tmp_path / "s.csv", _facts(demo_template)), "scdl")
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1  # after the funders, before the associations and actions

    with pytest.raises(Cancelled):
        apply_sheet(preview, cancelled=cancelled)
    close_database()
    assert len(asked) == 2
    # Roubaix was saved before the question: rolled back with the rest.
    counts = "SELECT (SELECT count(*) FROM funder), (SELECT count(*) FROM association), " \
             '(SELECT count(*) FROM "action"), (SELECT count(*) FROM funding), (SELECT count(*) FROM history)'
    after, before = (sqlite3.connect(path).execute(counts).fetchone() for path in (base, demo_template))
    assert after == before


# --- the Pyrénées-Orientales' own file: no attribuant column; second payment dates on rows of their own ---------
# Counted by hand from a dump of the file (python-calamine, one row per line; the header is on line 6, 76 rows
# under it, lines 7 to 82): 54 rows name a beneficiary with an amount; 22 name none, of which 18 only give another
# payment date (lines 40, 44, 46, 50, 54 to 80 by twos… see PAYMENT_ROWS) and 4 give nothing the import reads (42
# and 48 hold « / », 52 and 82 nothing). The 54 amounts sum to 3 604 713,98 €. 37 beneficiaries (one per SIRET,
# or per name where the SIRET is missing or has 13 digits). Three beneficiaries have two grants with one object in
# 2017 (lines 49/51, 61/63, 67/69): 51 actions, each with one funding line. 16 grants have no object.
PAYMENT_ROWS = [40, 44, 46, 50, 54, 56, 58, 60, 62, 64, 66, 68, 70, 72, 74, 76, 78, 80]
EMPTY_ROWS = [42, 48, 52, 82]


def test_a_file_without_attribuant_column_is_refused_with_the_option_to_name_it(empty_db) -> None:
    preview = preview_sheet(PYRENEES, "scdl")
    assert preview.missing == ["Nom de l'attribuant"]


def test_the_departements_own_file_imports_once_its_attribuant_is_named(empty_db) -> None:
    preview = preview_scdl(PYRENEES, "Département des Pyrénées-Orientales")
    assert preview.ok, preview.lines()
    told = {w.line: w.reason for w in preview.warnings}
    assert "toutes ses subventions sont attribuées par « Département des Pyrénées-Orientales » (un nouveau " \
           "financeur)" in told[6]
    payments = [w for w in preview.warnings if "la suite de la subvention de la ligne au-dessus" in w.reason]
    assert [w.line for w in payments] == [PAYMENT_ROWS[0]]
    assert f"de même sur {len(PAYMENT_ROWS) - 1} autre(s) ligne(s)" in payments[0].reason
    empty = [w for w in preview.warnings if "ne porte aucune subvention" in w.reason]
    assert [w.line for w in empty] == [EMPTY_ROWS[0]] and f"sur {len(EMPTY_ROWS) - 1} autre" in empty[0].reason
    apply_sheet(preview)
    assert _sql("SELECT name, kind FROM funder") == [("Département des Pyrénées-Orientales", "departement")]
    assert _sql("SELECT count(*), sum(granted) FROM funding WHERE deleted = 0") == [(51, 360_471_398)]
    assert _sql("SELECT count(*) FROM action WHERE deleted = 0") == [(51,)]
    assert _sql("SELECT count(*) FROM association WHERE deleted = 0") == [(37,)]
    assert _sql("SELECT count(*) FROM action WHERE title LIKE 'Subvention sans objet indiqué (ligne %)'") == [(16,)]
    # No action without porteur: the payment rows made none.
    assert _sql("SELECT count(*) FROM action WHERE porteur_id IS NULL") == [(0,)]
    # Line 39 (GDS, « identification des animaux ») paid on 27/09/2017, then on 05/12/2017 as line 40 says.
    notes = _sql("SELECT f.notes FROM funding f JOIN action a ON a.id = f.action_id "
                 "WHERE a.title = 'identification des animaux'")
    assert notes == [("SCDL : convention du 30/08/2017 ; numéraire ; versement 27/09/2017 ; puis versement "
                      "05/12/2017 (ligne 40)",)]


@pytest.mark.parametrize("given", ["CD 66", PO, f"{PO[:3]} {PO[3:6]} {PO[6:9]} {PO[9:]}",
                                   "département des pyrénées orientales"])
def test_the_attribuant_is_found_in_the_base_by_short_name_siret_or_name(given: str, empty_db) -> None:
    assert save_funder({"name": "Département des Pyrénées-Orientales", "short_name": "CD 66", "kind": "departement",
                        "siret": PO}).ok
    preview = preview_scdl(PYRENEES, given)
    assert preview.ok and "(un financeur de la base)" in preview.warnings[0].reason
    apply_sheet(preview)
    assert _sql("SELECT count(*) FROM funder") == [(1,)]
    assert _sql("SELECT count(DISTINCT funder_id) FROM funding") == [(1,)]


def test_an_unknown_siret_or_a_file_with_its_own_attribuants_is_refused(empty_db) -> None:
    with pytest.raises(ExchangeError, match=f"Aucun financeur de la base n'a le SIRET {PO}"):
        preview_scdl(PYRENEES, PO)
    with pytest.raises(ExchangeError, match="a déjà une colonne d'attribuant"):
        preview_scdl(PARTNERS / "lot.csv", "Département du Lot")
    with pytest.raises(ExchangeError, match="vide"):
        preview_scdl(PYRENEES, "   ")


def test_the_command_line_suggests_the_option_then_imports_with_it(demo_template: Path, tmp_path: Path,
                                                                    capsys) -> None:
    base = tmp_path / "d.db"
    shutil.copyfile(demo_template, base)
    settle(base)
    before = fingerprint(base)
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(PYRENEES), "--kind", "scdl")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "n'a pas de colonne « Nom de l'attribuant »" in err and "--attribuant \"Département" in err
    assert fingerprint(base) == before
    name = "Département des Pyrénées-Orientales"
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(PYRENEES), "--kind", "scdl", "--attribuant",
                             name, "--dry-run")
    assert code == 0, err
    assert "Simulation (--dry-run)" in out and "ligne 40" in out and fingerprint(base) == before
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(PYRENEES), "--kind", "scdl", "--attribuant",
                             name)
    assert code == 0, err
    conn = sqlite3.connect(base)
    assert conn.execute("SELECT count(*), sum(granted) FROM funding f JOIN funder fr ON fr.id = f.funder_id "
                        "WHERE fr.name = ?", (name,)).fetchone() == (51, 360_471_398)
    conn.close()
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(PARTNERS / "lot.csv"), "--kind", "actions",
                             "--attribuant", name)
    assert code == 2 and "--attribuant ne sert qu'aux subventions au format SCDL" in err
