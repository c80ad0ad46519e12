"""A large sheet is read by shortcuts (a CSV's one-line records by one C loop, the rows under the header looked at by
their first cell, a CSV's repeated rows found without comparing types): whatever the file holds, each gives what the
full reading gives, the same rows, the same lines, the same points set aside and the same French sentences."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange import csv_reader, sheet_reader
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_reader import _filled, _first_filled, _total_label

# Pieces of CSV text chosen to break a reader: separators, quotes (balanced, doubled, open), line breaks inside
# quotes, blank lines, lone carriage returns, totals and notes under the table.
PIECES = st.sampled_from([";", ",", "\t", '"', '""', '"a;b"', '"x\ny"', "\n", "\r\n", "\r", " ", "TOTAL", "Total",
                          "Sous-total", "somme", "Note", "1 234,56", "Jardins", "'007", "\u00a0", "é", "A;B;C"])
LINES = st.lists(st.lists(st.one_of(PIECES, st.text(alphabet="ab;,\"\n\r ", max_size=6)), max_size=8)
                 .map("".join), min_size=1, max_size=12)


def _read(path: Path) -> tuple[str, Any]:
    try:
        sheet = csv_reader.read_csv(path)
    except ExchangeError as exc:
        return "refused", str(exc)
    return "read", (sheet.header, sheet.rows, sheet.skipped, sheet.header_line)


def _read_record_by_record(path: Path) -> tuple[str, Any]:
    """read_csv as it was (1b70a4e): every record through the record-by-record loop, every row's width compared."""
    text, encoding = csv_reader.decode(path.read_bytes(), path)
    delimiter = csv_reader.sniff_delimiter(text)
    try:
        lines = csv_reader._records(path, text, delimiter)
        sheet = sheet_reader.shape_sheet(path, lines, None, encoding, delimiter)
        width = max(len(sheet.header), next((len(cells) for line, cells in lines if line == sheet.header_line), 0))
        if [line for line, cells in sheet.rows if len(cells) > width and any(value.strip() for value in cells[width:])]:
            csv_reader._refuse_overflowing_rows(sheet, width)  # its sentence
            raise AssertionError("a row overflowing its header went unrefused")
    except ExchangeError as exc:
        return "refused", str(exc)
    return "read", (sheet.header, sheet.rows, sheet.skipped, sheet.header_line)


@settings(max_examples=400, deadline=None)
@given(lines=LINES, header=st.sampled_from(["Nom;SIRET;Montant\n", "Nom,SIRET,Montant\r\n", "", "Titre\n\nNom;Ville\n"]))
def test_a_csv_read_by_its_one_line_records_reads_as_record_by_record(lines: list[str], header: str,
                                                                      tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("csv") / "partenaire.csv"
    path.write_bytes((header + "\n".join(lines)).encode("utf-8"))
    text, _ = csv_reader.decode(path.read_bytes(), path)
    delimiter = csv_reader.sniff_delimiter(text)
    quick = csv_reader._one_line_records(text, delimiter)
    if quick is not None:  # taken only where the record-by-record reading finds nothing to refuse
        assert quick == csv_reader._records(path, text, delimiter)
    # And the file as a whole: rows and points set aside, or the sentence that refuses it.
    assert _read(path) == _read_record_by_record(path)


def test_a_quote_left_open_is_still_named_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "guillemet.csv"
    rows = "".join(f"Asso {n};{n}\n" for n in range(5))
    path.write_text("Nom;Montant\n" + rows + '"Asso ouverte;12\n' + rows, encoding="utf-8")
    with pytest.raises(ExchangeError, match="ligne 7 : un guillemet ouvert n'est pas refermé"):
        csv_reader.read_csv(path)


def _rows_as_before(lines: list[tuple[int, list[Any]]], width: int,
                    skipped: list[tuple[int, str]]) -> list[tuple[int, list[Any]]]:
    """sheet_reader._data_rows as it was before its shortcut (1b70a4e), every row through _first_filled."""
    rows = []
    after_blank = False
    for line, cells in lines:
        first = _first_filled(cells)
        if first is None:
            after_blank = True
            continue
        rows.append((line, cells, _total_label(first), after_blank))
        after_blank = False
    end = len(rows)
    while end:
        line, cells, label, gap_before = rows[end - 1]
        if label:
            skipped.append((line, "ligne de total laissée de côté"))
        elif width >= 3 and _filled(cells) == 1 and gap_before:
            skipped.append((line, "note sous le tableau laissée de côté"))
        else:
            break
        end -= 1
    kept = []
    for line, cells, label, _ in rows[:end]:
        if label and (label.startswith("sous total") or label in sheet_reader._SURE_TOTALS
                      or _filled(cells) * 2 <= width):
            skipped.append((line, "ligne de sous-total laissée de côté"))
            continue
        kept.append((line, cells))
    skipped.sort()
    return kept


CELLS = st.one_of(st.none(), st.just(""), st.just("  "), st.just("\u00a0x"), st.sampled_from(
    ["TOTAL", "Total Sport", "total général", " Total", "Sous-total Nord", "sous total", "Somme", "Montant total",
     "Mairie", "Total", "somme", "Totaux", "12", "tennis", "Maison", "\tTotal"]), st.integers(-3, 3), st.floats(0, 2),
    st.text(max_size=4))


@settings(max_examples=800, deadline=None)
@given(rows=st.lists(st.lists(CELLS, max_size=5), max_size=14), width=st.integers(0, 5))
def test_the_rows_under_the_header_are_those_every_row_looked_at_kept(rows: list[list[Any]], width: int) -> None:
    lines = [(number + 2, cells) for number, cells in enumerate(rows)]
    expected_skipped: list[tuple[int, str]] = []
    skipped: list[tuple[int, str]] = []
    assert sheet_reader._data_rows(lines, width, skipped) == _rows_as_before(lines, width, expected_skipped)
    assert skipped == expected_skipped


def test_a_total_under_the_table_and_a_subtotal_inside_are_set_aside() -> None:
    lines = [(2, ["Maison", "10"]), (3, ["Sous-total Nord", "10"]), (4, ["Mairie", "5"]), (5, []), (6, ["TOTAL", "15"])]
    skipped: list[tuple[int, str]] = []
    kept = sheet_reader._data_rows(lines, 2, skipped)
    assert [line for line, _ in kept] == [2, 4]  # counted by hand
    assert skipped == [(3, "ligne de sous-total laissée de côté"), (6, "ligne de total laissée de côté")]


def test_csv_module_is_what_reads_the_records(tmp_path: Path) -> None:
    # The shortcut's line numbers are the records' order: a file of one-line records, counted by hand.
    path = tmp_path / "a.csv"
    path.write_text("Nom;Montant\nA;1\n\nB;2\n", encoding="utf-8")
    records = csv_reader._one_line_records(path.read_text(encoding="utf-8"), ";")
    assert records == [(1, ["Nom", "Montant"]), (2, ["A", "1"]), (3, []), (4, ["B", "2"])]
    assert list(csv.reader(["A;1\n"], delimiter=";")) == [["A", "1"]]


TEXT_CELLS = st.sampled_from(["", " ", "2031-R-1", "2031-R-2", "Jardins", "2031", "deux mille", "1 000", "1 000,5",
                              "Q1, Q2", "Q1,Q2", "Déposée", "inconnu", "'007", "01/03/2031", "31/02/2031"])


@settings(max_examples=400, deadline=None)
@given(rows=st.lists(st.lists(TEXT_CELLS, min_size=0, max_size=9), min_size=1, max_size=8), repeat=st.booleans())
def test_a_csvs_rows_read_without_comparing_types_read_as_with(rows: list[list[str]], repeat: bool) -> None:
    # A CSV's cells are all texts: its rows repeating the row above are found without comparing the cells' types.
    from cvdesk.exchange.action_import import _ACTION_PART
    from cvdesk.exchange.sheet_fields import ACTION_FIELDS
    from cvdesk.exchange.sheet_preview import match_columns, read_cells
    from cvdesk.exchange.sheet_reader import Sheet

    header = ["Référence", "Intitulé", "Année", "Coût total", "Quartiers", "Statut", "Date de début", "Financeur",
              "Montant demandé"]
    if repeat:  # each row twice, as an action's cells on its two funding lines
        rows = [row for row in rows for _ in (0, 1)]
    lines = [(number + 2, cells) for number, cells in enumerate(rows)]
    positions, _ = match_columns(header, ACTION_FIELDS)
    outcomes = []
    for texts_only in (True, False):
        errors: list[Any] = []
        same: list[bool] = []
        sheet = Sheet(Path("a.csv"), header, lines, texts_only=texts_only)
        outcomes.append((read_cells(sheet, positions, ACTION_FIELDS, errors, _ACTION_PART, same), errors, same))
    assert outcomes[0] == outcomes[1]
    lists = [id(value) for _, values in outcomes[0][0] for value in values.values() if isinstance(value, list)]
    assert len(lists) == len(set(lists))  # each row its own list of quartiers, as the column's parser gives it


def test_a_csv_says_its_cells_are_texts(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("Nom;Montant\nA;1\n", encoding="utf-8")
    assert csv_reader.read_csv(path).texts_only is True
    assert sheet_reader.Sheet(path, ["Nom"], []).texts_only is False  # a workbook's, or one made by hand
