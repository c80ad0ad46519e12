"""The granted subsidies published as open data: the SCDL « subventions » 2.1.1 file passes the official schema's
validator (itself proven on the format's official examples), says what each column means, and names what it leaves out."""
from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from pathlib import Path
from uuid import uuid4

import pytest

from cvdesk.exchange.errors import Cancelled
from cvdesk.exchange.scdl import write_scdl
from cvdesk.services.actions import FundingInput, save_action
from cvdesk.services.associations import save_association
from cvdesk.services.reference import save_funder
from cvdesk.store.engine import raw
from cvdesk.store.models import db

from .helpers import run_cli
from .scdl_validator import FIXTURES, SCHEMA, scdl_errors

pytestmark = pytest.mark.both_engines  # the imports and exports on SQLite and on PostgreSQL

# The two fields the published schema requires while its own valid example lacks them (see the fixtures' README).
NOT_IN_THE_OFFICIAL_EXAMPLE = ("idServiceInstructeur", "descriptionConditionsVersement")
EXPORT_DAY = date(2026, 11, 30)


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def schema_field_names() -> list[str]:
    return [spec["name"] for spec in json.loads(SCHEMA.read_text(encoding="utf-8"))["fields"]]


def plain(text: str) -> str:
    """Amounts as the desk prints them, with ordinary spaces for the comparison."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


def sql(query: str, *params: object) -> list[tuple]:
    return db.execute_sql(query, params).fetchall()


# The validator, proven on the format's own examples -------------------------------------------------------------

def test_the_validator_passes_the_official_valid_example() -> None:
    assert scdl_errors(FIXTURES / "exemple_valide.csv", columns_by_name=True,
                       optional=NOT_IN_THE_OFFICIAL_EXAMPLE) == []


def test_the_validator_finds_the_errors_of_the_official_example_with_wrong_cells() -> None:
    found = {(row, name, kind) for row, name, kind, _ in scdl_errors(
        FIXTURES / "exemple_invalide_erreurs_cellules.csv", columns_by_name=True, optional=NOT_IN_THE_OFFICIAL_EXAMPLE)}
    # Read in the file by hand: line 2 pays « unique;échelonné » and gives 100 for a share, line 7's idAttribuant is a
    # SIREN (9 digits), line 9 names its beneficiary by neither SIRET nor RNA, and Poitiers' SIRET 21860194600000
    # has a wrong key (the schema's custom check) on every line.
    assert {(2, "conditionsVersement", "constraint-error"), (2, "pourcentageSubvention", "constraint-error"),
            (7, "idAttribuant", "constraint-error"), (9, None, "row-constraint"),
            (3, "idAttribuant", "constraint-error")} <= found


def test_the_validator_finds_the_errors_of_the_official_example_with_wrong_columns() -> None:
    found = scdl_errors(FIXTURES / "exemple_invalide_erreurs_colonnes.csv", columns_by_name=True,
                        optional=NOT_IN_THE_OFFICIAL_EXAMPLE)
    # Its beneficiary's column is called « NOM_Beneficiaire ».
    assert [None, "nomBeneficiaire", "missing-label", ""] in found


def test_checked_as_our_export_is_the_official_example_lacks_columns() -> None:
    """Our file is held to every column of the schema in its order: the official example has only 16 of the 40."""
    kinds = {kind for _, _, kind, _ in scdl_errors(FIXTURES / "exemple_valide.csv")}
    assert "missing-label" in kinds or "incorrect-label" in kinds


# Our export ------------------------------------------------------------------------------------------------------

def test_the_demo_export_passes_the_official_validator_with_no_error(demo_db, tmp_path: Path) -> None:
    out = tmp_path / "subventions.csv"
    result = write_scdl(out, today=EXPORT_DAY)
    assert scdl_errors(out) == []
    header, rows = read_rows(out)
    assert header == schema_field_names()
    # Every cash grant is in the file, each commune's under its own SIRET; the bailleurs' TFPB abatements are not.
    [(expected,)] = sql("SELECT count(*) FROM funding f JOIN \"action\" a ON a.id = f.action_id "
                        "JOIN funder fu ON fu.id = f.funder_id WHERE f.deleted = 0 AND a.deleted = 0 "
                        "AND f.granted > 0 AND fu.kind <> 'bailleur'")
    assert expected > 0 and result.written == len(rows) == expected
    [(communes,)] = sql("SELECT count(DISTINCT fu.id) FROM funding f JOIN funder fu ON fu.id = f.funder_id "
                        "WHERE f.deleted = 0 AND f.granted > 0 AND fu.kind = 'commune'")
    [(abatements,)] = sql("SELECT count(*) FROM funding f JOIN funder fu ON fu.id = f.funder_id "
                          "WHERE f.deleted = 0 AND f.granted > 0 AND fu.kind = 'bailleur'")
    assert communes > 1 and abatements > 0
    assert len({row["idAttribuant"] for row in rows if row["nomAttribuant"].startswith("Ville ")}) == communes
    assert result.warnings == [
        f"Les abattements de TFPB de « Bailleurs sociaux (abattement TFPB) » ({abatements} ligne(s)) ne figurent pas "
        "dans le fichier : un abattement de taxe foncière n'est pas une subvention en numéraire."]
    # idAttribuant is each funder's SIRET, as the base holds it.
    sirets = dict(sql("SELECT name, siret FROM funder WHERE siret <> ''"))
    assert {(row["nomAttribuant"], row["idAttribuant"]) for row in rows} <= set(sirets.items())
    assert all(len(row["idAttribuant"]) == 14 for row in rows)
    assert {row["pourcentageSubvention"] for row in rows} == {"1.00"}
    assert {row["notificationUE"] for row in rows} == {"non"}
    # Each grant's amount to the cent, by funder, as SQL adds it up.
    by_funder: dict[str, int] = {}
    for row in rows:
        euros, cents = row["montant"].split(".")
        by_funder[row["nomAttribuant"]] = by_funder.get(row["nomAttribuant"], 0) + int(euros) * 100 + int(cents)
    assert by_funder == dict(sql("SELECT fu.name, sum(f.granted) FROM funding f JOIN funder fu ON fu.id = f.funder_id "
                                 "WHERE f.deleted = 0 AND f.granted > 0 AND fu.siret <> '' AND fu.kind <> 'bailleur' "
                                 "GROUP BY fu.id"))


@pytest.fixture
def awkward_base(empty_db) -> None:
    """A base a coordinator could have: two communes each granting, an FSE grant, a funder nobody gave a SIRET, a
    bailleur's TFPB abatement, an association known by its RNA only, one with an overseas RNA and no SIRET, an action
    without porteur, a grant not yet decided, an unpaid grant and a partly paid one, odd cents, a title that looks
    like a formula and runs on two lines."""
    def funder(name: str, kind: str, siret: str = "") -> int:
        result = save_funder({"name": name, "kind": kind, "siret": siret})
        assert result.ok, result.errors
        return result.record.id

    def porteur(name: str, siret: str = "", rna: str = "") -> int:
        result = save_association({"name": name, "siret": siret, "rna": rna})
        assert result.ok, result.errors
        return result.record.id

    def action(reference: str, title: str, porteur_id: int | None, *lines: FundingInput) -> None:
        result = save_action({"reference": reference, "title": title, "year": 2016, "porteur": porteur_id,
                              "start_date": date(2016, 3, 1), "end_date": date(2016, 12, 31)}, fundings=list(lines))
        assert result.ok, result.errors

    denain = funder("Ville de Denain", "commune", "21590178600016")
    anzin = funder("Ville d'Anzin", "commune", "21590014300011")
    fse = funder("Fonds social européen", "fse", "17590001800011")
    nameless = funder("Fondation du quartier", "autre")
    bailleur = funder("Partenord Habitat", "bailleur", "77590001200011")
    lire = porteur("Lire et grandir", rna="W595001234")
    sport = porteur("Sport pour tous", siret="32075384100016")
    far = porteur("Outre-mer solidaire", rna="W9P1002760")
    decided = date(2016, 5, 12)
    action("2016-VM-001", "=1+1 lecture\npartagée", lire,
           FundingInput(denain, 150_000, 123_456, None, decided),  # unpaid
           FundingInput(anzin, 100_000, 100_000, 40_001, decided),  # partly paid
           FundingInput(nameless, 50_000, 50_000, 50_000, decided),
           FundingInput(bailleur, 80_000, 80_000, 80_000, decided))
    action("2016-VM-002", "Sport au pied des tours", sport,
           FundingInput(fse, 900_000, 900_099, 900_099, decided),
           FundingInput(denain, 20_000, 20_000, None, None))  # granted, no decision date
    action("2016-VM-003", "Solidarité ultramarine", far, FundingInput(denain, 10_000, 10_000, None, decided))
    action("2016-VM-004", "Action sans porteur", None, FundingInput(anzin, 10_000, 10_000, None, decided))


def test_an_awkward_base_exports_only_valid_rows_and_names_the_rest(awkward_base, tmp_path: Path) -> None:
    out = tmp_path / "subventions.csv"
    result = write_scdl(out, today=EXPORT_DAY)
    assert scdl_errors(out) == []
    _, rows = read_rows(out)
    # Counted by hand: Anzin's and Denain's grants to 2016-VM-001 (funders by name), the FSE's to 2016-VM-002.
    assert [(row["idCofinancement"], row["nomAttribuant"], row["idAttribuant"], row["montant"]) for row in rows] == [
        ("2016-VM-001", "Ville d'Anzin", "21590014300011", "1000.00"),
        ("2016-VM-001", "Ville de Denain", "21590178600016", "1234.56"),
        ("2016-VM-002", "Fonds social européen", "17590001800011", "9000.99"),
    ]
    anzin, denain, fse = rows
    # The beneficiary known by its RNA only, the other by its SIRET.
    assert (denain["idBeneficiaire"], denain["rnaBeneficiaire"]) == ("", "W595001234")
    assert (fse["idBeneficiaire"], fse["rnaBeneficiaire"]) == ("32075384100016", "")
    # The title as typed, on one line, with no apostrophe put before the « = ».
    assert denain["objet"] == "=1+1 lecture partagée"
    # An FSE grant is not, for that, an aid notified to the European Commission.
    assert fse["notificationUE"] == "non" and fse["pourcentageSubvention"] == "1.00"
    # Dates in ISO, the payment period from the decision to the end of the action, with the schema's slash.
    assert (denain["dateConvention"], denain["dateDebut"], denain["datesPeriodeVersement"]) == (
        "2016-05-12", "2016-03-01", "2016-05-12/2016-12-31")
    # What was paid, unpaid included, in the description the schema asks for.
    assert denain["conditionsVersement"] == anzin["conditionsVersement"] == "autre"
    assert "non renseigné sur 1 234,56 €" in plain(denain["descriptionConditionsVersement"])
    assert "400,01 € sur 1 000,00 €" in plain(anzin["descriptionConditionsVersement"])
    # The other cash funders of the project, the TFPB abatement not among them.
    assert denain["cofinancement"] == "oui"
    assert denain["attribuantsCofinanceurs"] == "Fondation du quartier, Ville d'Anzin"
    assert {row["dateMiseAJour"] for row in rows} == {"2026-11-30"}
    assert result.warnings == [
        "Le financeur « Fondation du quartier » n'a pas de SIRET valide : ses 1 subvention(s) ne figurent pas dans le "
        "fichier (saisissez son SIRET dans l'onglet Financeurs).",
        "Les abattements de TFPB de « Partenord Habitat » (1 ligne(s)) ne figurent pas dans le fichier : un abattement "
        "de taxe foncière n'est pas une subvention en numéraire.",
        "Le porteur « Outre-mer solidaire » n'a ni SIRET valide ni numéro RNA au format national (W suivi de 9 "
        "chiffres) : ses 1 subvention(s) ne figurent pas dans le fichier.",
        "1 subvention(s) d'actions sans porteur ne figurent pas dans le fichier (2016-VM-004).",
        "1 subvention(s) sans date de décision ne figurent pas dans le fichier, le format national exigeant la date "
        "de la convention (2016-VM-002).",
    ]


def test_a_title_longer_than_the_format_allows_is_cut_and_said(awkward_base, tmp_path: Path) -> None:
    # A title written straight into the base (older versions took longer ones than the form does today).
    db.execute_sql("UPDATE \"action\" SET title = ? WHERE reference = '2016-VM-002'", ("Sport " * 60,))
    out = tmp_path / "subventions.csv"
    result = write_scdl(out, today=EXPORT_DAY)
    assert scdl_errors(out) == []
    [sport] = [row for row in read_rows(out)[1] if row["idCofinancement"] == "2016-VM-002"]
    assert len(sport["objet"]) == 256 and sport["objet"].endswith("…")
    assert "L'intitulé de 1 action(s) dépasse 256 caractères : il est coupé dans le fichier (2016-VM-002)." in (
        result.warnings)


def test_the_command_line_writes_the_file_and_says_what_it_left_out(demo_template: Path, tmp_path: Path,
                                                                     capsys) -> None:
    base, out = tmp_path / "bureau.db", tmp_path / "subventions.csv"
    shutil.copyfile(demo_template, base)
    code, stdout, err = run_cli(capsys, "table", "scdl", "--db", str(base), "--out", str(out))
    assert code == 0, err
    _, rows = read_rows(out)
    assert stdout.strip() == f"{len(rows)} ligne(s) écrite(s) dans {out}."
    told = err.strip().splitlines()
    assert len(told) == 1 and told[0].startswith("Avertissement : ") and "TFPB" in told[0]
    assert scdl_errors(out) == []


def test_a_cancelled_export_writes_nothing(demo_db, tmp_path: Path) -> None:
    # A large base: the demo's granted lines copied until there are more than one progress step's worth (2,000).
    columns = ("created_at, updated_at, office, deleted, action_id, funder_id, requested, granted, paid, "
               "decision_date, notes")
    while sql("SELECT count(*) FROM funding WHERE granted > 0")[0][0] < 4000:
        copies = [(str(uuid4()), *row) for row in sql(f"SELECT {columns} FROM funding WHERE granted > 0")]
        raw().executemany(f"INSERT INTO funding (uuid, {columns}) VALUES ({', '.join('?' * 12)})", copies)
    (tmp_path / "publication").mkdir()
    out = tmp_path / "publication" / "subventions.csv"
    steps: list[tuple[int, int]] = []
    with pytest.raises(Cancelled):
        write_scdl(out, progress=lambda done, total: steps.append((done, total)), cancelled=lambda: True)
    assert steps and steps[0][1] == sql("SELECT count(*) FROM funding WHERE granted > 0")[0][0]
    assert list((tmp_path / "publication").iterdir()) == []
