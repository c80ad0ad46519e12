"""Reading a partner's big workbook: python-calamine (what read_sheet uses) against openpyxl and odfpy, one process each.

    python -m benchmarks.sheet_reader_bench make FOLDER          # 100,000-row .xlsx and 20,000-row .ods
    python -m benchmarks.sheet_reader_bench READER FILE          # READER: read_sheet | calamine | openpyxl | odfpy

Each run prints its processor time (user + system, the machine is shared) and its peak memory; run each reader in
its own process so that the peaks do not mix. xlsxwriter (to make the .xlsx quickly) and odfpy are not dependencies:
install them in a scratch folder (pip install --target) and put that folder on PYTHONPATH.

Measured on 30/11/2026 (load 6-8, 2 cores shared; processor time user+system):
  .xlsx, 100,000 rows x 16 columns (8.4 MB, 90 MB of sheet XML): read_sheet 3.5-3.9 s and 263 MB (calamine alone
  1.9-2.5 s and 168 MB; the rest is the scan for formulas saved without a value, 0.5 s, and the rows set aside);
  openpyxl read-only 42.9 s and 39 MB.
  .ods, 20,000 rows x 16 columns: read_sheet 0.8-0.9 s and 90 MB; odfpy 35.7 s and 781 MB.
  .xls, the real 467-row Deux-Sèvres file: calamine 3.2 ms, xlrd 19.8 ms.
"""
from __future__ import annotations

import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HEADER = ["Référence", "Intitulé", "Année", "Porteur", "SIRET du porteur", "Statut", "Coût total", "Description",
          "Date de début", "Date de fin", "Quartiers", "Financeur", "Montant demandé", "Montant accordé",
          "Montant versé", "Date de décision"]


def _row(n: int) -> list:
    start = date(2024, 1, 1) + timedelta(days=n % 300)
    return [f"2024-ACT-{n:06d}", f"Action d'insertion numéro {n} pour les jeunes du quartier", 2024,
            f"Association numéro {n % 20000}", f"{21860194600000 + n:014d}", "Accordée", 10000 + n % 5000 + 0.5,
            "Ateliers collectifs, accompagnement individuel et sorties culturelles pour les habitants.",
            start, start + timedelta(days=180), "QP059001, QP059002", ("État", "Ville", "Département")[n % 3],
            5000 + n % 1000, 4000 + n % 1000, 2000, start]


def make_xlsx(path: Path, rows: int) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = workbook.add_worksheet()
    when = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADER)
    for n in range(1, rows + 1):
        for column, value in enumerate(_row(n)):
            if isinstance(value, date):
                sheet.write_datetime(n, column, value, when)
            elif isinstance(value, str):
                sheet.write_string(n, column, value)
            else:
                sheet.write_number(n, column, value)
    workbook.close()


def make_ods(path: Path, rows: int) -> None:
    """A minimal OpenDocument spreadsheet written by hand (no writer library needed)."""
    import zipfile

    def cell(value: object) -> str:
        if isinstance(value, date):
            return (f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
                    f"<text:p>{value:%d/%m/%Y}</text:p></table:table-cell>")
        if isinstance(value, (int, float)):
            return (f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>")
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = ["<table:table-row>" + "".join(cell(v) for v in HEADER) + "</table:table-row>"]
    body += ["<table:table-row>" + "".join(cell(v) for v in _row(n)) + "</table:table-row>"
             for n in range(1, rows + 1)]
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               '<office:body><office:spreadsheet><table:table table:name="Actions">'
               + "".join(body) + "</table:table></office:spreadsheet></office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)


def read(reader: str, path: Path) -> int:
    if reader == "read_sheet":
        from cvdesk.exchange.sheet_reader import read_sheet

        return len(read_sheet(path).rows)
    if reader == "calamine":
        import python_calamine

        with python_calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            return sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows()) - 1
    if reader == "openpyxl":  # what read_sheet did before: read-only mode, values only
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        count = sum(1 for _ in workbook.worksheets[0].iter_rows(values_only=True)) - 1
        workbook.close()
        return count
    if reader == "odfpy":
        from odf.opendocument import load
        from odf.table import Table, TableRow

        return len(load(str(path)).spreadsheet.getElementsByType(Table)[0].getElementsByType(TableRow)) - 1
    raise SystemExit(f"lecteur inconnu : {reader}")


def main(argv: list[str]) -> None:
    if argv[:1] == ["make"]:
        folder = Path(argv[1])
        make_xlsx(folder / "actions_100000.xlsx", 100_000)
        make_ods(folder / "actions_20000.ods", 20_000)
        return
    reader, path = argv[0], Path(argv[1])
    wall = time.perf_counter()
    rows = read(reader, path)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(f"{reader:10} {path.name}: {rows} lignes, processeur {usage.ru_utime + usage.ru_stime:.2f} s, "
          f"horloge {time.perf_counter() - wall:.2f} s, mémoire max {usage.ru_maxrss / 1024:.0f} Mo")


if __name__ == "__main__":
    main(sys.argv[1:])
