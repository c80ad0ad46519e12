"""Money as integer cents, parsed and formatted the French way ("1 700 000,50 €")."""
from __future__ import annotations

import re

NBSP = "\u00a0"


class MoneyError(ValueError):
    """An amount that cannot be read; str() is a French sentence."""


_IGNORED = str.maketrans("", "", " \u00a0\u202f'’€\t")
_PLAIN = re.compile(r"(\d+)(?:[.,](\d*))?")
_GROUPED_DOTS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d*)?")
_GROUPED_COMMAS = re.compile(r"\d{1,3}(?:,\d{3}){2,}(?:\.\d*)?")


def parse_money(text: str) -> int:
    """Cents from an amount as people type it: "1 700 000,50 €", "1700000.5", "12 500", "1.700.000,50"."""
    original = text.strip()
    if not original:
        raise MoneyError("Le montant est vide.")
    compact = original.translate(_IGNORED)
    if compact.upper().endswith("EUR"):
        compact = compact[:-3]
    negative = compact.startswith("-")
    if negative or compact.startswith("+"):
        compact = compact[1:]
    if _GROUPED_DOTS.fullmatch(compact):
        compact = compact.replace(".", "")
    elif _GROUPED_COMMAS.fullmatch(compact):
        compact = compact.replace(",", "")
    match = _PLAIN.fullmatch(compact)
    if not match:
        raise MoneyError(f"Le montant « {original} » n'est pas un nombre (exemple : 12 500,00 €).")
    units, decimals = match.group(1), match.group(2) or ""
    if len(decimals) > 2:
        raise MoneyError(f"Le montant « {original} » a plus de deux décimales.")
    cents = int(units) * 100 + int(decimals.ljust(2, "0"))
    return -cents if negative else cents


def _group(number: int) -> str:
    text = str(number)
    groups = []
    while len(text) > 3:
        groups.insert(0, text[-3:])
        text = text[:-3]
    groups.insert(0, text)
    return NBSP.join(groups)


def format_money(cents: int, with_symbol: bool = True) -> str:
    """170000050 -> "1 700 000,50 €", with no-break spaces between groups and before the euro sign."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    text = f"{sign}{_group(units)},{rest:02d}"
    return f"{text}{NBSP}€" if with_symbol else text


def percent_of(part_cents: int, whole_cents: int) -> int | None:
    """part as a share of whole in basis points (hundredths of a percent), rounded half up; None if whole is 0."""
    if whole_cents == 0:
        return None
    return (part_cents * 20000 + whole_cents) // (2 * whole_cents)


def format_percent(basis_points: int) -> str:
    """7260 -> "72,6 %" (one decimal, rounded half up, no-break space before %)."""
    sign = "-" if basis_points < 0 else ""
    tenths = (abs(basis_points) + 5) // 10
    return f"{sign}{tenths // 10},{tenths % 10}{NBSP}%"
