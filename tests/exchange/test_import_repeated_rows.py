"""A coordinator's sheet gives each funding line a row and repeats the action's cells on each: those repeated
cells are read once, yet every line still gets what it would alone: its own errors, its own list of quartiers,
and a repeated cell whose type differs (1.0 then True in a workbook) read as what it is."""
from __future__ import annotations

from pathlib import Path

from cvdesk.exchange.sheet_fields import ACTION_FIELDS
from cvdesk.exchange.sheet_import import preview_sheet
from cvdesk.exchange.sheet_preview import match_columns, read_cells
from cvdesk.exchange.sheet_reader import Sheet
from cvdesk.store.models import Association, Funder, Quartier

HEADER = "Référence;Intitulé;Année;Porteur;Quartiers;Statut;Coût total;Financeur;Montant demandé;Montant accordé\n"


def _csv(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8-sig"))
    return path


def _names() -> tuple[str, str, list[str], str]:
    porteur = Association.select().where(Association.deleted == False).order_by(Association.id).first()  # noqa: E712
    funders = [f.name for f in Funder.select().where(Funder.deleted == False).order_by(Funder.id).limit(3)]  # noqa: E712
    quartier = Quartier.select().where(Quartier.deleted == False).order_by(Quartier.id).first()  # noqa: E712
    return porteur.name, quartier.code, funders, porteur.name + " (disparue)"


def test_an_unreadable_cell_repeated_on_each_line_is_named_on_each(demo_db, tmp_path: Path) -> None:
    porteur, quartier, (f1, f2, f3), _ = _names()
    sheet = _csv(tmp_path / "a.csv", HEADER +
                 f"2031-R-1;Jardins;deux mille;{porteur};{quartier};Déposée;1 000;{f1};100;\n"
                 f"2031-R-1;Jardins;deux mille;{porteur};{quartier};Déposée;1 000;{f2};200;\n"
                 f"2031-R-1;Jardins;deux mille;{porteur};{quartier};Déposée;1 000;{f3};300;\n")
    preview = preview_sheet(sheet, "actions")
    year_errors = [e.line for e in preview.errors if e.column == "Année" and "deux mille" in e.reason]
    assert year_errors == [2, 3, 4]


def test_an_unknown_porteur_repeated_on_each_line_is_named_on_each(demo_db, tmp_path: Path) -> None:
    _, quartier, (f1, f2, _), unknown = _names()
    sheet = _csv(tmp_path / "a.csv", HEADER +
                 f"2031-R-2;Jardins;2031;{unknown};{quartier};Déposée;1 000;{f1};100;\n"
                 f"2031-R-2;Jardins;2031;{unknown};{quartier};Déposée;1 000;{f2};200;\n")
    preview = preview_sheet(sheet, "actions")
    assert [e.line for e in preview.errors if "n'existe pas dans la base" in e.reason] == [2, 3]


def test_a_line_repeating_a_line_that_differs_from_the_first_is_refused_too(demo_db, tmp_path: Path) -> None:
    porteur, quartier, (f1, f2, f3), _ = _names()
    sheet = _csv(tmp_path / "a.csv", HEADER +
                 f"2031-R-3;Jardins;2031;{porteur};{quartier};Déposée;1 000;{f1};100;\n"
                 f"2031-R-3;Potagers;2031;{porteur};{quartier};Déposée;1 000;{f2};200;\n"
                 f"2031-R-3;Potagers;2031;{porteur};{quartier};Déposée;1 000;{f3};300;\n")
    preview = preview_sheet(sheet, "actions")
    refused = [(e.line, e.column) for e in preview.errors if "est aussi celle de la ligne 2" in e.reason]
    assert refused == [(3, "Intitulé"), (4, "Intitulé")]


def test_each_line_gets_its_own_list_of_quartiers(demo_db, tmp_path: Path) -> None:
    porteur, quartier, (f1, f2, _), _ = _names()
    header = ["Référence", "Intitulé", "Année", "Quartiers", "Financeur", "Montant demandé"]
    rows = [(2, ["2031-R-4", "Jardins", "2031", quartier, f1, "100"]),
            (3, ["2031-R-4", "Jardins", "2031", quartier, f2, "200"])]
    positions, _ = match_columns(header, ACTION_FIELDS)
    (_, first), (_, second) = read_cells(Sheet(Path("a.csv"), header, rows), positions, ACTION_FIELDS, [], 12)
    assert first["quartiers"] == second["quartiers"] == [quartier]
    first["quartiers"].append("QP999999")
    assert second["quartiers"] == [quartier]
    assert (first["requested"], second["requested"]) == (10_000, 20_000)


def test_equal_cells_of_different_types_are_each_read_as_they_are() -> None:
    # A workbook holds numbers: 1.0 and True are equal in Python, yet one title reads « 1 », the other « True ».
    header = ["Référence", "Intitulé", "Année", "Financeur"]
    rows = [(2, ["2031-R-5", 1.0, 2031, "Région"]), (3, ["2031-R-5", True, 2031.0, "État"]),
            (4, ["2031-R-5", True, 2031.0, "Ville"])]
    positions, _ = match_columns(header, ACTION_FIELDS)
    same: list[bool] = []
    parsed = read_cells(Sheet(Path("a.xlsx"), header, rows), positions, ACTION_FIELDS, [], 12, same)
    assert [values["title"] for _, values in parsed] == ["1", "True", "True"]
    assert [values["funder"] for _, values in parsed] == ["Région", "État", "Ville"]
    assert same == [False, False, True]
