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


def _as_date(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def typed_value(column: Column, value: Any) -> Any:
    """The value an XLSX cell holds: numbers as numbers, dates as dates, labels as text."""
    if value is None:
        return None
    kind = column.kind
    if kind == "money":
        return euros(int(value))
    if kind in ("int", "year"):
        return int(value)
    if kind == "date":
        return _as_date(value)
    if kind == "bool":
        return "oui" if value else "non"
    if kind == "status":
        return neutralise(status_label(value))
    if kind == "pillar":
        return neutralise(PILLARS.get(value, value))
    return neutralise(str(value))


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
    typed = typed_value(column, value)
    return "" if typed is None else str(typed)
