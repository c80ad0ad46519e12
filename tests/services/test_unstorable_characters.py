"""A text holding a character no base can store (NUL, which PostgreSQL's text refuses; a lone UTF-16 surrogate)
is refused in one French sentence naming the field, by the form, the spreadsheet import and the package
checks, on SQLite as on PostgreSQL, and nothing is written."""
from __future__ import annotations

from pathlib import Path

import pytest

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.export_package import package_rows
from cvdesk.exchange.package_format import table_specs
from cvdesk.exchange.record_checks import check_records
from cvdesk.exchange.sheet_import import import_sheet, preview_sheet
from cvdesk.services import lists
from cvdesk.services.actions import save_action
from cvdesk.services.associations import save_association
from cvdesk.services.quartiers import save_quartier

pytestmark = pytest.mark.both_engines


def _counts(sql_rows) -> tuple[int, int, int]:
    return tuple(sql_rows(f'SELECT count(*) FROM "{table}"')[0][0] for table in ("association", "action", "history"))


def test_a_nul_typed_in_a_name_is_refused_in_french_and_nothing_is_written(empty_db, sql_rows) -> None:
    result = save_association({"name": "Centre social\x00 Dutemple", "notes": "Ouvert le mardi."})
    assert not result.ok
    assert result.errors == {"name": "Le champ « Nom » contient un caractère nul (U+0000), invisible, qu'aucune base "
                                     "ne peut enregistrer (position 14) : retirez-le."}
    assert _counts(sql_rows) == (0, 0, 0)


def test_a_nul_in_a_reference_is_refused_before_the_uniqueness_look_up(empty_db, sql_rows) -> None:
    """The look-up for another action with this reference would hand the NUL to PostgreSQL (a DataError)."""
    result = save_action({"reference": "2024-VM-\x00001", "title": "Atelier", "year": 2024})
    assert list(result.errors) == ["reference"]
    assert "« Référence » contient un caractère nul" in result.errors["reference"]
    assert _counts(sql_rows) == (0, 0, 0)


def test_an_edit_adding_a_nul_leaves_the_record_as_it_was(empty_db, sql_rows) -> None:
    record = save_quartier({"code": "QP059001", "name": "Dutemple", "notes": "Comité du 12 mars."}).record
    history = sql_rows("SELECT count(*) FROM history")[0][0]
    result = save_quartier({"notes": "Comité du 12 mars.\x00"}, record.id)
    assert "« Notes » contient un caractère nul" in result.errors["notes"]
    assert sql_rows("SELECT notes FROM quartier WHERE id = ?", (record.id,)) == [("Comité du 12 mars.",)]
    assert sql_rows("SELECT count(*) FROM history")[0][0] == history


def test_tabs_and_line_feeds_are_kept_as_typed(empty_db, sql_rows) -> None:
    """Only what a base cannot hold is refused: other control characters are text like any other."""
    result = save_association({"name": "Lire et grandir", "notes": "ligne 1\nligne 2\tfin\x07"})
    assert result.ok, result.errors
    assert sql_rows("SELECT notes FROM association") == [("ligne 1\nligne 2\tfin\x07",)]


@pytest.mark.parametrize("kind, header, row", [
    ("associations", "Nom;Notes", "Lire et grandir;notes\x00cachées"),
    ("actions", "Référence;Intitulé;Année", "2016-VM-100;Jardins\x00 partagés;2016"),
])
def test_a_spreadsheet_cell_holding_a_nul_is_refused_with_its_line(kind: str, header: str, row: str, empty_db,
                                                                    sql_rows, tmp_path: Path) -> None:
    sheet = tmp_path / "lignes.csv"
    sheet.write_text(f"{header}\n{row}\n", encoding="utf-8-sig")
    preview = preview_sheet(sheet, kind)
    assert not preview.ok
    assert preview.first_error().startswith(f"Le fichier {sheet}, ligne 2, colonne « ")
    assert "contient un caractère nul (U+0000)" in preview.first_error()
    with pytest.raises(ExchangeError, match="caractère nul"):
        import_sheet(sheet, kind)
    assert _counts(sql_rows) == (0, 0, 0)


def test_a_package_record_holding_a_nul_is_refused_naming_its_field(demo_db) -> None:
    spec = next(spec for spec in table_specs() if spec.table == "action")
    row = next(iter(package_rows(spec)))
    n = spec.index("title")
    forged = tuple("Atelier\x00" if i == n else value for i, value in enumerate(row))
    with pytest.raises(ExchangeError) as refused:
        check_records("Le paquet p.zip, fichier action.jsonl", spec, 1, [forged])
    assert str(refused.value) == (f"Le paquet p.zip, fichier action.jsonl, ligne 1, enregistrement {row[0]}, "
                                  "champ « title » : Le champ « Intitulé » contient un caractère nul (U+0000), "
                                  "invisible, qu'aucune base ne peut enregistrer (position 8) : retirez-le.")


def test_a_search_holding_a_pasted_nul_finds_what_the_user_sees(demo_db, sql_rows) -> None:
    """No stored text holds a NUL; a search carrying one (pasted) looks for the visible words, on every list."""
    expected = sorted(title for (title,) in sql_rows(
        """SELECT title FROM "action" WHERE deleted = 0 AND lower(title) LIKE '%jardins%'"""))
    assert expected  # the demo has its shared gardens
    found = sorted(title for (title,) in sql_rows('SELECT title FROM "action" WHERE id IN ({})'.format(
        ", ".join(str(i) for i in lists.list_ids("actions", search="jar\x00dins")) or "NULL")))
    assert found == expected
    for kind in sorted(lists.LISTS):
        assert lists.list_ids(kind, search="\x00a\x00") == lists.list_ids(kind, search="a"), kind
