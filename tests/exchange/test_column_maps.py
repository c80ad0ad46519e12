"""A partner's file whose column names cvdesk does not know: the user says which column holds what, once; the next
file with the same headers maps itself, and the command line takes the same mapping from a file."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cvdesk.domain.identifiers import luhn_complete, make_siret
from cvdesk.exchange.column_maps import read_columns_file, remember_columns
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_fields import ASSOCIATION_FIELDS
from cvdesk.exchange.sheet_import import import_sheet, preview_sheet
from cvdesk.exchange.sheet_preview import sample_errors
from cvdesk.store.models import db
from tests.exchange.helpers import fingerprint, run_cli, settle

pytestmark = pytest.mark.both_engines

SIRET = make_siret(luhn_complete("12345678"), "0001")
# What a département's service sent: none of these names is one cvdesk knows.
PARTNER_HEADER = "Organisme bénéficiaire;Identifiant établissement;Ville du siège;Interlocuteur"
PARTNER_ROWS = (f"Lire et grandir;{SIRET};Denain;Mme Leroy\n"
                "Femmes solidaires;;Anzin;M. Diallo\n"
                "Jardins du Faubourg;;Valenciennes;\n")
MAPPING = {"Organisme bénéficiaire": "name", "Identifiant établissement": "SIRET", "Ville du siège": "Commune",
           "Interlocuteur": "contact_name"}


def _sheet(path: Path, header: str = PARTNER_HEADER, rows: str = PARTNER_ROWS) -> Path:
    path.write_text(header + "\n" + rows, encoding="utf-8")
    return path


def _associations() -> list[tuple[str, str, str, str]]:
    return list(db.execute_sql("SELECT name, siret, city, contact_name FROM association WHERE deleted = 0 "
                               "ORDER BY name"))


def test_unknown_headers_leave_the_required_name_missing_until_the_user_maps_them(empty_db, tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "departement.csv")
    preview = preview_sheet(sheet, "associations")
    assert preview.missing == ["Nom"] and not preview.ok
    assert preview.header == PARTNER_HEADER.split(";") and len(preview.sample) == 3
    assert set(preview.columns.values()) == {""}  # nothing guessed from these names

    mapped = preview_sheet(sheet, "associations", MAPPING)
    assert mapped.ok, mapped.lines()
    assert "Colonnes reconnues (correspondance donnée) :" in mapped.lines()
    assert ("Ville du siège", "Commune") in mapped.mapping
    with pytest.raises(ExchangeError, match="n'a pas de colonne « Nom »"):
        import_sheet(sheet, "associations")  # a preview remembers nothing: the names are still unknown
    assert _associations() == []


def test_a_remembered_mapping_applies_to_the_next_file_with_the_same_headers(empty_db, tmp_path: Path) -> None:
    first = _sheet(tmp_path / "janvier.csv")
    preview = preview_sheet(first, "associations", MAPPING)
    remember_columns("associations", preview.header, preview.columns)

    # February's file: the same columns in another order, one spelt in capitals without accents.
    february = _sheet(tmp_path / "fevrier.csv", "VILLE DU SIEGE;Interlocuteur;Organisme bénéficiaire;"
                                                "Identifiant établissement",
                      f"Denain;Mme Leroy;Lire et grandir;{SIRET}\nAnzin;;Centre social Dutemple;\n")
    again = preview_sheet(february, "associations")
    assert again.ok and again.columns_origin == "remembered"
    assert "Colonnes reconnues (correspondance mémorisée pour ces en-têtes) :" in again.lines()
    import_sheet(february, "associations")
    assert _associations() == [("Centre social Dutemple", "", "Anzin", ""),
                               ("Lire et grandir", SIRET, "Denain", "Mme Leroy")]

    # One more column is another header set: nothing is assumed.
    march = _sheet(tmp_path / "mars.csv", PARTNER_HEADER + ";Montant", "Lire et grandir;;Denain;;100\n")
    assert preview_sheet(march, "associations").missing == ["Nom"]


def test_the_mapping_wins_over_the_usual_names(empty_db, tmp_path: Path) -> None:
    # « Nom » here is the contact person's name; the association is in « Organisme ».
    sheet = _sheet(tmp_path / "contacts.csv", "Nom;Organisme", "Mme Leroy;Lire et grandir\n")
    import_sheet(sheet, "associations")
    assert [row[0] for row in _associations()] == ["Mme Leroy"]  # what the usual names alone do
    db.execute_sql("DELETE FROM association")
    preview = preview_sheet(sheet, "associations", {"Nom": "Contact", "Organisme": "name"})
    assert preview.mapping == [("Nom", "Contact"), ("Organisme", "Nom")]
    from cvdesk.exchange.sheet_import import apply_sheet

    apply_sheet(preview)
    assert _associations() == [("Lire et grandir", "", "", "Mme Leroy")]


@pytest.mark.parametrize("columns, words", [
    ({"Organisme bénéficiaire": "raison"}, ["à « raison », qui n'est pas un champ", "Nom (name)"]),
    ({"Organisme bénéficiaire": "name", "Interlocuteur": "Nom"}, ["« Organisme bénéficiaire » et « Interlocuteur »",
                                                                  "même champ « Nom »"]),
    ({"Organisme": "name"}, ["colonne « Organisme », absente du tableur"]),
])
def test_a_wrong_mapping_is_refused_with_the_column_named(columns, words, empty_db, tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "departement.csv")
    with pytest.raises(ExchangeError) as refused:
        preview_sheet(sheet, "associations", columns)
    for word in words:
        assert word in str(refused.value)


def test_the_mapping_step_shows_the_first_rows_errors_without_the_base(tmp_path: Path) -> None:
    header = PARTNER_HEADER.split(";")
    rows = [(2, ["Lire et grandir", "123", "Denain", ""]), (3, ["", SIRET, "Anzin", ""])]
    missing, errors = sample_errors(header, rows, ASSOCIATION_FIELDS, {"Identifiant établissement": "siret"})
    assert missing == ["Nom"]
    assert [(e.line, e.column, e.value) for e in errors] == [(2, "Identifiant établissement", "123")]
    missing, errors = sample_errors(header, rows, ASSOCIATION_FIELDS,
                                    {"Organisme bénéficiaire": "name", "Identifiant établissement": "siret"})
    assert missing == []
    assert [(e.line, e.column) for e in errors] == [(2, "Identifiant établissement"), (3, "Organisme bénéficiaire")]
    assert "obligatoire" in errors[1].reason


def _base(demo_template: Path, tmp_path: Path) -> Path:
    base = tmp_path / "bureau.db"
    shutil.copyfile(demo_template, base)
    return base


def test_the_command_line_takes_a_json_or_csv_mapping(demo_template: Path, tmp_path: Path, capsys) -> None:
    base = _base(demo_template, tmp_path)
    sheet = _sheet(tmp_path / "departement.csv")
    mapping = tmp_path / "correspondance.json"
    mapping.write_text(json.dumps(MAPPING, ensure_ascii=False, indent=2), encoding="utf-8")
    before = fingerprint(base)
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "associations", "--dry-run")
    assert code == 2 and "n'a pas de colonne « Nom »" in err and "avec --columns" in err
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "associations",
                             "--columns", str(mapping), "--dry-run")
    assert code == 0, err
    assert "Organisme bénéficiaire → Nom" in out and "Prêt : 3 à créer" in out
    settle(base)
    assert fingerprint(base) == before

    as_csv = tmp_path / "correspondance.csv"
    as_csv.write_text("Colonne;Champ\nOrganisme bénéficiaire;Nom\nIdentifiant établissement;siret\n"
                      "Interlocuteur;\nVille du siège;Commune\n", encoding="cp1252")
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "associations",
                             "--columns", str(as_csv))
    assert code == 0, err
    from cvdesk.store.database import opened_database

    with opened_database(base):
        rows = {name: (siret, city, contact) for name, siret, city, contact in _associations()}
    assert rows["Lire et grandir"] == (SIRET, "Denain", "")  # Interlocuteur ignored, as the file says
    assert rows["Jardins du Faubourg"] == ("", "Valenciennes", "")


@pytest.mark.parametrize("name, text, words", [
    ("c.json", '{"Organisme bénéficiaire": "name",\n "Interlocuteur": "téléphone portable"}',
     ["c.json, ligne 2", "« téléphone portable » n'est pas un champ"]),
    ("c.json", '{"Organisme bénéficiaire": "name",\n "Interlocuteur" "contact"}', ["c.json, ligne 2 : JSON illisible"]),
    ("c.json", '["Organisme bénéficiaire", "name"]', ["doit contenir un objet JSON"]),
    ("c.json", '{"Organisme bénéficiaire": "name",\n "Interlocuteur": 3}', ["ligne 2", "doit être un texte"]),
    ("c.csv", "Organisme bénéficiaire;name\nInterlocuteur;contact_name;oui\n", ["c.csv, ligne 2 : 3 cases"]),
    ("c.csv", "Organisme bénéficiaire;name\nInterlocuteur;Nom\n", ["c.csv, ligne 2", "déjà rempli par la colonne "
                                                                 "« Organisme bénéficiaire » (ligne 1)"]),
    ("c.csv", "Organisme bénéficiaire;name\nORGANISME BENEFICIAIRE;\n", ["ligne 2", "déjà nommée ligne 1"]),
    ("c.xlsx", "x", ["doit être un fichier .json ou .csv"]),
    ("c.csv", "Organisme;name\n", ["la colonne « Organisme », absente du tableur"]),
])
def test_a_bad_mapping_file_is_refused_in_one_french_sentence_and_nothing_changes(
        name: str, text: str, words: list[str], demo_template: Path, tmp_path: Path, capsys) -> None:
    base = _base(demo_template, tmp_path)
    settle(base)
    sheet = _sheet(tmp_path / "departement.csv")
    mapping = tmp_path / name
    mapping.write_text(text, encoding="utf-8")
    before = fingerprint(base)
    code, out, err = run_cli(capsys, "import", "--db", str(base), str(sheet), "--kind", "associations",
                             "--columns", str(mapping))
    assert code == 2
    for word in words:
        assert word in err, err
    assert "Traceback" not in err and err.count("\n") == 1
    settle(base)
    assert fingerprint(base) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.sampled_from('{}[]":,;\n\t "Nomnameéx0\\'), max_size=80),
       suffix=st.sampled_from([".json", ".csv"]))
def test_any_mapping_file_gives_a_mapping_or_a_french_refusal(text: str, suffix: str, tmp_path: Path) -> None:
    mapping = tmp_path / f"m{suffix}"
    mapping.write_text(text, encoding="utf-8")
    try:
        columns = read_columns_file(mapping, "associations")
    except ExchangeError as exc:
        assert str(exc).startswith(f"Le fichier de correspondance des colonnes {mapping}")
    else:
        assert columns and all(key in {f.key for f in ASSOCIATION_FIELDS} | {""} for key in columns.values())


def test_a_remembered_mapping_finds_the_header_under_the_partners_title(empty_db, tmp_path: Path) -> None:
    first = _sheet(tmp_path / "janvier.csv")
    remember_columns("associations", PARTNER_HEADER.split(";"), MAPPING | {"Identifiant établissement": "siret",
                                                                           "Ville du siège": "city"})
    titled = tmp_path / "fevrier.csv"
    titled.write_text("Subventions aux associations - Département du Nord;;;\n;;;\n" + first.read_text(),
                      encoding="utf-8")
    preview = preview_sheet(titled, "associations")
    assert preview.ok, preview.lines()
    assert preview.header == PARTNER_HEADER.split(";") and preview.columns_origin == "remembered"
    assert [line for line, _ in preview.sample] == [4, 5, 6]  # the lines as the partner's file numbers them


def test_a_totals_row_left_out_by_the_reader_is_a_point_to_check(empty_db, tmp_path: Path) -> None:
    sheet = _sheet(tmp_path / "departement.csv", "Nom;Montant;Ville;Contact",
                   "Lire et grandir;100;Denain;\nFemmes solidaires;200;Anzin;\nTotal;300;;\n")
    preview = preview_sheet(sheet, "associations")
    assert preview.ok and preview.created == 2
    assert [(w.line, w.reason) for w in preview.warnings] == [(4, "ligne de total laissée de côté.")]
    assert "  ligne 4 : ligne de total laissée de côté." in preview.lines()
