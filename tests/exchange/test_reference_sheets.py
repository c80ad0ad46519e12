"""A coordinator brings the contract's reference records from her own spreadsheets: `cvdesk import FILE --kind
communes|orientations|funders|envelopes`. Columns are found by the names people use, communes are completed from the
official reference, and a wrong line is refused in one sentence naming the file, the line and the column, with
nothing written.

Expected figures come from SQL (the base, and the shipped extract read with sqlite3) or are counted by hand."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from openpyxl import Workbook

from cvdesk.cli import EXIT_OK, EXIT_USAGE
from cvdesk.territory.extract import shipped_extract
from tests.exchange.helpers import run_cli, settle

BESANCON_EPCI = "242500361"


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def extract(sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def csv_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8-sig")
    return path


def xlsx_file(path: Path, table: list[list[object]]) -> Path:
    book = Workbook()
    for line in table:
        book.active.append(line)
    book.save(path)
    return path


def besancon(capsys, tmp_path: Path) -> Path:
    db = tmp_path / "besancon.db"
    code, _, err = run_cli(capsys, "contract", "new", "--db", str(db), "--epci", BESANCON_EPCI, "--years", "2024-2030")
    assert code == EXIT_OK, err
    return db


def demo(demo_template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "demo.db"
    shutil.copyfile(demo_template, db)
    return db


def test_funders_from_an_xlsx_with_their_kind_siren_and_siret(capsys, demo_template: Path, tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    last = rows(db, "SELECT max(position) FROM funder")[0][0]
    sheet = xlsx_file(tmp_path / "financeurs.xlsx", [
        ["Financeur", "Sigle", "Nature", "SIREN", "idAttribuant"],
        ["Ville de Quiévrechain", "Quiévrechain", "Commune", "215 904 848", None],
        ["Valenciennes Métropole", None, "EPCI", None, "24590116000011"],  # already in the base: updated
        ["Fonds européen", "FSE", "fse", None, None],
    ])
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "funders")
    assert code == EXIT_OK, err
    assert "2 créé(s), 1 mis à jour" in out
    assert rows(db, "SELECT name, short_name, kind, siren, siret, position FROM funder WHERE position > ? "
                    "ORDER BY position", last) == [
        ("Ville de Quiévrechain", "Quiévrechain", "commune", "215904848", "", last + 1),
        ("Fonds européen", "FSE", "fse", "", "", last + 2)]
    # The SIRET alone gave its SIREN.
    assert rows(db, "SELECT siren, siret FROM funder WHERE name = 'Valenciennes Métropole'") == [
        ("245901160", "24590116000011")]


def test_a_funder_line_with_a_wrong_siret_refuses_the_whole_file(capsys, demo_template: Path, tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    before = rows(db, "SELECT count(*), max(updated_at) FROM funder")
    sheet = csv_file(tmp_path / "financeurs.csv", "Nom;Catégorie;SIRET\n"
                                                 "Fondation de France;Autre;\n"
                                                 "Ville de Marly;Commune;21590383200018\n")
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "funders")
    assert code == EXIT_USAGE and out == ""
    assert err.strip() == (f"Le fichier {sheet}, ligne 3, colonne « SIRET » : Le SIRET 21590383200018 est invalide : "
                           "la clé de contrôle (Luhn) ne correspond pas.")
    assert rows(db, "SELECT count(*), max(updated_at) FROM funder") == before


def test_an_unknown_funder_kind_is_named(capsys, demo_template: Path, tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    sheet = csv_file(tmp_path / "financeurs.csv", "Nom;Type\nMécène;Entreprise\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "funders")
    assert code == EXIT_USAGE
    assert err.startswith(f"Le fichier {sheet}, ligne 2, colonne « Type » : la catégorie « Entreprise » n'existe pas")


def test_orientations_numbered_or_following_with_their_pillars(capsys, tmp_path: Path) -> None:
    db = besancon(capsys, tmp_path)
    sheet = csv_file(tmp_path / "orientations.csv", "N°;Intitulé;Pilier\n"
                                                   "2;Habiter et vivre ensemble;Cadre de vie et renouvellement urbain\n"
                                                   "1;Réussir à l'école;cohésion sociale\n"
                                                   ";Travailler;Développement économique et emploi\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "orientations")
    assert code == EXIT_OK, err
    assert rows(db, "SELECT number, title, pillar FROM orientation ORDER BY number") == [
        (1, "Réussir à l'école", "cohesion_sociale"), (2, "Habiter et vivre ensemble", "cadre_de_vie"),
        (3, "Travailler", "emploi")]
    # Importing the same file again updates them (same numbers), and a blank number still comes last.
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "orientations")
    assert code == EXIT_OK and "1 créé(s), 2 mis à jour" in out, err


def test_orientations_need_a_contract_first(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "sans-contrat.db"
    from cvdesk.store.database import opened_database

    with opened_database(empty):
        pass
    sheet = csv_file(tmp_path / "orientations.csv", "Intitulé\nRéussir à l'école\n")
    code, _, err = run_cli(capsys, "import", "--db", str(empty), str(sheet), "--kind", "orientations")
    assert code == EXIT_USAGE
    assert "la base n'a pas encore de contrat : créez-le d'abord (cvdesk contract new)" in err


def test_envelopes_by_funder_year_and_orientation(capsys, demo_template: Path, tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    sheet = csv_file(tmp_path / "enveloppes.csv", "Financeur;Exercice;Montant;N° orientation;Objet\n"
                                                 "État;2016;1 650 000,00 €;;BOP 147 2016\n"
                                                 "Région;2016;40000;4;Réussite éducative\n")
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "envelopes")
    assert code == EXIT_OK, err
    assert rows(db, "SELECT f.short_name, e.year, e.amount, o.number, e.label FROM envelope e "
                    "JOIN funder f ON f.id = e.funder_id LEFT JOIN orientation o ON o.id = e.orientation_id "
                    "WHERE e.year = 2016 ORDER BY e.amount DESC") == [
        ("État", 2016, 165_000_000, None, "BOP 147 2016"), ("Région", 2016, 4_000_000, 4, "Réussite éducative")]


def test_an_envelope_outside_the_contracts_period_is_refused(capsys, demo_template: Path, tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    start, end = rows(db, "SELECT start_year, end_year FROM contract")[0]
    name = rows(db, "SELECT name FROM contract")[0][0]
    sheet = csv_file(tmp_path / "enveloppes.csv", f"Financeur;Année;Montant\nÉtat;{end};10\nFIPD;{end + 1};5\n"
                                                 f"CAF;{end};-5\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "envelopes")
    assert code == EXIT_USAGE
    assert err.strip() == (f"Le fichier {sheet}, ligne 3, colonne « Année » : L'année {end + 1} est hors de la période "
                           f"du contrat « {name} » ({start}–{end}) (2 erreurs en tout).")
    assert rows(db, "SELECT count(*) FROM envelope WHERE year >= ?", end) == [(0,)]


def test_communes_by_insee_code_or_by_name_are_completed_from_the_reference(capsys, tmp_path: Path) -> None:
    db = tmp_path / "communes.db"
    from cvdesk.store.database import opened_database

    with opened_database(db):
        pass
    settle(db)
    sheet = csv_file(tmp_path / "communes.csv", "Commune;Code INSEE;CP\n"
                                               ";59606;\n"
                                               "Marly;;59770\n"
                                               "Besançon;;\n")
    code, out, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "communes")
    assert code == EXIT_OK, err
    expected = extract("SELECT insee, name, departement, printf('%09d', siren), population_municipale FROM commune "
                       "WHERE insee IN ('59606', '59383', '25056') ORDER BY insee")
    assert rows(db, "SELECT insee_code, name, departement, siren, population FROM commune ORDER BY insee_code") \
        == expected


def test_a_commune_the_reference_does_not_know_is_refused(capsys, tmp_path: Path) -> None:
    db = besancon(capsys, tmp_path)
    before = rows(db, "SELECT count(*) FROM commune")
    sheet = csv_file(tmp_path / "communes.csv", "Nom;Code INSEE\nBesançon;25056\nAtlantide;99999\nMarly;\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "communes")
    assert code == EXIT_USAGE
    assert err.strip() == (f"Le fichier {sheet}, ligne 3, colonne « Code INSEE » : le code INSEE 99999 n'est celui "
                           "d'aucune commune du référentiel (@etalab/decoupage-administratif 6.0.0) (2 erreurs en "
                           "tout).")
    assert rows(db, "SELECT count(*) FROM commune") == before


def test_orientations_numbered_with_gaps_are_numbered_1_to_n_in_the_files_order(capsys, tmp_path: Path) -> None:
    db = besancon(capsys, tmp_path)
    sheet = csv_file(tmp_path / "orientations.csv", "N°;Intitulé\n"
                                                   "10;Travailler\n"
                                                   "2;Réussir à l'école\n"
                                                   "5;Habiter et vivre ensemble\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "orientations")
    assert code == EXIT_OK, err
    # Numbered by hand: 2, 5 and 10 in that order become 1, 2 and 3 (the contract's orientations have no gaps).
    assert rows(db, "SELECT number, title FROM orientation WHERE deleted = 0 ORDER BY number") == [
        (1, "Réussir à l'école"), (2, "Habiter et vivre ensemble"), (3, "Travailler")]
    # Each renumbered orientation has its history: created, then its number changed (all three here).
    assert rows(db, "SELECT count(*) FROM history WHERE record_type = 'Orientation' AND operation = 'update'") == [
        (3,)]


def test_an_envelope_line_without_its_amount_is_refused_in_a_french_sentence(capsys, demo_template: Path,
                                                                             tmp_path: Path) -> None:
    db = demo(demo_template, tmp_path)
    end = rows(db, "SELECT end_year FROM contract")[0][0]
    before = rows(db, "SELECT count(*) FROM envelope")
    sheet = csv_file(tmp_path / "enveloppes.csv", f"Financeur;Année;Montant\nÉtat;{end};\n")
    code, _, err = run_cli(capsys, "import", "--db", str(db), str(sheet), "--kind", "envelopes")
    assert code == EXIT_USAGE
    assert err.strip() == f"Le fichier {sheet}, ligne 2, colonne « Montant » : le montant est obligatoire."
    assert rows(db, "SELECT count(*) FROM envelope") == before
