"""A share of two amounts is rounded once, half up, from the integers: 12 345 of 100 000 prints 12,3 %, not the
12,4 % that rounding its basis points again gave; a quartier's part of an amount is rounded once too."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import given, strategies as st

from cvdesk.domain.money import NBSP, apply_share, format_percent, format_share, percent_of, share_tenths

cents = st.integers(min_value=0, max_value=10 ** 15)


def test_an_envelope_of_1000_euros_with_123_45_granted_is_12_3_percent() -> None:
    assert format_share(12_345, 100_000) == f"12,3{NBSP}%"
    # What the programme printed before: the basis points (1 235) rounded a second time.
    assert format_percent(percent_of(12_345, 100_000)) == f"12,4{NBSP}%"


def test_no_share_of_an_envelope_of_zero() -> None:
    assert format_share(5, 0) is None and share_tenths(5, 0) is None


@given(cents, st.integers(min_value=1, max_value=10 ** 15))
def test_the_share_is_the_exact_fraction_rounded_half_up_once(part: int, whole: int) -> None:
    exact = Fraction(part * 1000, whole)
    expected = int(exact + Fraction(1, 2))  # half up, by hand
    assert share_tenths(part, whole) == expected
    assert format_share(part, whole) == f"{expected // 10},{expected % 10}{NBSP}%"


@given(cents, st.integers(min_value=0, max_value=10000))
def test_a_quartier_part_is_the_exact_product_rounded_half_up_once(amount: int, basis_points: int) -> None:
    assert apply_share(amount, basis_points) == int(Fraction(amount * basis_points, 10000) + Fraction(1, 2))


def test_over_one_hundred_percent_and_below_zero_read_as_such() -> None:
    assert format_share(33_333, 30_000) == f"111,1{NBSP}%"
    assert format_share(-5, 1000) == f"-0,5{NBSP}%"
