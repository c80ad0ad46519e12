"""A list written as an XLSX workbook: typed cells, codes kept as text, euro and date formats, frozen header,
autofilter, widths and print setup.

The sheet's XML is streamed row by row into the zip, one string per cell (100,000 actions in about the time of the
CSV: benchmarks/table_export_bench.py compares it with openpyxl's write-only mode and xlsxwriter). Strings are inline
(no shared-string table to hold in memory), and the sheet carries no <dimension>: it is optional, and a wrong one
(written before the last row is known) makes some readers stop early, which is worse than none."""
from __future__ import annotations

import itertools
import os
import zipfile
from pathlib import Path
from typing import Any, Callable

from cvdesk.exchange.cells import CODE_KEYS, excel_serial, is_formula_like, label_text, point_amount
from cvdesk.exchange.errors import TICK, tick
from cvdesk.exchange.xlsx_parts import (CONTENT_TYPES, DECLARATION, MAIN, PACKAGE_RELS, SHEET_PATH, STYLE_CODE,
                                        STYLE_DATE, STYLE_EURO, STYLE_HEADER, STYLE_QUOTED, STYLE_QUOTED_CODE,
                                        STYLES, WORKBOOK_RELS, column_letter, core_xml, sheet_title, workbook_xml,
                                        xml_text)
from cvdesk.services.lists import Column, count as count_rows, get_spec, iter_rows

Progress = Callable[[int, int], None]
CellWriter = Callable[[int, Any], str]  # (row number, value not None) -> the <c> element
SAMPLE_ROWS = 500
WIDTH_BY_KIND = {"money": 16, "date": 12, "year": 8, "int": 10, "bool": 8, "status": 15}
MAX_WIDTH = 60
MAX_CELL_TEXT = 32_767  # characters in one cell, at most (Excel's limit)
# Deflate level 1: on 100,000 actions (51 MB of sheet XML) 0.37 s for 7.9 MB; level 6 takes 1.18 s for 5.8 MB.
COMPRESSION = 1


def _width(column: Column, sample: list[tuple[Any, ...]], index: int) -> float:
    label = len(column.label) + 3  # room for the autofilter arrow
    if column.kind in WIDTH_BY_KIND:
        return max(WIDTH_BY_KIND[column.kind], label)
    longest = max((len(label_text(column, row[index])) for row in sample if row[index] is not None), default=0)
    return min(max(label, longest + 2, 8), MAX_WIDTH)


def _text_body(text: str, code: bool) -> str:
    """A text cell after its reference: style, inline string, spaces at either end kept (readers trim them
    otherwise; marked on every cell, as deciding per cell would have to look past the characters xml_text drops)."""
    if len(text) > MAX_CELL_TEXT:
        text = text[:MAX_CELL_TEXT]  # Excel declares a workbook with a longer cell damaged
    if is_formula_like(text):
        style = f' s="{STYLE_QUOTED_CODE if code else STYLE_QUOTED}"'
    else:
        style = f' s="{STYLE_CODE}"' if code else ""
    return f'{style} t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def _money(cents: int) -> str:
    # The common case without a call to point_amount (a third of the cells of the actions list are amounts).
    return f"{cents // 100}.{cents % 100:02d}" if cents >= 0 else point_amount(cents)


def cell_writer(column: Column, letter: str) -> CellWriter:
    """How one column's values become cells: numbers and dates as numbers in their format, the rest as text."""
    kind = column.kind
    if kind == "money":
        return lambda row, value: f'<c r="{letter}{row}" s="{STYLE_EURO}"><v>{_money(int(value))}</v></c>'
    if kind in ("int", "year"):
        return lambda row, value: f'<c r="{letter}{row}"><v>{int(value)}</v></c>'
    if kind == "date":
        return lambda row, value: f'<c r="{letter}{row}" s="{STYLE_DATE}"><v>{excel_serial(value)}</v></c>'
    code = column.key in CODE_KEYS
    if kind == "text":
        return lambda row, value: f'<c r="{letter}{row}"{_text_body(str(value), code)}'
    # Statuses, pillars, yes/no: a handful of values, each turned into XML once.
    bodies: dict[Any, str] = {}

    def labelled(row: int, value: Any) -> str:
        body = bodies.get(value)
        if body is None:
            body = bodies[value] = _text_body(label_text(column, value), code)
        return f'<c r="{letter}{row}"{body}'

    return labelled


def _sheet_head(columns: tuple[Column, ...], sample: list[tuple[Any, ...]]) -> str:
    """Everything before the first data row: the frozen header's view, the widths, the header row."""
    widths = "".join(f'<col min="{i}" max="{i}" width="{_width(column, sample, i - 1):g}" customWidth="1"/>'
                     for i, column in enumerate(columns, 1))
    header = "".join(f'<c r="{column_letter(i)}1" s="{STYLE_HEADER}" t="inlineStr"><is><t>{xml_text(column.label)}'
                     "</t></is></c>" for i, column in enumerate(columns))
    return (
        DECLARATION
        + f'<worksheet xmlns="{MAIN}">'
        # Printed: every column on the width of the page (as many pages down as needed).
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{widths}</cols>"
        f'<sheetData><row r="1">{header}</row>'
    )


def _sheet_tail(last_column: str, last_row: int, title: str) -> str:
    """Everything after the last row: autofilter, A4 landscape print setup, footer, and Excel told that the text
    cells holding digits (codes) are text on purpose (no green triangle on every SIRET)."""
    footer = xml_text(f"&L{title.replace('&', '&&')}&RPage &P / &N")
    return (
        "</sheetData>"
        f'<autoFilter ref="A1:{last_column}{last_row}"/>'
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter><oddFooter>{footer}</oddFooter></headerFooter>"
        f'<ignoredErrors><ignoredError sqref="A1:{last_column}{last_row}" numberStoredAsText="1"/></ignoredErrors>'
        "</worksheet>"
    )


def write_xlsx(name: str, out: Path, progress: Progress | None = None,
               cancelled: Callable[[], bool] | None = None) -> int:
    """Write the list name to out as one sheet, streamed, through a temporary file; returns the rows written."""
    spec = get_spec(name)
    columns = spec.columns
    title = sheet_title(spec.label)
    total = count_rows(name) if progress else 0
    letters = [column_letter(i) for i in range(len(columns))]
    writers = [cell_writer(column, letter) for column, letter in zip(columns, letters)]
    rows = iter(iter_rows(name))
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    tmp = out.with_name(out.name + ".tmp")
    written = 0
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESSION) as package:
            # [Content_Types].xml first: tools that recognise a file by its first bytes (file, mail filters) look
            # for it there.
            package.writestr("[Content_Types].xml", CONTENT_TYPES)
            package.writestr("_rels/.rels", PACKAGE_RELS)
            package.writestr("docProps/core.xml", core_xml(spec.label))
            package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
            package.writestr("xl/styles.xml", STYLES)
            with package.open(SHEET_PATH, "w") as sheet:
                sheet.write(_sheet_head(columns, sample).encode())
                lines: list[str] = []
                for number, row in enumerate(itertools.chain(sample, rows), 2):
                    # An empty text is no cell at all: a spreadsheet counts an empty text cell as filled.
                    cells = "".join([write(number, value) for write, value in zip(writers, row)
                                     if value is not None and value != ""])
                    lines.append(f'<row r="{number}">{cells}</row>')
                    written += 1
                    if len(lines) == TICK:
                        sheet.write("".join(lines).encode())
                        lines.clear()
                        tick(written, total, progress, cancelled)
                sheet.write("".join(lines).encode())
                sheet.write(_sheet_tail(letters[-1], written + 1, title).encode())
            package.writestr("xl/workbook.xml", workbook_xml(title, letters[-1], written + 1))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
