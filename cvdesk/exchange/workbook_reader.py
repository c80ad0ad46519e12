"""Reading the table of a workbook (.xlsx, .xlsm, .xls, .ods) through python-calamine, guarded."""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from cvdesk.exchange import xls_probe
from cvdesk.exchange.cell_values import FORMULA_ERROR, UNCOMPUTED
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_reader import HEADER_SEARCH_ROWS, MAX_COLUMNS, MAX_ROWS, Sheet, shape_sheet
from cvdesk.exchange.zipguard import open_checked_zip

MAX_XLSX_MEMBER = 500 * 1024 * 1024
MAX_XLS_BYTES = 200 * 1024 * 1024
_CHUNK = 4 * 1024 * 1024
# A workbook's table is looked for in its first visible sheets only (a file of a hundred sheets is not a list).
_SHEETS_LOOKED_AT = 10

_KINDS = {".xlsx": "un classeur XLSX", ".xlsm": "un classeur XLSX", ".xls": "un classeur Excel 97-2003 (.xls)",
          ".ods": "un classeur OpenDocument (.ods)"}
_NAMES = {".xlsx": "XLSX", ".xlsm": "XLSX", ".xls": "XLS", ".ods": "ODS"}

# A cell of SpreadsheetML, with or without a namespace prefix; its body when it is not self-closing.
_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})?(\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_VALUE = re.compile(rb"<(?:\w+:)?v>[^<]")


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    """The XML part of the workbook's sheet at index, in workbook.xml's order (calamine's)."""
    try:
        workbook = archive.read("xl/workbook.xml")
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    sheets = re.findall(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", workbook)
    if index >= len(sheets):
        return None
    for relation in re.finditer(rb"<(?:\w+:)?Relationship\b[^>]*>", rels):
        tag = relation.group(0)
        if re.search(rb'\bId="' + re.escape(sheets[index]) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target is None:
                return None
            name = target.group(1).decode("utf-8", "replace")
            return name.lstrip("/") if name.startswith("/") else "xl/" + name
    return None


def _uncomputed_cells(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, str]]:
    """(line, column index, what) of the formula cells saved without a value, or with an error as their value.

    calamine reads both as an empty cell. A piece without '<f' or t="e" (most data files) costs a few searches."""
    found: list[tuple[int, int, str]] = []
    line = 0
    column = -1
    # Cut after a tag ending in "row>" (</row>, </x:row>): never inside a tag, and the counters carry over.
    for data in _chunks(archive, member, b"row>"):
        if b"<f" in data or b":f>" in data or b't="e"' in data:
            for match in _ROW_OR_CELL.finditer(data):
                row_attributes, attributes, body = match.groups()
                if row_attributes is not None:
                    reference = _REF.search(row_attributes)
                    line = int(reference.group(2)) if reference else line + 1
                    column = -1
                    continue
                reference = _REF.search(attributes)
                column = _column_index(reference.group(1)) if reference and reference.group(1) else column + 1
                if not body:
                    continue
                if _ERROR_TYPE.search(attributes):
                    found.append((line, column, "error"))
                elif (b"<f" in body or b":f" in body) and not _VALUE.search(body):
                    found.append((line, column, "formula"))
        else:
            # Only the piece's last row number matters to the next piece: look for it from the end.
            last = max(data.rfind(b"<row "), data.rfind(b":row "))
            reference = _REF.search(data, last) if last >= 0 else None
            line = int(reference.group(2)) if reference else line + data.count(b"<row") + data.count(b":row ")
    return found


def _chunks(archive: zipfile.ZipFile, member: str, end_tag: bytes) -> Iterator[bytes]:
    """The member's bytes in pieces of about _CHUNK, each cut just after an end_tag (so that no tag is split)."""
    tail = b""
    with archive.open(member) as stream:
        while True:
            chunk = stream.read(_CHUNK)
            data = tail + chunk
            if not chunk:
                yield data
                return
            cut = data.rfind(end_tag)
            if cut < 0:
                tail = data
                continue
            cut += len(end_tag)
            tail = data[cut:]
            yield data[:cut]


_ODS_TOKEN = re.compile(rb"<table:table-row\b([^>]*)>|<table:(?:covered-)?table-cell\b([^>]*)>|</table:table>")
_REPEAT_ROWS = re.compile(rb'table:number-rows-repeated="(\d+)"')
_REPEAT_COLUMNS = re.compile(rb'table:number-columns-repeated="(\d+)"')


def _uncomputed_ods_cells(archive: zipfile.ZipFile, index: int) -> list[tuple[int, int, str]]:
    """(line, column index, what) of the formula cells of the table at index saved without a value, or with an error.

    LibreOffice saves each result beside its formula; other tools may not, and calamine reads such a cell as
    empty. Rows and cells may stand for several (number-rows/columns-repeated), so they are counted as such."""
    if not any(b"table:formula=" in piece for piece in _chunks(archive, "content.xml", b"</table:table-row>")):
        return []
    found: list[tuple[int, int, str]] = []
    line, next_line, column, table = 0, 1, 0, 0
    for piece in _chunks(archive, "content.xml", b"</table:table-row>"):
        for match in _ODS_TOKEN.finditer(piece):
            row_attributes, attributes = match.groups()
            if row_attributes is None and attributes is None:
                if table == index:
                    return found  # the end of the table read
                table += 1
                line, next_line, column = 0, 1, 0
                continue
            if table != index:
                continue
            if row_attributes is not None:
                repeat = _REPEAT_ROWS.search(row_attributes)
                line, column = next_line, 0
                next_line += int(repeat.group(1)) if repeat else 1
                continue
            repeat = _REPEAT_COLUMNS.search(attributes)
            if b"table:formula=" in attributes:
                if b'calcext:value-type="error"' in attributes:
                    found.append((line, column, "error"))
                elif b"office:value-type=" not in attributes:
                    found.append((line, column, "formula"))
            column += int(repeat.group(1)) if repeat else 1
    return found


def _checked_archive(path: Path, suffix: str) -> None:
    """The ZIP's declared sizes checked before calamine inflates anything (a bomb is refused unopened)."""
    open_checked_zip(path, _KINDS[suffix], max_member=MAX_XLSX_MEMBER, max_total=MAX_XLSX_MEMBER).close()


def _uncomputed(path: Path, suffix: str, index: int) -> list[tuple[int, int, str]]:
    """The formula cells of the sheet at index saved without their value or with an error (none in an .xls:
    the BIFF format always stores a formula's result)."""
    if suffix == ".xls":
        return []
    archive = open_checked_zip(path, _KINDS[suffix], max_member=MAX_XLSX_MEMBER, max_total=MAX_XLSX_MEMBER)
    try:
        if suffix == ".ods":
            return _uncomputed_ods_cells(archive, index) if "content.xml" in archive.namelist() else []
        member = _sheet_member(archive, index)
        if member is None or member not in archive.namelist():
            return []
        return _uncomputed_cells(archive, member)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError,
            zipfile.LargeZipFile):
        raise ExchangeError(f"Le fichier {path} n'est pas {_KINDS[suffix]} lisible (archive endommagée).") from None
    finally:
        archive.close()


def _calamine_failure(exc: BaseException) -> bool:
    """Whether calamine refused the file. A Rust panic reaches Python as pyo3's PanicException, which derives from
    BaseException alone (so that `except Exception` lets it through) and exists only once a panic has happened:
    it is known by its name, never an interruption or an exit."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _chosen_sheet(workbook: Any, recognise: Callable[[list[str]], int] | None) -> tuple[int, Any]:
    """The sheet to read and its index: the first visible worksheet, unless recognise finds its columns better on
    another (a « Notice » or « Lisez-moi » sheet put before the table)."""
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    candidates = [index for index, sheet in enumerate(workbook.sheets_metadata)
                  if sheet.typ == SheetTypeEnum.WorkSheet and sheet.visible == SheetVisibleEnum.Visible]
    candidates = candidates[:_SHEETS_LOOKED_AT] or [0]
    best: tuple[int, Any] | None = None
    best_score = -1
    for index in candidates:
        sheet = workbook.get_sheet_by_index(index)
        if recognise is None or len(candidates) == 1:
            return index, sheet
        score = max((recognise([_cell_text(value) for value in cells])
                     for cells in islice(sheet.iter_rows(), HEADER_SEARCH_ROWS)), default=0)
        if score >= 2 and best is None:
            return index, sheet  # the first sheet has a header: the others need not be read
        if score > best_score:
            best, best_score = (index, sheet), score
    assert best is not None
    return best


# An encrypted Office file is an OLE2 container whose directory names this stream (in UTF-16).
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")


def _protected(path: Path) -> bool:
    """Whether an OLE2 file calamine could not read names an EncryptionInfo stream (its directory may be anywhere)."""
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            if _ENCRYPTION_INFO in tail + chunk:
                return True
            tail = chunk[-len(_ENCRYPTION_INFO):]
    return False


def read_workbook(path: Path, recognise: Callable[[list[str]], int] | None = None,
                  content: str | None = None) -> Sheet:
    """The sheet of the workbook that holds the table (see _chosen_sheet), its formulas saved without a value
    marked UNCOMPUTED and its formula errors FORMULA_ERROR (calamine reads both as empty: never as 0).

    content is the format the file's first bytes show (".xlsx", ".xls", ".ods") when its name says another:
    an .xls renamed .xlsx by hand, or the reverse, is read as what it is."""
    import python_calamine

    suffix = content or path.suffix.lower()
    renamed = suffix != path.suffix.lower()
    what = _KINDS[suffix]
    xls_bytes = None
    if suffix == ".xls":
        if path.stat().st_size > MAX_XLS_BYTES:
            raise ExchangeError(f"Le fichier {path} dépasse {MAX_XLS_BYTES // (1024 * 1024)} Mo : trop gros pour un "
                                "tableur.")
        xls_bytes = path.read_bytes()
        xls_probe.survives(path, xls_bytes, what)
    else:
        _checked_archive(path, suffix)
    try:
        if xls_bytes is not None:  # the very bytes the child read to its end
            workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(xls_bytes))
        elif renamed:  # calamine picks its reader by the name; from the bytes it finds the right one
            with path.open("rb") as stream:
                workbook = python_calamine.CalamineWorkbook.from_filelike(stream)
        else:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    except BaseException as exc:  # its own kinds (XmlError, ZipError, CalamineError…), a few more, its panics
        if not _calamine_failure(exc):
            raise
        if suffix == ".xls" and _protected(path):
            raise ExchangeError(f"Le fichier {path} est protégé par un mot de passe : enregistrez-en une copie sans "
                                "mot de passe depuis votre tableur, puis importez cette copie.") from None
        raise ExchangeError(f"Le fichier {path} n'est pas {what} lisible ({type(exc).__name__}).") from None
    try:
        if not workbook.sheet_names:
            raise ExchangeError(f"Le fichier {path} ne contient aucune feuille.")
        index, sheet = _chosen_sheet(workbook, recognise)
        # The real extent of the cells, not the <dimension> a LibreOffice-saved file declares (A1:AMJ1048576).
        first_row, first_column = sheet.start or (0, 0)
        if sheet.height and first_row + sheet.height > MAX_ROWS:
            raise ExchangeError(f"Le fichier {path} a plus de {MAX_ROWS} lignes : trop pour un import.")
        values = list(sheet.iter_rows())
        # calamine yields rows from the sheet's first line but cells from its first used column.
        top = first_row + sheet.height - len(values) + 1 if sheet.height else 1
        padding = [None] * first_column
        if padding or any(len(cells) > MAX_COLUMNS for cells in values[:1]):
            values = [(padding + cells)[:MAX_COLUMNS] for cells in values]
        lines: list[tuple[int, list[Any]]] = list(enumerate(values, start=top))
    except ExchangeError:
        raise
    except BaseException as exc:
        if not _calamine_failure(exc):
            raise
        raise ExchangeError(f"Le fichier {path} n'est pas {what} lisible ({type(exc).__name__}).") from None
    finally:
        workbook.close()
    uncomputed = _uncomputed(path, suffix, index)
    formulas = []
    by_line = dict(lines)
    for line, column, how in uncomputed:
        if column >= MAX_COLUMNS or line < 1:
            continue
        cells = by_line.get(line)
        if cells is None:  # calamine leaves out of its range a row whose only cells have no value
            cells = by_line[line] = []
        cells.extend([None] * (column + 1 - len(cells)))
        cells[column] = UNCOMPUTED if how == "formula" else FORMULA_ERROR
        formulas.append((line, column))
    if len(by_line) != len(lines):
        lines = sorted(by_line.items())
    shaped = shape_sheet(path, lines, recognise, _NAMES[suffix])
    shaped.formulas = formulas
    shaped.sheet_name = sheet.name if index else ""
    return shaped
