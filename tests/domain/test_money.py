"""Tests of money as integer cents: French parsing and formatting, percentages, and no float anywhere."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cvdesk.domain.money as money_module
from cvdesk.domain.money import MoneyError, format_money, format_percent, parse_money, percent_of

NBSP = "\u00a0"
NNBSP = "\u202f"
BIG = 10**13


@pytest.mark.parametrize("text, cents", [
    ("1 700 000,50 €", 170000050),
    (f"1{NBSP}700{NBSP}000,50{NBSP}€", 170000050),
    (f"1{NNBSP}700{NNBSP}000,50{NNBSP}€", 170000050),
    ("1700000.5", 170000050),
    ("1700000,5", 170000050),
    ("12 500", 1250000),
    ("12 500,5", 1250050),
    ("12500€", 1250000),
    ("12500 €", 1250000),
    ("12 500 EUR", 1250000),
    ("1.700.000,50", 170000050),
    ("1.700.000", 170000000),
    ("1.700,50", 170050),
    ("1'700'000,50", 170000050),
    ("1’700’000", 170000000),
    ("-250,00", -25000),
    ("- 250,00 €", -25000),
    ("\u2212250", -25000),
    ("+250", 25000),
    ("0", 0),
    ("0,00 €", 0),
    ("-0", 0),
    ("12,", 1200),
    ("  42,07  ", 4207),
    ("007", 700),
    ("999999999999999,99", 99999999999999999),
])
def test_parse_money(text: str, cents: int) -> None:
    assert parse_money(text) == cents


def test_parse_money_returns_int() -> None:
    assert type(parse_money("12,5")) is int


@pytest.mark.parametrize("text", ["", "   ", f"{NBSP}"])
def test_empty_amount(text: str) -> None:
    with pytest.raises(MoneyError) as error:
        parse_money(text)
    assert str(error.value) == "Le montant est vide."


@pytest.mark.parametrize("text", ["12,345", "1.700", "1 700,505", "1.700.000,505", "0.001"])
def test_more_than_two_decimals(text: str) -> None:
    with pytest.raises(MoneyError) as error:
        parse_money(text)
    assert str(error.value) == f"Le montant « {text} » a plus de deux décimales."


@pytest.mark.parametrize("text", ["abc", "12 500 F", "1,700,000.50", "1,700,000", "12,5,0", "12.5.0", "1.70.000",
                                  "--5", "5-", "€", "-", ",50", "12a", "1e5", "١٢", "12..5", "1.700.000.5"])
def test_garbage_is_named(text: str) -> None:
    with pytest.raises(MoneyError) as error:
        parse_money(text)
    assert str(error.value) == f"Le montant « {text} » n'est pas un nombre (exemple : 12 500,00 €)."


def test_too_large_amount() -> None:
    with pytest.raises(MoneyError, match="trop grand"):
        parse_money("1" + "0" * 15)
    with pytest.raises(MoneyError, match="trop grand"):
        parse_money("9" * 5000)


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


def test_only_text_is_parsed() -> None:
    with pytest.raises(TypeError):
        parse_money(12500)  # type: ignore[arg-type]


@pytest.mark.parametrize("cents, text", [
    (170000050, f"1{NBSP}700{NBSP}000,50{NBSP}€"),
    (-123400, f"-1{NBSP}234,00{NBSP}€"),
    (0, f"0,00{NBSP}€"),
    (5, f"0,05{NBSP}€"),
    (-5, f"-0,05{NBSP}€"),
    (99999, f"999,99{NBSP}€"),
    (100000, f"1{NBSP}000,00{NBSP}€"),
    (100000000, f"1{NBSP}000{NBSP}000,00{NBSP}€"),
])
def test_format_money(cents: int, text: str) -> None:
    assert format_money(cents) == text
    assert format_money(cents, with_symbol=False) == text.removesuffix(f"{NBSP}€")


def test_format_money_without_symbol() -> None:
    assert format_money(170000050, with_symbol=False) == f"1{NBSP}700{NBSP}000,50"


@given(st.integers(-BIG, BIG))
def test_round_trip(cents: int) -> None:
    assert parse_money(format_money(cents)) == cents


@given(st.integers(-BIG, BIG))
def test_round_trip_without_symbol(cents: int) -> None:
    assert parse_money(format_money(cents, with_symbol=False)) == cents


@given(st.integers(-BIG, BIG), st.booleans())
def test_round_trip_with_regular_spaces(cents: int, with_symbol: bool) -> None:
    text = format_money(cents, with_symbol=with_symbol).replace(NBSP, " ")
    assert NBSP not in text
    assert parse_money(text) == cents


@given(st.integers(-BIG, BIG))
def test_plain_digits_parse(cents: int) -> None:
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    assert parse_money(f"{sign}{units}.{rest:02d}") == cents
    assert parse_money(f"{sign}{units},{rest:02d}") == cents


@pytest.mark.parametrize("basis_points, text", [
    (7260, f"72,6{NBSP}%"),
    (4250, f"42,5{NBSP}%"),
    (10000, f"100,0{NBSP}%"),
    (0, f"0,0{NBSP}%"),
    (5, f"0,1{NBSP}%"),
    (4, f"0,0{NBSP}%"),
    (7255, f"72,6{NBSP}%"),
    (7254, f"72,5{NBSP}%"),
    (-7260, f"-72,6{NBSP}%"),
    (-4, f"0,0{NBSP}%"),
    (12345, f"123,5{NBSP}%"),
])
def test_format_percent(basis_points: int, text: str) -> None:
    assert format_percent(basis_points) == text


@pytest.mark.parametrize("part, whole, expected", [
    (726, 1000, 7260),
    (1, 3, 3333),
    (2, 3, 6667),
    (1, 20000, 1),        # 0.5 basis point rounds up
    (1, 20001, 0),
    (0, 100, 0),
    (150, 100, 15000),
    (-1, 20000, 0),       # half up: -0.5 -> 0
    (-3, 20000, -1),      # -1.5 -> -1
    (5, 0, None),
    (0, 0, None),
    (1, -2, -5000),
])
def test_percent_of(part: int, whole: int, expected: int | None) -> None:
    assert percent_of(part, whole) == expected


@given(st.integers(-BIG, BIG), st.integers(-BIG, BIG).filter(lambda value: value != 0))
def test_percent_of_is_exact_half_up(part: int, whole: int) -> None:
    result = percent_of(part, whole)
    assert isinstance(result, int)
    # result - 1/2 <= part * 10000 / whole < result + 1/2, checked with integers only.
    numerator, denominator = part * 10000, whole
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    assert (2 * result - 1) * denominator <= 2 * numerator < (2 * result + 1) * denominator


def test_no_float_in_money_module() -> None:
    source = Path(money_module.__file__).read_text(encoding="utf-8")
    assert "float(" not in source
    assert "float" not in source
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant):
            assert not isinstance(node.value, float), f"float literal {node.value!r} in money.py"
        assert not isinstance(node, ast.Div), "true division (/) in money.py"
