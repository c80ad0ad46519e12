"""One list value as a spreadsheet cell: typed for XLSX, French text for CSV, formulas neutralised in both."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.dates import format_date
from cvdesk.domain.status import status_label
from cvdesk.services.lists import Column

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EURO_FORMAT = '#,##0.00\\ "€"'
DATE_FORMAT = "DD/MM/YYYY"
EXCEL_DAY_ZERO = date(1899, 12, 30).toordinal()  # a spreadsheet's dates count days from 30/12/1899
# Identifiers made of digits that are not numbers: an office tool reading them as numbers drops their leading zeros
# (INSEE 01053 -> 1053) or shows a SIRET as 2,18601E+13. The XLSX keeps them as text cells in a text format.
CODE_KEYS = frozenset({"siret", "siren", "rna", "insee_code", "postcode", "departement", "code", "reference"})


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection).

    Text already starting with a quote gets one more, so that restore() gives back exactly the original."""
    return "'" + text if text.startswith(FORMULA_STARTS + ("'",)) else text


def restore(text: str) -> str:
    """The text neutralise() was given: one leading quote taken off where neutralise() put one."""
    return text[1:] if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS + ("'",)) else text


def euros(cents: int) -> Decimal:
    """Cents as an exact decimal number of euros (never a float)."""
    return Decimal(cents).scaleb(-2)


def plain_amount(cents: int) -> str:
    """1700000,00: what a French spreadsheet reads as the number 1 700 000,00."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units},{rest:02d}"


def point_amount(cents: int) -> str:
    """1700000.00: the exact decimal number of euros as an XLSX cell stores it (no float on the way)."""
    sign = "-" if cents < 0 else ""
    units, rest = divmod(abs(cents), 100)
    return f"{sign}{units}.{rest:02d}"


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def is_formula_like(text: str) -> bool:
    """Whether an office tool would run text typed into a cell as a formula."""
    return text.startswith(FORMULA_STARTS)


def label_text(column: Column, value: Any) -> str:
    """A text, status, pillar or yes/no value as the reader sees it, not neutralised (the caller decides how)."""
    kind = column.kind
    if kind == "bool":
        return "oui" if value else "non"
    if kind == "status":
        return status_label(value)
    if kind == "pillar":
        return PILLARS.get(value, value)
    return str(value)


def excel_serial(value: Any) -> int | None:
    """A date as the day number a spreadsheet stores (1 = 01/01/1900 in Excel's calendar, day 0 = 30/12/1899)."""
    day = _as_date(value)
    return None if day is None else day.toordinal() - EXCEL_DAY_ZERO


def typed_value(column: Column, value: Any) -> Any:
    """The value a typed cell holds: numbers as numbers, dates as dates, labels as neutralised text."""
    if value is None:
        return None
    kind = column.kind
    if kind == "money":
        return euros(int(value))
    if kind in ("int", "year"):
        return int(value)
    if kind == "date":
        return _as_date(value)
    return neutralise(label_text(column, value))


def cell_text(column: Column, value: Any) -> str:
    """The value as French Excel reads it from a CSV: decimal comma, dd/mm/yyyy dates."""
    if value is None:
        return ""
    kind = column.kind
    if kind == "money":
        return plain_amount(int(value))
    if kind in ("int", "year"):
        return str(int(value))
    if kind == "date":
        day = _as_date(value)
        return format_date(day)
    return neutralise(label_text(column, value))
