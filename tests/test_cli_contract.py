"""From the command line, a coordinator of Grand Besançon creates her contract from the official reference:
`cvdesk contract new --db FILE --epci SIREN --years 2024-2030`; the base then passes `check`, and `table communes`
and `table funders` show the INSEE codes and the EPCI's SIREN.

The expected communes are read from the shipped extract with sqlite3, not through cvdesk's lookups."""
from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from cvdesk.cli import EXIT_OK, EXIT_USAGE
from cvdesk.territory.extract import shipped_extract
from tests.exchange.helpers import run_cli

BESANCON_EPCI = "242500361"


def extract_members(epci: str) -> list[tuple[str, str, str, int | None]]:
    """The EPCI's member communes (INSEE code, name, département, population municipale) by INSEE code."""
    conn = sqlite3.connect(f"{shipped_extract().resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT insee, name, departement, population_municipale FROM commune "
                            "WHERE epci_siren = ? ORDER BY insee", (int(epci),)).fetchall()
    finally:
        conn.close()


def base_rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=";"))


def test_a_new_contract_holds_exactly_the_epcis_member_communes_and_passes_the_check(capsys, tmp_path: Path) -> None:
    db = tmp_path / "besancon.db"
    code, out, err = run_cli(capsys, "contract", "new", "--db", str(db), "--epci", BESANCON_EPCI,
                             "--years", "2024-2030")
    assert code == EXIT_OK, err
    members = extract_members(BESANCON_EPCI)
    assert len(members) == 67
    assert f"67 commune(s) de CU Grand Besançon Métropole (SIREN {BESANCON_EPCI})" in out
    assert base_rows(db, "SELECT insee_code, name, departement, population FROM commune WHERE deleted = 0 "
                         "ORDER BY insee_code") == members
    assert base_rows(db, "SELECT name, epci_siren, start_year, end_year FROM contract") == [
        ("Contrat de ville de CU Grand Besançon Métropole 2024–2030", BESANCON_EPCI, 2024, 2030)]

    code, out, err = run_cli(capsys, "check", "--db", str(db))
    assert code == EXIT_OK, out + err

    funders = tmp_path / "financeurs.csv"
    code, _, err = run_cli(capsys, "table", "funders", "--db", str(db), "--out", str(funders))
    assert code == EXIT_OK, err
    header, *rows = read_csv(funders)
    assert header == ["Nom", "Nom court", "Type", "SIREN", "SIRET"]
    assert ["CU Grand Besançon Métropole", "Grand Besançon Métropole", "EPCI", BESANCON_EPCI, ""] in rows  # the kind by its label

    communes = tmp_path / "communes.csv"
    code, _, err = run_cli(capsys, "table", "communes", "--db", str(db), "--out", str(communes))
    assert code == EXIT_OK, err
    header, *rows = read_csv(communes)
    assert header[:5] == ["Nom", "Code INSEE", "Code postal", "Département", "Population"]
    shown = sorted((row[1], row[0], row[3], int(row[4]) if row[4] else None) for row in rows)
    assert shown == members


def test_a_name_and_the_three_pillars_can_be_given(capsys, tmp_path: Path) -> None:
    db = tmp_path / "besancon.db"
    code, _, err = run_cli(capsys, "contract", "new", "--db", str(db), "--epci", "242 500 361", "--years", "2024–2030",
                           "--name", "Engagements Quartiers 2030 du Grand Besançon", "--orientations", "piliers")
    assert code == EXIT_OK, err
    assert base_rows(db, "SELECT name FROM contract") == [("Engagements Quartiers 2030 du Grand Besançon",)]
    assert base_rows(db, "SELECT number, pillar FROM orientation ORDER BY number") == [
        (1, "cohesion_sociale"), (2, "cadre_de_vie"), (3, "emploi")]


def test_a_base_that_already_holds_a_contract_is_refused_and_left_byte_for_byte(capsys, tmp_path: Path) -> None:
    db = tmp_path / "besancon.db"
    assert run_cli(capsys, "contract", "new", "--db", str(db), "--epci", BESANCON_EPCI, "--years", "2024-2030")[0] \
        == EXIT_OK
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = db.read_bytes()
    code, out, err = run_cli(capsys, "contract", "new", "--db", str(db), "--epci", "245901160", "--years", "2015-2020")
    assert code == EXIT_USAGE and out == ""
    assert err.strip() == (f"La base {db} contient déjà le contrat « Contrat de ville de CU Grand Besançon Métropole "
                           "2024–2030 » : une base ne tient qu'un contrat ; indiquez un nouveau fichier (argument --db).")
    assert base_rows(db, "SELECT count(*) FROM contract") == [(1,)]
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    assert db.read_bytes() == before


@pytest.mark.parametrize("epci, years, reason", [
    ("123456782", "2024-2030", "Le SIREN 123456782 n'est celui d'aucun EPCI à fiscalité propre du référentiel"),
    ("242500362", "2024-2030", "Le SIREN 242500362 est invalide : la clé de contrôle (Luhn) ne correspond pas."),
    (BESANCON_EPCI, "2030-2024", "L'année de fin du contrat (2024) précède son année de début (2030)."),
    (BESANCON_EPCI, "2024", "La période « 2024 » est illisible : attendu deux années comme 2024-2030"),
], ids=["siren-inconnu", "siren-faux", "annees-inversees", "periode-illisible"])
def test_a_wrong_epci_or_period_is_refused_in_one_sentence_and_leaves_no_file(capsys, tmp_path: Path, epci: str,
                                                                              years: str, reason: str) -> None:
    db = tmp_path / "nouvelle.db"
    code, out, err = run_cli(capsys, "contract", "new", "--db", str(db), "--epci", epci, "--years", years)
    assert code == EXIT_USAGE and out == ""
    assert reason in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []
