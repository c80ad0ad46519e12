"""A sheet of actions whose rows repeat their action's cells (one row per funding line) is read taking those cells
from the reference's first row: whatever the cells hold, rows with and without repeats, cells that cannot be read,
short rows, the values, the errors and their order are exactly what reading every cell gives."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange.action_import import _ACTION_CELLS, _read_rows
from cvdesk.exchange.sheet_fields import ACTION_FIELDS
from cvdesk.exchange.sheet_preview import RowError, read_cells
from cvdesk.exchange.sheet_reader import Sheet

HEADER = [f.label for f in ACTION_FIELDS]
POSITIONS = {f.key: n for n, f in enumerate(ACTION_FIELDS)}

# Cells of every kind a partner's file holds, some of which cannot be read (a year of 1 000 000, an orientation
# « deux », a SIRET with a letter, 31 February, an unknown status).
cells = st.one_of(
    st.none(), st.just(""), st.integers(min_value=-3, max_value=3000), st.dates(min_value=date(1990, 1, 1)),
    st.floats(min_value=0, max_value=1e6).map(lambda x: round(x, 2)),
    st.sampled_from(["Santé", " Emploi ", "2031", "1000000", "deux", "Accordée", "pas un statut", "1 234,56",
                     "12/03/2016", "31/02/2016", "Q1, Q2", "QN06M", "82161143100015", "8216114310001X",
                     "Association Ouest", "Région", "50 000 euros"]),
)


@st.composite
def sheets(draw: Any) -> Sheet:
    """Rows of a few references, later rows of a reference often copying its first row's action cells, then
    their own funding line (and now and then a cell changed, or a row cut short)."""
    references = draw(st.lists(st.sampled_from(["A-1", "A-2", " A-2", "B-7", "", None]), min_size=1, max_size=4))
    rows: list[tuple[int, list[Any]]] = []
    firsts: dict[Any, list[Any]] = {}
    for line in range(2, 2 + draw(st.integers(min_value=0, max_value=12))):
        reference = draw(st.sampled_from(references))
        row = [draw(cells) for _ in ACTION_FIELDS]
        row[POSITIONS["reference"]] = reference
        if reference in firsts and draw(st.booleans()):
            for key in _ACTION_CELLS:
                row[POSITIONS[key]] = firsts[reference][POSITIONS[key]]
            if draw(st.booleans()):
                row[POSITIONS[draw(st.sampled_from(_ACTION_CELLS))]] = draw(cells)
        firsts.setdefault(reference, row)
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            row = row[:draw(st.integers(min_value=0, max_value=len(row)))]
        rows.append((line, row))
    return Sheet(Path("actions.csv"), HEADER, rows)


def _shown(errors: list[RowError]) -> list[tuple[Any, ...]]:
    return [(e.line, e.column, e.reason, e.value) for e in errors]


@settings(max_examples=300, deadline=None)
@given(sheets())
def test_repeated_action_cells_read_as_every_cell_read_alone(sheet: Sheet) -> None:
    every_errors: list[RowError] = []
    every = read_cells(sheet, POSITIONS, ACTION_FIELDS, every_errors)
    repeats_errors: list[RowError] = []
    repeats = _read_rows(sheet, POSITIONS, repeats_errors)
    assert repeats == every
    assert [list(values) for _, values in repeats] == [list(values) for _, values in every]  # keys in one order
    assert _shown(repeats_errors) == _shown(every_errors)


def test_a_row_per_funding_line_reads_its_action_from_the_first_row() -> None:
    # By hand: two lines of one action; the second row's list of quartiers is its own, as read_cells gives.
    row = ["A-1", "Jardin", 2031, 3, "Association Ouest", "", "Accordée", "1 000,00", "", None, None, "Q1, Q2",
           "Région", "500", "", "", ""]
    second = [*row[:12], "Ville", "250", "", "", ""]
    sheet = Sheet(Path("actions.csv"), HEADER, [(2, row), (3, second)])
    errors: list[RowError] = []
    (_, first_values), (_, second_values) = _read_rows(sheet, POSITIONS, errors)
    assert errors == []
    assert (second_values["title"], second_values["total_cost"], second_values["quartiers"]) == ("Jardin", 100000,
                                                                                                 ["Q1", "Q2"])
    assert (second_values["funder"], second_values["requested"]) == ("Ville", 25000)
    assert second_values["quartiers"] is not first_values["quartiers"]
