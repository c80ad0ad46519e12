"""A list written as CSV for French Excel: ';' separator, UTF-8 with BOM, decimal comma, formulas neutralised."""
from __future__ import annotations

import csv
import os
from datetime import date
from pathlib import Path
from typing import Any

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.services.lists import Column, get_spec, iter_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_text(column: Column, value: Any) -> str:
    """The value as a French reader expects it in a cell."""
    if value is None:
        return ""
    if column.kind == "money":
        return format_money(value)
    if column.kind == "status":
        return status_label(value)
    if column.kind == "bool":
        return "oui" if value else "non"
    if column.kind == "pillar":
        return PILLARS.get(value, value)
    if column.kind == "date":
        return date.fromisoformat(str(value)).strftime("%d/%m/%Y")
    if column.kind in ("int", "year"):
        return str(value)
    return neutralise(str(value))


def write_csv(name: str, out: Path) -> int:
    """Write the list name to out (through a temporary file, so a failure leaves nothing half-written)."""
    spec = get_spec(name)
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow([column.label for column in spec.columns])
            for row in iter_rows(name):
                writer.writerow([cell_text(column, value) for column, value in zip(spec.columns, row)])
                count += 1
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count
