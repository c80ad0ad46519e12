"""A large sheet's columns are read by a parser chosen once per column: whatever a partner's cells hold, each reads as
parse_cell reads it alone (the same value, or the same French reason), the second time a text comes back too."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cvdesk.exchange.cell_values import FORMULA_ERROR, UNCOMPUTED, CellError, cell_parser, parse_cell

KINDS = ["text", "list", "siret", "rna", "money", "int", "year", "date", "bool", "status"]


def _french_amount(cents: int, separator: str) -> str:
    euros, rest = divmod(cents, 100)
    return f"{euros:,}".replace(",", separator) + (f",{rest:02d}" if rest else "")


cells = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**18, max_value=10**18),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-1e7, max_value=1e7), st.floats(min_value=-1e7, max_value=1e7).map(lambda x: round(x, 2)),
    st.floats(min_value=-1e7, max_value=1e7).map(lambda x: round(x, 2) + 1e-7),  # a sum's binary noise, or more
    st.integers(min_value=0, max_value=10**17).map(lambda c: c / 100),
    st.dates(), st.datetimes(),
    st.builds(_french_amount, st.integers(min_value=0, max_value=10**19),
              st.sampled_from([" ", "\u00a0", "\u202f", ""])),
    st.builds(lambda d, style: d.strftime(style), st.dates(min_value=date(1900, 1, 1)),
              st.sampled_from(["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"])),
    st.sampled_from(["", "  ", "'=1+1", "'", "Accordée", "soldee", "oui", "Non", "1 234,567", "-12,50", "12,5 €",
                     "31/02/2016", "1er mars 2016", "21860194600000.0", "2.18601946E+13", "W751234567", "Q1, Q2/q3",
                     " texte ", "1,234.56", "٣/٣/٢٠١٦", "0012,5", "999 999 999 999 999,99", "1234567890123456",
                     "1 000 000 000 000 000"]),
    st.text(max_size=12),
    st.just(UNCOMPUTED), st.just(FORMULA_ERROR),
)


def _alone(kind: str, value: Any) -> tuple[str, Any]:
    try:
        return "value", parse_cell(kind, value)
    except CellError as exc:
        return "error", str(exc)


def _through(parse: Any, value: Any) -> tuple[str, Any]:
    try:
        return "value", parse(value)
    except CellError as exc:
        return "error", str(exc)


def _same(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    # A float's cents or a date are compared with their type: 1.0 € and 1 € are both 100 cents, an int.
    return a == b and type(a[1]) is type(b[1])


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=60, deadline=None)
@given(column=st.lists(cells, min_size=1, max_size=30))
def test_a_column_read_by_its_parser_reads_as_each_cell_alone(kind: str, column: list[Any]) -> None:
    parse = cell_parser(kind)
    for value in column + column:  # every text twice: the second reading comes from what the first found
        assert _same(_through(parse, value), _alone(kind, value)), (kind, value)


def test_two_rows_with_the_same_quartiers_get_lists_of_their_own() -> None:
    parse = cell_parser("list")
    first, second = parse("Q1, Q2"), parse("Q1, Q2")
    first.append("Q9")
    assert second == ["Q1", "Q2"]


def test_the_usual_cells_of_a_french_workbook() -> None:
    # Expected values counted by hand.
    assert cell_parser("money")(1234.56) == 123456
    assert cell_parser("money")("1 234,5") == 123450
    assert cell_parser("money")(0.1 + 0.2) == 30  # a sum's binary noise is still cents
    assert cell_parser("date")("01/03/2016") == date(2016, 3, 1)
    assert cell_parser("date")(datetime(2016, 3, 1, 12, 30)) == date(2016, 3, 1)
    assert cell_parser("year")(2016.0) == 2016
    assert cell_parser("text")("  Jardins  ") == "Jardins"
