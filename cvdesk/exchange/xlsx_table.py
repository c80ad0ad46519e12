"""A list written as an XLSX workbook: typed cells, euro and date formats, frozen header, autofilter, widths."""
from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Callable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from cvdesk.exchange.cells import DATE_FORMAT, EURO_FORMAT, typed_value
from cvdesk.exchange.errors import tick
from cvdesk.services.lists import Column, count as count_rows, get_spec, iter_rows

Progress = Callable[[int, int], None]
SAMPLE_ROWS = 500
WIDTH_BY_KIND = {"money": 16, "date": 12, "year": 8, "int": 10, "bool": 8, "status": 15}
MAX_WIDTH = 60


def _width(column: Column, sample: list[tuple[Any, ...]], index: int) -> float:
    label = len(column.label) + 3  # room for the autofilter arrow
    if column.kind in WIDTH_BY_KIND:
        return max(WIDTH_BY_KIND[column.kind], label)
    longest = max((len(str(row[index])) for row in sample if row[index] is not None), default=0)
    return min(max(label, longest + 2, 8), MAX_WIDTH)


def write_xlsx(name: str, out: Path, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> int:
    """Write the list name to out as one sheet (streamed: a write-only workbook), through a temporary file."""
    spec = get_spec(name)
    total = count_rows(name) if progress else 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.label[:31])
    rows = iter(iter_rows(name))
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    for index, column in enumerate(spec.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = _width(column, sample, index)
    sheet.freeze_panes = "A2"
    # Printed from the spreadsheet: landscape, every column on the page's width, the header on each page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    formats = [EURO_FORMAT if c.kind == "money" else DATE_FORMAT if c.kind == "date" else None
               for c in spec.columns]
    written = 0
    for row in itertools.chain(sample, rows):
        cells: list[Any] = []
        for column, fmt, value in zip(spec.columns, formats, row):
            typed = typed_value(column, value)
            if isinstance(typed, str) and ILLEGAL_CHARACTERS_RE.search(typed):
                typed = ILLEGAL_CHARACTERS_RE.sub("", typed)  # control characters cannot be stored in XLSX
            if fmt and typed is not None:
                cell = WriteOnlyCell(sheet, value=typed)
                cell.number_format = fmt
                cells.append(cell)
            else:
                cells.append(typed)
        sheet.append(cells)
        written += 1
        tick(written, total, progress, cancelled)
    last = get_column_letter(len(spec.columns))
    sheet.auto_filter.ref = f"A1:{last}{written + 1}"
    tmp = out.with_name(out.name + ".tmp")
    try:
        workbook.save(tmp)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
