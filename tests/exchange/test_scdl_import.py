"""A coordinator imports the subsidies a département or a city publishes in the SCDL format (1.x or 2.x): the
associations are recognised by SIRET, RNA or name, the attribuants become funders, and each beneficiary's object of a
year becomes one action with a funding line per attribuant; nothing is merged silently."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.cell_values import CellError
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.scdl_columns import SCDL_1_COLUMNS, SCDL_2_COLUMNS
from cvdesk.exchange.scdl_import import guess_funder_kind, name_key, parse_share
from cvdesk.exchange.sheet_import import apply_sheet, import_sheet, preview_sheet
from cvdesk.services.actions import save_action
from cvdesk.services.associations import save_association
from cvdesk.services.reference import save_funder
from cvdesk.store.models import db
from tests.exchange.helpers import fingerprint, run_cli, settle, tables_picture

pytestmark = pytest.mark.both_engines

NORD = make_siret(luhn_complete("22590001"), "0001")  # the département's SIRET (a 22… SIREN)
ROUBAIX = make_siret(luhn_complete("21590512"), "0001")  # the city's
LIRE = make_siret(luhn_complete("41234567"), "0001")  # « Lire et grandir », already in the base with its SIRET
NOUVELLE = make_siret(luhn_complete("51234567"), "0002")  # an association the base does not know
OFFICIAL_EXAMPLE = Path(__file__).parents[1] / "fixtures" / "scdl" / "exemple_valide.csv"


def _sql(query: str, *args: object) -> list[tuple]:
    return list(db.execute_sql(query, args))


def _base() -> dict[str, int]:
    """Three associations (one with a SIRET, one with an RNA only, one with a name only), the département as a
    funder with its SIRET, and an action of 2017 whose reference starts the year's series."""
    ids = {
        "lire": save_association({"name": "Lire et grandir", "siret": LIRE}).record.id,
        "femmes": save_association({"name": "Femmes solidaires", "rna": "W595001234"}).record.id,
        "jardins": save_association({"name": "Les Jardins du Faubourg"}).record.id,
        "nord": save_funder({"name": "Département du Nord", "kind": "departement", "siret": NORD}).record.id,
    }
    save_action({"reference": "2017-VM-007", "title": "Permanence juridique", "year": 2017,
                 "porteur": ids["femmes"]})
    return ids


def _file(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]], delimiter: str = ";") -> Path:
    lines = [delimiter.join(columns)]
    lines += [delimiter.join(row.get(column, "") for column in columns) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _grant(attribuant: str, attribuant_siret: str, beneficiary: str, objet: str, amount: str, **more: str
           ) -> dict[str, str]:
    row = {"nomAttribuant": attribuant, "idAttribuant": attribuant_siret, "nomBeneficiaire": beneficiary,
           "objet": objet, "montant": amount, "nature": "aide en numéraire", "conditionsVersement": "unique",
           "notificationUE": "non", "pourcentageSubvention": "1.00"}
    row.update(more)
    return row


# The département's and the city's 2017 decisions, as a 2.x file: eight grants to four beneficiaries, seven actions.
DEPARTEMENT_2017 = [
    # 2: recognised by its SIRET, although the file writes its name in capitals
    _grant("Département du Nord", NORD, "LIRE ET GRANDIR", "Ateliers d'écriture", "12000",
           idBeneficiaire=LIRE, exerciceBudgetaire="2017", referenceDecision="CP-2017-114", dateDecision="2017-03-20"),
    # 3: the same action funded by the city too: a second funding line, a new funder (a commune, by its name)
    _grant("Ville de Roubaix", ROUBAIX, "Lire et grandir", "Ateliers d'écriture", "3500.50",
           idBeneficiaire=LIRE, exerciceBudgetaire="2017", referenceDecision="DEL-2017-08"),
    # 4 and 5: one decision for two beneficiaries and two objects: two grants, two actions, never one
    _grant("Département du Nord", NORD, "Femmes solidaires", "Accès aux droits des femmes", "8000",
           rnaBeneficiaire="W595001234", exerciceBudgetaire="2017", referenceDecision="CP-2017-200"),
    _grant("Département du Nord", NORD, "Association Cité Jeunes", "Chantiers éducatifs d'été", "15000",
           idBeneficiaire=NOUVELLE, exerciceBudgetaire="2017", referenceDecision="CP-2017-200"),
    # 6: recognised by its name only: imported, and listed to check
    _grant("Département du Nord", NORD, "JARDINS DU FAUBOURG (LES)", "Jardin partagé", "4000",
           exerciceBudgetaire="2017", referenceDecision="CP-2017-201"),
    # 7 and 8: one grant of 20 000 € shared between two beneficiaries (45 % and 55 %)
    _grant("Département du Nord", NORD, "Cité Jeunes", "Forum des métiers", "20000", idBeneficiaire=NOUVELLE,
           exerciceBudgetaire="2017", pourcentageSubvention="0.45", referenceDecision="CP-2017-202"),
    _grant("Département du Nord", NORD, "Lire et grandir", "Forum des métiers", "20000", idBeneficiaire=LIRE,
           exerciceBudgetaire="2017", pourcentageSubvention="0.55", referenceDecision="CP-2017-202"),
    # 9: a refused request: the action is there, refused, with nothing granted
    _grant("Département du Nord", NORD, "Femmes solidaires", "Café des parents", "", rnaBeneficiaire="W595001234",
           exerciceBudgetaire="2017", statutLabel="refusée", montantDemande="2500"),
]


def test_a_departements_scdl_2_file_becomes_funders_associations_and_actions(empty_db, tmp_path: Path) -> None:
    ids = _base()
    sheet = _file(tmp_path / "subventions-2017.csv", SCDL_2_COLUMNS, DEPARTEMENT_2017)
    preview = preview_sheet(sheet, "scdl")
    assert preview.ok, preview.lines()
    # By hand: 1 funder (Roubaix), 1 association (Cité Jeunes, its two rows by one SIRET), 7 actions (rows 2-3 are one
    # action; 7 and 8 two actions of two beneficiaries).
    assert preview.created == 1 + 1 + 7 and preview.updated == 0
    doubts = {w.line: w.reason for w in preview.warnings}
    assert "par son seul nom" in doubts[6] and "Les Jardins du Faubourg" in doubts[6]
    assert "Ville de Roubaix" in doubts[3] and "Commune" in doubts[3]
    assert not any(line in doubts for line in (2, 4, 5, 7, 8, 9))
    import_sheet(sheet, "scdl")

    assert _sql("SELECT name, kind, siret FROM funder WHERE deleted = 0 ORDER BY id") == [
        ("Département du Nord", "departement", NORD), ("Ville de Roubaix", "commune", ROUBAIX)]
    assert _sql("SELECT name, siret FROM association WHERE deleted = 0 AND id > ?", ids["jardins"]) == [
        ("Association Cité Jeunes", NOUVELLE)]
    plans = _sql("SELECT a.reference, p.name, a.title, a.year, a.status, f.name, fu.requested, fu.granted "
                 "FROM action a JOIN association p ON p.id = a.porteur_id JOIN funding fu ON fu.action_id = a.id "
                 "JOIN funder f ON f.id = fu.funder_id WHERE a.reference != '2017-VM-007' AND fu.deleted = 0 "
                 "ORDER BY a.reference, f.name")
    assert plans == [
        ("2017-VM-008", "Lire et grandir", "Ateliers d'écriture", 2017, "accordee", "Département du Nord",
         1_200_000, 1_200_000),
        ("2017-VM-008", "Lire et grandir", "Ateliers d'écriture", 2017, "accordee", "Ville de Roubaix",
         350_050, 350_050),
        ("2017-VM-009", "Femmes solidaires", "Accès aux droits des femmes", 2017, "accordee", "Département du Nord",
         800_000, 800_000),
        ("2017-VM-010", "Association Cité Jeunes", "Chantiers éducatifs d'été", 2017, "accordee",
         "Département du Nord", 1_500_000, 1_500_000),
        ("2017-VM-011", "Les Jardins du Faubourg", "Jardin partagé", 2017, "accordee", "Département du Nord",
         400_000, 400_000),
        ("2017-VM-012", "Association Cité Jeunes", "Forum des métiers", 2017, "accordee", "Département du Nord",
         900_000, 900_000),
        ("2017-VM-013", "Lire et grandir", "Forum des métiers", 2017, "accordee", "Département du Nord",
         1_100_000, 1_100_000),
        ("2017-VM-014", "Femmes solidaires", "Café des parents", 2017, "refusee", "Département du Nord",
         250_000, 0),
    ]
    notes = _sql("SELECT notes FROM funding WHERE deleted = 0 AND granted = 900000")[0][0]
    assert "décision CP-2017-202" in notes and "45 % d'une subvention de 20" in notes


def test_rows_sharing_a_decision_reference_stay_separate_grants(empty_db, tmp_path: Path) -> None:
    """The issue's case: two rows with one reference but other titles and porteurs; each title is kept."""
    sheet = _file(tmp_path / "deliberation.csv", SCDL_1_COLUMNS, [
        _grant("Ville de Roubaix", ROUBAIX, "Lire et grandir", "Club de lecture", "1000",
               dateConvention="2018-02-01", referenceDecision="DEL-2018-01"),
        _grant("Ville de Roubaix", ROUBAIX, "Femmes solidaires", "Permanence d'accueil", "2000",
               dateConvention="2018-02-01", referenceDecision="DEL-2018-01"),
    ], delimiter=",")
    import_sheet(sheet, "scdl")
    assert _sql("SELECT p.name, a.title, a.granted_total FROM action a JOIN association p ON p.id = a.porteur_id "
                "ORDER BY a.id") == [("Lire et grandir", "Club de lecture", 100_000),
                                     ("Femmes solidaires", "Permanence d'accueil", 200_000)]


def test_a_scdl_1_file_takes_its_year_from_the_convention_and_reads_old_shares(empty_db, tmp_path: Path) -> None:
    """Version 1.x has no exercise column; its first files wrote the share in percent (« 100 », « 80 »)."""
    sheet = _file(tmp_path / "conventions.csv", SCDL_1_COLUMNS, [
        _grant("COMMUNE DE ROUBAIX", ROUBAIX, "Lire et grandir", "Fonctionnement", "10000", idBeneficiaire=LIRE,
               dateConvention="2016-12-05", pourcentageSubvention="100",
               datesPeriodeVersement="2017-01-01_2017-12-31"),
        _grant("COMMUNE DE ROUBAIX", ROUBAIX, "Femmes solidaires", "Fonctionnement", "12800",
               dateConvention="2017-01-10", pourcentageSubvention="80"),
    ], delimiter=",")
    import_sheet(sheet, "scdl")
    assert _sql("SELECT p.name, a.year, a.granted_total FROM action a JOIN association p ON p.id = a.porteur_id "
                "ORDER BY a.id") == [("Lire et grandir", 2016, 1_000_000), ("Femmes solidaires", 2017, 1_024_000)]
    assert _sql("SELECT decision_date FROM funding ORDER BY id") == [("2016-12-05",), ("2017-01-10",)]


def test_local_authority_variants_of_the_column_names(empty_db, tmp_path: Path) -> None:
    """What cities publish: the decree's French titles, capitals and snake_case, « (SIRET) », a typo."""
    header = ("NOM_ATTRIBUANT", "Identification de l'attribuant (SIRET)", "Année", "Nom du bénéficiaire*",
              "idBeneficiare", "Objet de la subvention", "Montant total de la subvention", "Date de la convention")
    rows = [{header[0]: "Ville de Roubaix", header[1]: ROUBAIX, header[2]: "2019", header[3]: "Lire et grandir",
             header[4]: LIRE, header[5]: "Fête du livre", header[6]: "1 500,00 €", header[7]: "14/03/2019"}]
    sheet = _file(tmp_path / "roubaix.csv", header, rows)
    preview = preview_sheet(sheet, "scdl")
    assert [target for _, target in preview.mapping] == [
        "Nom de l'attribuant", "SIRET de l'attribuant", "Exercice budgétaire", "Nom du bénéficiaire",
        "SIRET du bénéficiaire", "Objet", "Montant", "Date de la convention"]
    apply_sheet(preview)
    assert _sql("SELECT a.year, a.title, a.granted_total, p.siret FROM action a JOIN association p "
                "ON p.id = a.porteur_id") == [(2019, "Fête du livre", 150_000, LIRE)]


def test_an_xlsx_publication_imports_like_its_csv(empty_db, tmp_path: Path) -> None:
    from openpyxl import Workbook

    _base()
    book = Workbook()
    sheet = book.active
    sheet.append(list(SCDL_2_COLUMNS))
    for row in DEPARTEMENT_2017[:3]:
        sheet.append([row.get(column) or None for column in SCDL_2_COLUMNS])
    path = tmp_path / "subventions.xlsx"
    book.save(path)
    preview = preview_sheet(path, "scdl")
    assert preview.ok, preview.lines()
    assert preview.created == 1 + 0 + 2  # Roubaix; the département and both beneficiaries are in the base
    apply_sheet(preview)
    assert _sql("SELECT count(*) FROM action WHERE deleted = 0") == [(3,)]
    assert _sql("SELECT count(*) FROM funding WHERE deleted = 0") == [(3,)]


def test_a_second_import_of_the_same_file_changes_nothing(empty_db, tmp_path: Path) -> None:
    _base()
    sheet = _file(tmp_path / "subventions-2017.csv", SCDL_2_COLUMNS, DEPARTEMENT_2017)
    import_sheet(sheet, "scdl")
    before = tables_picture()
    again = preview_sheet(sheet, "scdl")
    assert again.ok and again.items == []
    assert any("déjà dans la base à l'identique" in w.reason for w in again.warnings)
    assert tables_picture() == before


def test_a_new_amount_for_an_action_of_the_base_is_put_in_its_plan_and_told(empty_db, tmp_path: Path) -> None:
    ids = _base()
    first = [_grant("Département du Nord", NORD, "Femmes solidaires", "Permanence juridique", "6000",
                    rnaBeneficiaire="W595001234", exerciceBudgetaire="2017")]
    import_sheet(_file(tmp_path / "a.csv", SCDL_2_COLUMNS, first), "scdl")
    first[0]["montant"] = "7000"
    preview = preview_sheet(_file(tmp_path / "b.csv", SCDL_2_COLUMNS, first), "scdl")
    assert preview.updated == 1 and preview.created == 0
    assert any("passe de 6" in w.reason and "7" in w.reason for w in preview.warnings)
    apply_sheet(preview)
    assert _sql("SELECT a.reference, fu.granted FROM funding fu JOIN action a ON a.id = fu.action_id "
                "WHERE fu.deleted = 0 AND a.porteur_id = ?", ids["femmes"]) == [("2017-VM-007", 700_000)]


def test_a_doubtful_identifier_is_left_out_and_told_never_stored(empty_db, tmp_path: Path) -> None:
    """A SIRET that lost its last digits in a spreadsheet (21860194600000 for Poitiers) is not stored."""
    sheet = _file(tmp_path / "poitiers.csv", SCDL_1_COLUMNS, [
        _grant("Ville de Poitiers", "21860194600000", "Trouver chaussure à son pied", "Festival", "10000",
               idBeneficiaire="5249912050001", dateConvention="2016-12-05")], delimiter=",")
    preview = preview_sheet(sheet, "scdl")
    assert preview.ok
    told = [(w.column, w.reason) for w in preview.warnings]
    assert any(column == "idAttribuant" and "21860194600000" in reason and "n'est pas enregistré" in reason
               for column, reason in told)
    assert any(column == "idBeneficiaire" and "14 chiffres" in reason for column, reason in told)
    apply_sheet(preview)
    assert _sql("SELECT siret FROM funder") == [("",)]
    assert _sql("SELECT siret FROM association") == [("",)]


def test_an_unreadable_amount_refuses_the_file_with_its_line(demo_template: Path, tmp_path: Path, capsys) -> None:
    """A row without object no longer refuses the file (it is imported, named after its line, and told: see
    test_a_grant_without_object_is_imported_under_its_line); an amount that is not a number still does."""
    db_file = tmp_path / "d.db"
    shutil.copyfile(demo_template, db_file)
    sheet = _file(tmp_path / "s.csv", SCDL_2_COLUMNS, [
        _grant("Département du Nord", NORD, "Lire et grandir", "Ateliers", "100", exerciceBudgetaire="2017"),
        _grant("Département du Nord", NORD, "Lire et grandir", "", "100", exerciceBudgetaire="2017"),
        _grant("Département du Nord", NORD, "Lire et grandir", "Sorties", "cent", exerciceBudgetaire="2017")])
    settle(db_file)
    before = fingerprint(db_file)
    code, out, err = run_cli(capsys, "import", "--db", str(db_file), str(sheet), "--kind", "scdl")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"{sheet}, ligne 4, colonne « montant » : Le montant « cent » n'est pas un nombre" in err
    assert fingerprint(db_file) == before


def test_a_grant_without_object_is_imported_under_its_line(empty_db, tmp_path: Path) -> None:
    """Two grants of one beneficiary without object stay two actions, each named after its line, and told once."""
    sheet = _file(tmp_path / "s.csv", SCDL_2_COLUMNS, [
        _grant("Département du Nord", NORD, "Lire et grandir", "", "100", exerciceBudgetaire="2017"),
        _grant("Département du Nord", NORD, "Lire et grandir", " ", "250", exerciceBudgetaire="2017")])
    preview = preview_sheet(sheet, "scdl")
    assert preview.ok, preview.lines()
    told = [w for w in preview.warnings if "l'objet de la subvention n'est pas indiqué" in w.reason]
    assert len(told) == 1 and told[0].line == 2 and "de même sur 1 autre(s) ligne(s)" in told[0].reason
    apply_sheet(preview)
    assert _sql("SELECT title, granted_total FROM action ORDER BY id") == [
        ("Subvention sans objet indiqué (ligne 2)", 10_000), ("Subvention sans objet indiqué (ligne 3)", 25_000)]


def test_dry_run_then_real_import_on_the_command_line(demo_template: Path, tmp_path: Path, capsys) -> None:
    db_file = tmp_path / "d.db"
    shutil.copyfile(demo_template, db_file)
    sheet = _file(tmp_path / "s.csv", SCDL_2_COLUMNS, DEPARTEMENT_2017[:2])
    settle(db_file)
    before = fingerprint(db_file)
    code, out, err = run_cli(capsys, "import", "--db", str(db_file), str(sheet), "--kind", "scdl", "--dry-run")
    assert code == 0, err
    assert "import « Subventions au format SCDL »" in out and "Simulation (--dry-run) : rien n'a été écrit." in out
    assert fingerprint(db_file) == before
    count = "SELECT count(*) FROM action WHERE deleted = 0"
    import sqlite3

    with sqlite3.connect(db_file) as conn:
        actions_before = conn.execute(count).fetchone()[0]
    code, out, err = run_cli(capsys, "import", "--db", str(db_file), str(sheet), "--kind", "scdl")
    assert code == 0, err
    with sqlite3.connect(db_file) as conn:
        assert conn.execute(count).fetchone()[0] == actions_before + 1  # rows 2 and 3: one action, two lines
        assert conn.execute("SELECT count(*) FROM funding f JOIN action a ON a.id = f.action_id "
                            "WHERE a.title = 'Ateliers d''écriture' AND f.deleted = 0").fetchone()[0] == 2


def test_the_official_valid_example_imports_every_grant(empty_db) -> None:
    """The format's own example (Antibes): 29 grants, each its beneficiary's share of the amount."""
    preview = preview_sheet(OFFICIAL_EXAMPLE, "scdl")
    assert preview.ok, preview.lines()
    apply_sheet(preview)
    assert _sql("SELECT name, kind, siret FROM funder") == [("ANTIBES", "commune", "21060004500392")]
    assert _sql("SELECT count(*), sum(granted) FROM funding") == [(29, sum(_official_shares()))]


def _official_shares() -> list[int]:
    """Each row's amount times its share, in cents, computed here from the file with the csv module."""
    import csv

    with OFFICIAL_EXAMPLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [int((Decimal(r["montant"]) * Decimal(r["pourcentageSubvention"]) * 100).quantize(Decimal(1), "ROUND_HALF_UP"))
            for r in rows]


def test_a_file_without_beneficiary_column_is_refused_by_name(empty_db, tmp_path: Path) -> None:
    sheet = _file(tmp_path / "s.csv", ("nomAttribuant", "objet", "montant"), [
        {"nomAttribuant": "Ville de Roubaix", "objet": "Fête", "montant": "100"}])
    preview = preview_sheet(sheet, "scdl")
    assert not preview.ok and "n'a pas de colonne « Nom du bénéficiaire »" in preview.first_error()
    with pytest.raises(ExchangeError):
        apply_sheet(preview)


@pytest.mark.parametrize("name, siret, kind", [
    ("Conseil départemental du Nord", "", "departement"), ("Région Hauts-de-France", "", "region"),
    ("Ville de Poitiers", "", "commune"), ("Valenciennes Métropole", "", "epci"),
    ("Caisse d'allocations familiales du Nord", "", "caf"), ("Préfecture du Nord", "", "etat"),
    ("ANTIBES", "21060004500392", "commune"), ("Fondation de France", "", "autre")])
def test_a_new_funders_kind_is_guessed_from_its_name_or_siren(name: str, siret: str, kind: str) -> None:
    assert guess_funder_kind(name, siret) == kind


def test_association_names_compare_without_articles_nor_the_word_association() -> None:
    assert name_key("Association Les Petits Débrouillards") == name_key("LES PETITS DEBROUILLARDS")
    assert name_key("Les Jardins du Faubourg") == name_key("JARDINS DU FAUBOURG (LES)")
    assert name_key("Lire et grandir") != name_key("Lire et écrire")


@given(st.integers(min_value=1, max_value=10_000))
def test_a_share_reads_the_same_as_a_fraction_a_percent_or_a_french_decimal(hundredths: int) -> None:
    """10 000 hundredths of a percent make 100 %; the three ways of writing one share give one fraction."""
    fraction = Decimal(hundredths) / 10_000
    percent = fraction * 100
    assert parse_share(f"{fraction}") == fraction
    assert parse_share(f"{percent} %".replace(".", ",")) == fraction
    assert parse_share(f"{fraction}".replace(".", ",")) == fraction


@pytest.mark.parametrize("text", ["0", "-0.5", "150", "beaucoup", "NaN"])
def test_a_share_outside_0_to_100_percent_is_refused(text: str) -> None:
    with pytest.raises(CellError):
        parse_share(text)


# --- what local authorities really publish (tests/fixtures/partners, see its README) ---------------------------------

PARTNERS = Path(__file__).parents[1] / "fixtures" / "partners"


def test_a_departements_real_file_matches_the_base_associations_by_siret(empty_db) -> None:
    """Charente-Maritime, 101 grants: counted here with openpyxl (not cvdesk's reader), one association per SIRET; the
    one the base already holds under another name gets its six grants, and the name difference is listed."""
    from openpyxl import load_workbook

    book = load_workbook(PARTNERS / "charente_maritime.xlsx", read_only=True)
    rows = [row for row in book.worksheets[0].iter_rows(values_only=True)]
    header, data = rows[0], [row for row in rows[1:] if any(v not in (None, "") for v in row)]
    siret, amount, share = (header.index(name) for name in ("idBeneficiaire", "montant", "pourcentageSubvention"))
    expected_cents = sum(int((Decimal(str(r[amount])) * Decimal(str(r[share])) * 100).to_integral_value("ROUND_HALF_UP"))
                         for r in data)
    known = "56178045300032"  # six grants in the file
    save_association({"name": "Foyer des jeunes travailleurs (nom de la base)", "siret": known})

    preview = preview_sheet(PARTNERS / "charente_maritime.xlsx", "scdl")
    assert preview.ok, preview.lines()
    assert any(known in w.reason and "nom de la base" in w.reason for w in preview.warnings)
    apply_sheet(preview)
    assert _sql("SELECT count(*), sum(granted) FROM funding WHERE deleted = 0") == [(len(data), expected_cents)]
    assert _sql("SELECT count(*) FROM association") == [(len({r[siret] for r in data}),)]
    assert _sql("SELECT count(*) FROM action a JOIN association p ON p.id = a.porteur_id WHERE p.siret = ?",
                known) == [(sum(1 for r in data if r[siret] == known),)]


# Each file's grants, counted by hand and by other readers (tests/exchange/test_partner_files.py), and its funders.
REAL_FILES = [
    ("vendee.xlsx", 4, 1), ("lot.csv", 13, 1), ("somme_2018-03-30.csv", 11, 1), ("aube.xlsx", 7, 1),
    ("deux_sevres.xls", 467, 1), ("haute_garonne.csv", 68, 2), ("poitiers_extrait.csv", 200, 1),
]


@pytest.mark.parametrize("name, grants, funders", REAL_FILES)
def test_a_real_publication_imports_every_grant_once(name: str, grants: int, funders: int, empty_db) -> None:
    preview = preview_sheet(PARTNERS / name, "scdl")
    assert preview.ok, preview.lines()[-20:]
    apply_sheet(preview)
    # One funding line per grant: no two rows of the file were silently made one.
    assert _sql("SELECT count(*) FROM funding WHERE deleted = 0") == [(grants,)]
    assert _sql("SELECT count(*) FROM funder WHERE deleted = 0") == [(funders,)]


def test_the_grant_that_names_no_beneficiary_is_set_aside_and_told(empty_db) -> None:
    """The Haute-Garonne's line 35 (« via l'association », neither name nor SIRET) of its 69 rows."""
    preview = preview_sheet(PARTNERS / "haute_garonne.csv", "scdl")
    assert [w.line for w in preview.warnings if "ne nomme aucun bénéficiaire" in w.reason] == [35]
    assert preview.ok and sum(1 for item in preview.items if item.extra["record"] == "action") == 68


def test_poitiers_sirets_that_lost_their_digits_are_told_once_each(empty_db) -> None:
    """The city's own SIRET, written 21860194600000.0 on each of the 200 rows, is one point to check, not 200."""
    preview = preview_sheet(PARTNERS / "poitiers_extrait.csv", "scdl")
    own = [w for w in preview.warnings if "21860194600000" in w.reason]
    assert len(own) == 1 and own[0].column == "COLL_SIRET" and "de même sur 199 autre(s) ligne(s)" in own[0].reason
    apply_sheet(preview)
    assert _sql("SELECT count(*) FROM association WHERE siret LIKE '%00000'") == [(0,)]
    assert _sql("SELECT name, siret FROM funder") == [("Ville de Poitiers", "")]


def test_a_real_file_dry_run_then_real_on_the_command_line(demo_template: Path, tmp_path: Path, capsys) -> None:
    db_file = tmp_path / "d.db"
    shutil.copyfile(demo_template, db_file)
    settle(db_file)
    before = fingerprint(db_file)
    sheet = PARTNERS / "lot.csv"
    code, out, err = run_cli(capsys, "import", "--db", str(db_file), str(sheet), "--kind", "scdl", "--dry-run")
    assert code == 0, err
    assert "Prêt : 27 à créer" in out  # by hand: the Lot, 13 associations, 13 actions
    assert fingerprint(db_file) == before
    code, out, err = run_cli(capsys, "import", "--db", str(db_file), str(sheet), "--kind", "scdl")
    assert code == 0 and "27 créé(s)" in out, err


def _ods(path: Path, rows: list[list[str]]) -> Path:
    """A one-sheet OpenDocument spreadsheet, written as LibreOffice's files are built: a zip of XML parts."""
    import zipfile
    from xml.sax.saxutils import escape

    cells = "".join("<table:table-row>" + "".join(
        f'<table:table-cell office:value-type="string"><text:p>{escape(v)}</text:p></table:table-cell>' for v in row)
        + "</table:table-row>" for row in rows)
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet><table:table table:name="Subventions">{cells}</table:table>'
               '</office:spreadsheet></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


def test_an_ods_publication_with_titles_above_its_header_imports(empty_db, tmp_path: Path) -> None:
    columns = list(SCDL_1_COLUMNS)
    rows = [["Subventions aux associations, exercice 2018"], [],
            columns,
            [DEPARTEMENT_2017[0].get(c, "") for c in columns],
            [DEPARTEMENT_2017[2].get(c, "") for c in columns]]
    rows[3][columns.index("dateConvention")] = rows[4][columns.index("dateConvention")] = "2018-04-02"
    _base()
    preview = preview_sheet(_ods(tmp_path / "subventions.ods", rows), "scdl")
    assert preview.ok, preview.lines()
    apply_sheet(preview)
    assert _sql("SELECT p.name, a.year, a.granted_total FROM action a JOIN association p ON p.id = a.porteur_id "
                "WHERE a.year = 2018 ORDER BY a.id") == [("Lire et grandir", 2018, 1_200_000),
                                                          ("Femmes solidaires", 2018, 800_000)]


def test_namesakes_of_two_legal_entities_stay_two_associations(empty_db, tmp_path: Path) -> None:
    """Two communes' CCAS bear one name but two SIRENs; two offices of one association share its SIREN."""
    ccas_a, ccas_b = (make_siret(luhn_complete(f"2679003{n}"), "0012") for n in (2, 3))
    office_1, office_2 = (make_siret(luhn_complete("78145084"), nic) for nic in ("0006", "0007"))
    rows = [_grant("Département", NORD, name, f"Objet {n}", "100", idBeneficiaire=siret, exerciceBudgetaire="2018")
            for n, (name, siret) in enumerate([("CENTRE COMMUNAL ACTION SOCIALE", ccas_a),
                                               ("CENTRE COMMUNAL ACTION SOCIALE", ccas_b),
                                               ("Comité du tourisme", office_1), ("Comité du tourisme", office_2)])]
    preview = preview_sheet(_file(tmp_path / "s.csv", SCDL_2_COLUMNS, rows), "scdl")
    apply_sheet(preview)
    assert _sql("SELECT name, siret FROM association ORDER BY id") == [
        ("CENTRE COMMUNAL ACTION SOCIALE", ccas_a), ("CENTRE COMMUNAL ACTION SOCIALE", ccas_b),
        ("Comité du tourisme", office_1)]
    assert [w.line for w in preview.warnings if "SIRET diffèrent" in w.reason] == [5]


def test_a_siren_where_the_siret_goes_finds_the_association(empty_db, tmp_path: Path) -> None:
    """The Nièvre writes SIRENs: the association of the base whose SIRET starts with it is the beneficiary."""
    _base()
    rows = [_grant("Département du Nord", NORD[:9], "LIRE & GRANDIR", "Ateliers", "NC", idBeneficiaire=LIRE[:9],
                   exerciceBudgetaire="2018", referenceDecision="Ne rien indiquer")]
    preview = preview_sheet(_file(tmp_path / "s.csv", SCDL_2_COLUMNS, rows), "scdl")
    assert preview.ok, preview.lines()
    assert any("montant n'est pas indiqué" in w.reason for w in preview.warnings)
    apply_sheet(preview)
    assert _sql("SELECT p.siret, f.siret, fu.granted, fu.notes FROM funding fu JOIN action a ON a.id = fu.action_id "
                "JOIN association p ON p.id = a.porteur_id JOIN funder f ON f.id = fu.funder_id") == [
        (LIRE, NORD, None, "")]


# --- our own open data, read back -------------------------------------------------------------------------------------

def _demo_scdl(demo_template: Path, tmp_path: Path) -> Path:
    from cvdesk.exchange.scdl import write_scdl
    from cvdesk.store.database import close_database, open_database

    db_file = tmp_path / "demo.db"
    shutil.copyfile(demo_template, db_file)
    open_database(db_file)
    try:
        write_scdl(tmp_path / "demo-scdl.csv")
    finally:
        close_database()
    return tmp_path / "demo-scdl.csv"


def test_the_demos_scdl_export_read_back_into_the_demo_changes_nothing(demo_db, tmp_path: Path) -> None:
    from cvdesk.exchange.scdl import write_scdl

    write_scdl(tmp_path / "demo-scdl.csv")
    before = tables_picture()
    again = preview_sheet(tmp_path / "demo-scdl.csv", "scdl")
    assert again.ok and again.items == [], again.lines()
    assert tables_picture() == before


def test_the_demos_scdl_export_imported_into_another_base_gives_the_same_grants(demo_template: Path,
                                                                                tmp_path: Path) -> None:
    """Headquarters reads an office's open-data file: every grant it holds, read here with the csv module, becomes
    the same beneficiary's action of that object and year with that funder's amounts."""
    import csv

    from cvdesk.store.database import close_database, open_database

    exported = _demo_scdl(demo_template, tmp_path)
    with exported.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    cents = lambda text: int(Decimal(text) * 100) if text else 0  # noqa: E731
    expected = sorted((r["nomBeneficiaire"], r["idBeneficiaire"], r["objet"], int(r["exerciceBudgetaire"]),
                       r["nomAttribuant"], r["idAttribuant"], cents(r["montantDemande"]), cents(r["montant"]))
                      for r in rows)
    open_database(tmp_path / "siege.db")
    try:
        import_sheet(exported, "scdl")
        got = sorted(_sql("SELECT p.name, p.siret, a.title, a.year, f.name, f.siret, fu.requested, fu.granted "
                          "FROM funding fu JOIN action a ON a.id = fu.action_id "
                          "JOIN association p ON p.id = a.porteur_id JOIN funder f ON f.id = fu.funder_id "
                          "WHERE fu.deleted = 0"))
    finally:
        close_database()
    assert len(rows) > 50 and got == expected


def test_two_grants_of_one_funder_to_one_action_are_added_and_told(empty_db, tmp_path: Path) -> None:
    """An advance and its balance, two decisions: one line of the plan holds both amounts, and the preview says so."""
    rows = [_grant("Ville de Roubaix", ROUBAIX, "Lire et grandir", "Fonctionnement", amount, exerciceBudgetaire="2017",
                   referenceDecision=reference)
            for amount, reference in (("12800", "DEL-2017-01"), ("7200", "DEL-2017-40"))]
    preview = preview_sheet(_file(tmp_path / "s.csv", SCDL_2_COLUMNS, rows), "scdl")
    assert [(w.line, "ligne 2" in w.reason) for w in preview.warnings if "additionnés" in w.reason] == [(3, True)]
    apply_sheet(preview)
    assert _sql("SELECT granted, notes FROM funding") == [
        (2_000_000, "SCDL : décision DEL-2017-01\nSCDL : décision DEL-2017-40")]


_CELL = st.one_of(st.just(""), st.text(max_size=12), st.sampled_from(
    ["2017", "2017-13-45", "31/02/2017", "1 234,56 €", "-5", "1e400", "W595001234", "0,45", "150 %", "NC", LIRE,
     "21860194600000.0", "refusée", "attribuée", "=SOMME(A1)"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries({column: _CELL for column in SCDL_1_COLUMNS + ("exerciceBudgetaire",
                                                                                          "statutLabel")}),
                     min_size=1, max_size=4))
def test_any_cells_give_a_preview_in_french_and_what_it_accepts_is_written(rows: list[dict[str, str]], empty_db, tmp_path: Path
                                                          ) -> None:
    sheet = tmp_path / "s.csv"
    columns = SCDL_1_COLUMNS + ("exerciceBudgetaire", "statutLabel")
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        import csv

        writer = csv.writer(handle, delimiter=";")
        writer.writerow(columns)
        writer.writerows([[row[c] for c in columns] for row in rows])
    try:
        preview = preview_sheet(sheet, "scdl")
    except ExchangeError as exc:  # a file the reader refuses (an empty one…) is refused in one French sentence
        assert str(exc).startswith("Le fichier")
        return
    for told in preview.errors + preview.warnings:
        assert told.reason[:1].isalpha() or told.reason.startswith("«")
    if preview.ok:
        apply_sheet(preview)  # what the preview accepts, the services write (a refusal would raise here)
