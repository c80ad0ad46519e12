"""Money as integer cents, parsed and formatted the French way ("1 700 000,50 €")."""
from __future__ import annotations

import re

from cvdesk.domain.numbers import NBSP, grouped

# At most 15 digits of euros: the cents always fit in a 64-bit database integer.
MAX_UNIT_DIGITS = 15
# The largest amount a money field accepts, in cents (999 999 999 999 999,99 €).
MAX_CENTS = 10 ** (MAX_UNIT_DIGITS + 2) - 1


class MoneyError(ValueError):
    """An amount that cannot be read; str() is a French sentence."""


_IGNORED = str.maketrans("", "", " \u00a0\u202f\u2009'’€\t")
_MINUS_SIGNS = ("-", "\u2212")
_PLAIN = re.compile(r"(\d+)(?:[.,](\d*))?")
# Dots as thousands separators: before a decimal comma ("1.700,50"), or in two groups or more ("1.700.000").
_DOTS_BEFORE_COMMA = re.compile(r"\d{1,3}(?:\.\d{3})+,\d*")
_DOT_GROUPS = re.compile(r"\d{1,3}(?:\.\d{3}){2,}")


def parse_money(text: str) -> int:
    """Cents from an amount as people type it: "1 700 000,50 €", "1700000.5", "12 500", "1.700.000,50".

    A lone comma or a lone dot is the decimal mark; dots are thousands separators only before a decimal
    comma or when there are several of them in groups of 3 digits.  Raises MoneyError otherwise.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_money attend un texte, pas {type(text).__name__}.")
    original = text.strip()
    if not original:
        raise MoneyError("Le montant est vide.")
    compact = original.translate(_IGNORED)
    if compact.upper().endswith("EUR"):
        compact = compact[:-3]
    negative = compact.startswith(_MINUS_SIGNS)
    if negative or compact.startswith("+"):
        compact = compact[1:]
    if _DOTS_BEFORE_COMMA.fullmatch(compact) or _DOT_GROUPS.fullmatch(compact):
        compact = compact.replace(".", "")
    match = _PLAIN.fullmatch(compact) if compact.isascii() else None
    if not match:
        raise MoneyError(f"Le montant « {original} » n'est pas un nombre (exemple : 12 500,00 €).")
    units, decimals = match.group(1).lstrip("0") or "0", match.group(2) or ""
    if len(decimals) > 2:
        raise MoneyError(f"Le montant « {original} » a plus de deux décimales.")
    if len(units) > MAX_UNIT_DIGITS:
        raise MoneyError(f"Le montant « {original} » est trop grand pour être enregistré.")
    cents = int(units) * 100 + int(decimals.ljust(2, "0"))
    return -cents if negative else cents


def format_money(cents: int, with_symbol: bool = True) -> str:
    """170000050 -> "1 700 000,50 €", with no-break spaces between groups and before the euro sign."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    text = f"{sign}{grouped(units)},{rest:02d}"
    return f"{text}{NBSP}€" if with_symbol else text


def percent_of(part_cents: int, whole_cents: int) -> int | None:
    """part as a share of whole in basis points (hundredths of a percent), rounded half up; None if whole is 0."""
    if whole_cents == 0:
        return None
    return (part_cents * 20000 + whole_cents) // (2 * whole_cents)


def format_percent(basis_points: int) -> str:
    """7260 -> "72,6 %" (one decimal, rounded half up, no-break space before %).

    For a stored share (an indicator, a quartier's share). A share of two amounts is format_share's: rounding
    the basis points percent_of already rounded would round twice (1234,5 -> 1235 -> 12,4 % instead of 12,3 %)."""
    tenths = (abs(basis_points) + 5) // 10
    return _tenths_text(-tenths if basis_points < 0 else tenths)


def share_tenths(part_cents: int, whole_cents: int) -> int | None:
    """part as a share of whole in tenths of a percent, rounded once, half up (away from zero), from the
    integers themselves: 12 345 of 100 000 is 123 (12,3 %); None if whole is 0."""
    if whole_cents == 0:
        return None
    numerator, denominator = abs(part_cents) * 1000, abs(whole_cents)
    tenths = (2 * numerator + denominator) // (2 * denominator)
    return -tenths if (part_cents < 0) != (whole_cents < 0) else tenths


def _tenths_text(tenths: int) -> str:
    sign = "-" if tenths < 0 else ""
    return f"{sign}{abs(tenths) // 10},{abs(tenths) % 10}{NBSP}%"


def format_share(part_cents: int, whole_cents: int) -> str | None:
    """ "12,3 %" for 12 345 of 100 000 (rounded once, half up); None when whole is 0 (no share to show)."""
    tenths = share_tenths(part_cents, whole_cents)
    return None if tenths is None else _tenths_text(tenths)


def apply_share(cents: int, basis_points: int) -> int:
    """The part of an amount a share in basis points gives, rounded once, half up: 10 001 at 50 % is 5 001."""
    numerator = abs(cents) * basis_points
    part = (2 * numerator + 10000) // 20000
    return -part if cents < 0 else part
