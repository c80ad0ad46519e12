"""A list written as CSV for French Excel: ';' separator, UTF-8 with BOM, decimal comma, formulas neutralised."""
from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Callable

from cvdesk.exchange.cells import cell_text
from cvdesk.exchange.errors import tick
from cvdesk.services.lists import count as count_rows, get_spec, iter_rows

Progress = Callable[[int, int], None]


def write_csv(name: str, out: Path, progress: Progress | None = None,
              cancelled: Callable[[], bool] | None = None) -> int:
    """Write the list name to out (through a temporary file, so a failure leaves nothing half-written)."""
    spec = get_spec(name)
    total = count_rows(name) if progress else 0
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with tmp.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow([column.label for column in spec.columns])
            for row in iter_rows(name):
                writer.writerow([cell_text(column, value) for column, value in zip(spec.columns, row)])
                written += 1
                tick(written, total, progress, cancelled)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
