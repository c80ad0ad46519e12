"""Open data: the granted fundings in the national subsidies format (SCDL « subventions » 2.1.1), one CSV line each."""
from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from cvdesk.exchange.errors import tick
from cvdesk.exchange.scdl_grants import SCDL_COLUMNS, LeftOut, granted_lines, scdl_rows

__all__ = ["SCDL_COLUMNS", "ScdlResult", "write_scdl"]

@dataclass
class ScdlResult:
    """The grants written, and one French sentence per cause of a grant left out (or shortened)."""

    written: int
    warnings: list[str] = field(default_factory=list)


def write_scdl(out: Path, today: date | None = None, progress: Callable[[int, int], None] | None = None,
               cancelled: Callable[[], bool] | None = None) -> ScdlResult:
    """Write the SCDL CSV (',' separator, UTF-8 without BOM, as the schema's examples) through a temporary file.

    Values are checked against the schema rather than neutralised for spreadsheets: open data carries no
    formula-stopping apostrophe. A grant the format cannot carry validly is left out and said in the warnings."""
    today = today or datetime.now(timezone.utc).date()
    left_out = LeftOut()
    total = granted_lines() if progress else 0
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=",", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(SCDL_COLUMNS)
            for row in scdl_rows(today, left_out):
                writer.writerow(row)
                written += 1
                tick(written, total, progress, cancelled)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return ScdlResult(written, left_out.warnings())
