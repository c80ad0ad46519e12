"""A list of the national dataset written as a spreadsheet, four ways side by side: CSV, our streamed XLSX, openpyxl's
write-only mode (the XLSX writer before issue 14) and xlsxwriter's constant_memory mode.

    .venv/bin/python benchmarks/table_export_bench.py [--db /tmp/n.db] [--repeat 3] [--list actions] [--quick]

Each write runs in its own process (the writers take turns, so that a busy machine weighs on all of them alike).
The figures are CPU time (user + sys) of the write alone, measured inside the process (the machine is shared:
wall time says more about the neighbours than about the code), and the process's peak resident memory, as the
kernel reports it to the parent (the figure `/usr/bin/time -v` prints as « Maximum resident set size »).
Works on a migrated copy: the dataset is never written. xlsxwriter is not a dependency of cvdesk: without it, its
line says so.
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from datetime import date
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.common import dataset, migrated_copy  # noqa: E402

WRITERS = ("csv", "xlsx", "openpyxl", "xlsxwriter")
LABELS = {"csv": "CSV (csv_table)", "xlsx": "XLSX écrit à la main (xlsx_table)",
          "openpyxl": "XLSX openpyxl write-only (avant)", "xlsxwriter": "XLSX xlsxwriter constant_memory"}


def _openpyxl_write_only(name: str, out: Path) -> int:
    """The XLSX writer as it was before issue 14 (openpyxl write-only, without lxml here), kept for comparison."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from cvdesk.exchange.cells import DATE_FORMAT, EURO_FORMAT, typed_value
    from cvdesk.exchange.xlsx_table import SAMPLE_ROWS, _width
    from cvdesk.services.lists import get_spec, iter_rows

    spec = get_spec(name)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(spec.label[:31])
    rows = iter(iter_rows(name))
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    for index, column in enumerate(spec.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = _width(column, sample, index)
    sheet.freeze_panes = "A2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE4EE")
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=column.label)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(vertical="center")
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
                typed = ILLEGAL_CHARACTERS_RE.sub("", typed)
            if fmt and typed is not None:
                cell = WriteOnlyCell(sheet, value=typed)
                cell.number_format = fmt
                cells.append(cell)
            else:
                cells.append(typed)
        sheet.append(cells)
        written += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{written + 1}"
    workbook.save(out)
    return written


def _xlsxwriter_constant_memory(name: str, out: Path) -> int:
    """The same sheet through xlsxwriter (row by row, inline strings), for comparison."""
    import xlsxwriter

    from cvdesk.exchange.cells import CODE_KEYS, DATE_FORMAT, EURO_FORMAT, is_formula_like, label_text
    from cvdesk.exchange.xlsx_table import SAMPLE_ROWS, _width
    from cvdesk.services.lists import get_spec, iter_rows

    spec = get_spec(name)
    workbook = xlsxwriter.Workbook(str(out), {"constant_memory": True, "strings_to_numbers": False,
                                              "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet(spec.label[:31])
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "valign": "vcenter"})
    euro, day = workbook.add_format({"num_format": EURO_FORMAT}), workbook.add_format({"num_format": DATE_FORMAT})
    code, quoted = workbook.add_format({"num_format": "@"}), workbook.add_format({"quote_prefix": True})
    rows = iter(iter_rows(name))
    sample = list(itertools.islice(rows, SAMPLE_ROWS))
    for index, column in enumerate(spec.columns):
        sheet.set_column(index, index, _width(column, sample, index))
    sheet.freeze_panes(1, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.write_row(0, 0, [column.label for column in spec.columns], header)
    number = 0
    for number, row in enumerate(itertools.chain(sample, rows), 1):
        for index, (column, value) in enumerate(zip(spec.columns, row)):
            if value is None:
                continue
            if column.kind == "money":
                sheet.write_number(number, index, value / 100, euro)
            elif column.kind in ("int", "year"):
                sheet.write_number(number, index, int(value))
            elif column.kind == "date":
                sheet.write_datetime(number, index, date.fromisoformat(str(value)[:10]), day)
            else:
                text = label_text(column, value)
                style = quoted if is_formula_like(text) else code if column.key in CODE_KEYS else None
                sheet.write_string(number, index, text, style)
    sheet.autofilter(0, 0, number, len(spec.columns) - 1)
    sheet.ignore_errors({"number_stored_as_text": f"A1:XFD{number + 1}"})
    workbook.close()
    return number


def child(writer: str, db: Path, name: str, out: Path) -> None:
    """One write in this process; prints its CPU time, wall time and rows."""
    from cvdesk.store.database import opened_database

    with opened_database(db, defer_check=True):
        cpu, wall = time.process_time(), time.perf_counter()
        if writer == "csv":
            from cvdesk.exchange.csv_table import write_csv
            rows = write_csv(name, out)
        elif writer == "xlsx":
            from cvdesk.exchange.xlsx_table import write_xlsx
            rows = write_xlsx(name, out)
        elif writer == "openpyxl":
            rows = _openpyxl_write_only(name, out)
        else:
            rows = _xlsxwriter_constant_memory(name, out)
        print(time.process_time() - cpu, time.perf_counter() - wall, rows)


def run_child(writer: str, db: Path, name: str, out: Path) -> tuple[float, float, float, int]:
    """(CPU s, wall s, peak RSS MB, rows) of one write in a child process."""
    out.unlink(missing_ok=True)
    process = subprocess.Popen([sys.executable, __file__, "--child", writer, "--db", str(db), "--list", name,
                                "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(process.pid, 0)
    stdout, stderr = process.stdout.read(), process.stderr.read()  # type: ignore[union-attr]
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{writer} : code {process.returncode}\n{stderr}")
    cpu, wall, rows = stdout.split()
    return float(cpu), float(wall), usage.ru_maxrss / 1024, int(rows)


def measure(source: Path, name: str, repeat: int, writers: tuple[str, ...]) -> list[str]:
    """The Markdown table of the writers' figures on a migrated copy of source."""
    samples: dict[str, list[tuple[float, float, float, int]]] = {writer: [] for writer in writers}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory(prefix="cvdesk-tableur-") as folder:
        copy = migrated_copy(source, Path(folder))
        for turn in range(repeat):
            order = writers[turn % len(writers):] + writers[:turn % len(writers)]
            for writer in order:
                out = Path(folder) / f"{name}-{writer}.{'csv' if writer == 'csv' else 'xlsx'}"
                samples[writer].append(run_child(writer, copy, name, out))
                sizes[writer] = out.stat().st_size
                print(f"  {writer} : {samples[writer][-1][0]:.2f} s CPU", file=sys.stderr, flush=True)
    base = statistics.median(s[0] for s in samples["csv"]) if samples.get("csv") else None
    lines = ["| Écriture | CPU (médiane) | min – max | × CSV | Mur (médiane) | Mémoire max (RSS) | Taille |",
             "|---|---|---|---|---|---|---|"]
    for writer in writers:
        cpu = [s[0] for s in samples[writer]]
        ratio = f"{statistics.median(cpu) / base:.1f}" if base else "—"
        lines.append(f"| {LABELS[writer]} | {statistics.median(cpu):.2f} s | {min(cpu):.2f} – {max(cpu):.2f} | "
                     f"{ratio} | {statistics.median(s[1] for s in samples[writer]):.2f} s | "
                     f"{max(s[2] for s in samples[writer]):.0f} Mo | {sizes[writer] / 1e6:.1f} Mo |")
    rows = {s[3] for writer in writers for s in samples[writer]}
    lines.append(f"\n{', '.join(str(r) for r in sorted(rows))} ligne(s) par fichier ; {repeat} mesure(s) chacune.")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="the national dataset (built under benchmarks/data when absent)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--list", default="actions", help="the list to write (actions: 100,000 rows)")
    parser.add_argument("--quick", action="store_true", help="the 10,000-action dataset instead")
    parser.add_argument("--writers", default=",".join(WRITERS), help=f"among {', '.join(WRITERS)}")
    parser.add_argument("--child", choices=WRITERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, Path(args.db), args.list, Path(args.out))
        return 0
    writers = tuple(w for w in args.writers.split(",") if w)
    if "xlsxwriter" in writers and not _has_xlsxwriter():
        print("xlsxwriter n'est pas installé : sa ligne est omise.", file=sys.stderr)
        writers = tuple(w for w in writers if w != "xlsxwriter")
    source = Path(args.db) if args.db else dataset(args.quick)
    print(f"Jeu : {source} ; liste {args.list}.")
    print("\n".join(measure(source, args.list, args.repeat, writers)))
    return 0


def _has_xlsxwriter() -> bool:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        return False
    return True

if __name__ == "__main__":
    raise SystemExit(main())
