"""A partner's cells as the base holds them: French dates, amounts as people write them, identifiers a spreadsheet
took for numbers."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from cvdesk.exchange.cell_values import FORMULA_ERROR, UNCOMPUTED, CellError, parse_cell

FRENCH_MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                 "novembre", "décembre"]


def valid_siret(siren: str, establishment: str) -> str:
    """A SIRET whose last digit is its Luhn key, built by hand (the SIREN 218601946 is a valid one)."""
    body = siren + establishment
    return body + luhn.calc_check_digit(body)


@pytest.mark.parametrize("text", ["01/03/2016", "1/3/16", "01-03-2016", "2016-03-01", "01.03.2016",
                                  "1er mars 2016", "01 mars 2016", "1 MARS 2016", "mardi 1er mars 2016",
                                  "2016-03-01 00:00:00", "20160301"])
def test_a_date_written_the_french_way_reads_as_the_first_of_march_2016(text: str) -> None:
    assert parse_cell("date", text) == date(2016, 3, 1)


def test_an_excel_serial_number_is_a_date() -> None:
    # 42430 days after 30/12/1899 (Excel's day 0, once its phantom 29/02/1900 is counted): counted by hand below.
    assert date(1899, 12, 30) + timedelta(days=42430) == date(2016, 3, 1)
    assert parse_cell("date", 42430) == date(2016, 3, 1)
    assert parse_cell("date", 42430.0) == date(2016, 3, 1)
    assert parse_cell("date", "42430") == date(2016, 3, 1)


@pytest.mark.parametrize("text", ["31/02/2016", "2016", 2016, "le premier mars", "13/13/2016", "1er brumaire 2016"])
def test_what_is_not_a_date_is_refused_with_the_cell_quoted(text: object) -> None:
    with pytest.raises(CellError, match="date"):
        parse_cell("date", text)


@given(day=st.dates(min_value=date(1980, 1, 1), max_value=date(2100, 12, 31)),
       notation=st.sampled_from(["%d/%m/%Y", "%-d/%-m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "words", "serial"]))
def test_every_day_reads_back_whatever_its_notation(day: date, notation: str) -> None:
    if notation == "words":
        text: object = f"{'1er' if day.day == 1 else day.day} {FRENCH_MONTHS[day.month - 1]} {day.year}"
    elif notation == "serial":
        text = (day - date(1899, 12, 30)).days
    else:
        text = day.strftime(notation)
    assert parse_cell("date", text) == day


@pytest.mark.parametrize(("text", "cents"), [("1 234,56 €", 123456), ("1234.56", 123456), ("50 000 euros", 5000000),
                                              ("1.234,56", 123456), ("1\u202f234,56\u00a0€", 123456),
                                              ("50 000 EUR", 5000000), ("1,234.56", 123456), ("12 500", 1250000),
                                              (1234.56, 123456), (50000, 5000000), (1234.5600000000002, 123456)])
def test_amounts_as_people_write_them(text: object, cents: int) -> None:
    assert parse_cell("money", text) == cents


@pytest.mark.parametrize("text", ["1.234", "12,345", "cinquante euros", "1 234,567 €", 12.345])
def test_an_ambiguous_or_wrong_amount_is_refused_never_guessed(text: object) -> None:
    with pytest.raises(CellError):
        parse_cell("money", text)


@given(cents=st.integers(min_value=0, max_value=10**13), style=st.sampled_from(["fr", "dot", "euros", "number"]))
def test_every_amount_reads_back_its_cents(cents: int, style: str) -> None:
    units, rest = divmod(cents, 100)
    grouped = f"{units:,}".replace(",", " ")
    text: object = {"fr": f"{grouped},{rest:02d} €", "dot": f"{units}.{rest:02d}", "euros": f"{grouped},{rest:02d} euros",
                    "number": Decimal(cents).scaleb(-2)}[style]
    assert parse_cell("money", text) == cents


def test_a_siret_a_spreadsheet_rounded_is_refused_and_never_stored() -> None:
    for lost in (21860194600000.0, "21860194600000.0", "2.18601946E+13", "2,18602E+13"):
        with pytest.raises(CellError, match="chiffres"):
            parse_cell("siret", lost)


def test_a_siret_kept_whole_as_a_number_is_read() -> None:
    siret = valid_siret("218601946", "0001")
    assert parse_cell("siret", float(siret)) == siret
    assert parse_cell("siret", f"{siret}.0") == siret
    assert parse_cell("siret", f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}") == siret


def test_a_siret_that_lost_its_leading_zero_is_refused() -> None:
    siren = "00032517" + luhn.calc_check_digit("00032517")  # a SIREN that starts with zeros, its key by Luhn
    siret = valid_siret(siren, "0001")
    with pytest.raises(CellError, match="zéro de tête"):
        parse_cell("siret", float(siret))
    assert parse_cell("siret", siret) == siret


def test_a_formula_without_its_value_is_reported_never_read_as_zero() -> None:
    for kind in ("money", "text", "date", "siret"):
        with pytest.raises(CellError, match="formule"):
            parse_cell(kind, UNCOMPUTED)
        with pytest.raises(CellError, match="erreur"):
            parse_cell(kind, FORMULA_ERROR)
