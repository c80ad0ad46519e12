"""Reading what partners send (a workbook or a CSV file) into a header and data rows, guarded and explained."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvdesk.exchange.cycle_collector import collector_paused
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_fields import fold

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
# Everything read_sheet reads, for the command line and the window's file filter.
SHEET_SUFFIXES = WORKBOOK_SUFFIXES + TEXT_SUFFIXES
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200
# Partners put a title, a date or a logo's caption above the table: the header is looked for this far down.
HEADER_SEARCH_ROWS = 30


@dataclass
class Sheet:
    path: Path
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number as the user sees it, cells)
    encoding: str = ""
    delimiter: str = ""
    # Rows left out of `rows` and why (a total, a note under the table), for the preview's points to check.
    skipped: list[tuple[int, str]] = field(default_factory=list)
    header_line: int = 1
    # Formula cells the file holds without a computed value, as (line, column index): never read as 0.
    formulas: list[tuple[int, int]] = field(default_factory=list)
    # The sheet read when it is not the workbook's first ("" otherwise, and for a text file).
    sheet_name: str = ""
    # Every cell a str, as the csv module reads a text file (a workbook's cells are numbers, dates, booleans too).
    texts_only: bool = False


def sheet_filter() -> str:
    """The file dialog's filter for what read_sheet reads ("Tableurs (*.xlsx *.xls …)")."""
    return "Tableurs (" + " ".join(f"*{suffix}" for suffix in SHEET_SUFFIXES) + ")"


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _blank(cells: list[Any]) -> bool:
    return _first_filled(cells) is None


def _header_index(lines: list[tuple[int, list[Any]]], recognise: Callable[[list[str]], int] | None) -> int:
    """Among the first rows, the one recognise() finds the most known column names in; else the first non-empty."""
    first = next((index for index, (_, cells) in enumerate(lines) if not _blank(cells)), None)
    if first is None:
        return -1
    if recognise is None:
        return first
    best, best_score = first, 0
    for index, (_, cells) in enumerate(lines[:HEADER_SEARCH_ROWS]):
        if _blank(cells):
            continue
        score = recognise([_text(value) for value in cells])
        if score > best_score:  # ties keep the upper row
            best, best_score = index, score
    return best


_TOTAL = re.compile(r"(?:sous total|total|totaux|somme|montant total)\b")
# Labels no association or action bears: a row under them is a total wherever it stands.
_TOTAL_INITIALS = "tTsSmM"
_SURE_TOTALS = ("total", "totaux", "total general", "montant total", "somme", "total des subventions")


def _first_filled(cells: list[Any]) -> Any:
    """The first cell that is not blank, or None for a blank row (one call a row: files run to 200,000 rows)."""
    for value in cells:
        if value is None or value == "" or (value.__class__ is str and not value.strip()):
            continue
        return value
    return None


def _total_label(first: Any) -> str:
    """The folded first filled cell when it opens like a total (« TOTAL », « Sous-total Nord »), else ""."""
    # Most rows open with a name or a code: fold (slow, unicodedata) only what may read « total », « somme »…
    if first.__class__ is not str or first.lstrip()[:1] not in _TOTAL_INITIALS:
        return ""
    folded = fold(first)
    return folded if _TOTAL.match(folded) else ""


def _filled(cells: list[Any]) -> int:
    return sum(1 for value in cells if _text(value))


def _data_rows(lines: list[tuple[int, list[Any]]], width: int,
               skipped: list[tuple[int, str]]) -> list[tuple[int, list[Any]]]:
    """The rows under the header without blank rows, totals rows, and the notes written under the table."""
    filled = []  # the positions of the rows that are not blank
    marked: dict[int, tuple[str, bool]] = {}  # filled's index -> (total label, after a blank row), when either
    after_blank = False
    for position, (line, cells) in enumerate(lines):
        first = cells[0] if cells else None
        # Most rows open with a filled cell that cannot read « total »: one look at it (files run to 200,000 rows).
        if not (first.__class__ is str and first and not first[0].isspace() and first[0] not in _TOTAL_INITIALS):
            first = _first_filled(cells)
            if first is None:
                after_blank = True
                continue
            label = _total_label(first)
            if label or after_blank:
                marked[len(filled)] = (label, after_blank)
        elif after_blank:
            marked[len(filled)] = ("", True)
        filled.append(position)
        after_blank = False
    # The table ends at its last row that is neither a total nor a lone note under a blank row.
    end = len(filled)
    while end:
        line, cells = lines[filled[end - 1]]
        label, gap_before = marked.get(end - 1, ("", False))
        if label:
            skipped.append((line, "ligne de total laissée de côté"))
        elif width >= 3 and gap_before and _filled(cells) == 1:
            skipped.append((line, "note sous le tableau laissée de côté"))
        else:
            break
        end -= 1
    dropped = set()
    for index, (label, _) in marked.items():
        line, cells = lines[filled[index]]
        # Inside the table only a sure total is left out: « Total Sport », with its address filled, is a club.
        if index < end and label and (label.startswith("sous total") or label in _SURE_TOTALS
                                      or _filled(cells) * 2 <= width):
            skipped.append((line, "ligne de sous-total laissée de côté"))
            dropped.add(index)
    skipped.sort()
    if end == len(lines) and not dropped:
        return list(lines)  # every row kept (most files)
    return [lines[position] for index, position in enumerate(filled[:end]) if index not in dropped]


def _without_repeated_headers(rows: list[tuple[int, list[Any]]], header: list[str],
                              skipped: list[tuple[int, str]]) -> list[tuple[int, list[Any]]]:
    """The rows without the copies of the header a workbook in sections puts above each of them (Montpellier's:
    « Code | Structure | … »): a row whose filled cells, two at least, are the header's names in their places."""
    named = [(index, name.casefold()) for index, name in enumerate(header) if name]
    if len(named) < 2:
        return rows
    first, first_name = named[0]
    repeated = set()
    for position, (line, cells) in enumerate(rows):
        # One look at the first named column for most rows; the whole row only when it holds that column's name.
        cell = cells[first] if first < len(cells) else None
        if cell.__class__ is str and cell.strip().casefold() == first_name:
            filled = [(index, _text(value).casefold()) for index, value in enumerate(cells) if _text(value)]
            if len(filled) >= 2 and all(index < len(header) and header[index].casefold() == value
                                        for index, value in filled):
                skipped.append((line, "en-tête répété au-dessus d'une section laissé de côté"))
                repeated.add(position)
    if not repeated:
        return rows  # (most files: no copy of 200,000 rows)
    return [row for position, row in enumerate(rows) if position not in repeated]


def shape_sheet(path: Path, lines: list[tuple[int, list[Any]]], recognise: Callable[[list[str]], int] | None,
                encoding: str, delimiter: str = "") -> Sheet:
    """A Sheet from every line of a file: its header found, its data rows kept, its totals and notes set aside."""
    index = _header_index(lines, recognise)
    if index < 0:
        raise ExchangeError(f"Le fichier {path} est vide : il faut une ligne d'en-tête avec les noms des colonnes.")
    header_line, cells = lines[index]
    header = [_text(value) for value in cells]
    while header and not header[-1]:
        header.pop()
    skipped: list[tuple[int, str]] = []
    rows = _data_rows(lines[index + 1:], sum(1 for name in header if name), skipped)
    rows = _without_repeated_headers(rows, header, skipped)
    skipped.sort()
    return Sheet(path, header, rows, encoding, delimiter, skipped, header_line)




def read_sheet(path: Path, recognise: Callable[[list[str]], int] | None = None) -> Sheet:
    """The table of a workbook (.xlsx, .xlsm, .xls, .ods) or a text file (.csv, .tsv, .txt), its header found by
    recognise, its totals and notes set aside (Sheet.skipped).

    recognise(cells) counts the known column names in a row; the header is the row among the first 30 where it
    counts most (the first non-empty row without it), and in a workbook the sheet where it counts most (the first
    one without it). The file is read as what its first bytes show, whatever its name says. ExchangeError names
    the file, and the line where it can, when the file cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ExchangeError(f"Le fichier {path} n'existe pas.")
    suffix = path.suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        raise ExchangeError(f"Le fichier {path} doit être un classeur ({', '.join(WORKBOOK_SUFFIXES)}) "
                            f"ou un fichier texte ({', '.join(TEXT_SUFFIXES)}).")
    content = _content_format(path)
    if content in WORKBOOK_SUFFIXES:
        from cvdesk.exchange.workbook_reader import read_workbook

        with collector_paused():
            return read_workbook(path, recognise, content)
    if suffix in WORKBOOK_SUFFIXES and content == "web":
        raise ExchangeError(f"Le fichier {path} est une page web (HTML ou XML) nommée comme un classeur, comme en "
                            "produisent certains logiciels (« export Excel ») : ouvrez-le dans votre tableur, "
                            "enregistrez-le au format .xlsx ou .ods, puis importez cette copie.")
    if suffix in WORKBOOK_SUFFIXES and suffix != ".xls":
        from cvdesk.exchange.workbook_reader import read_workbook

        return read_workbook(path, recognise)  # neither a ZIP nor text that could be a table: it says so
    from cvdesk.exchange.csv_reader import read_csv

    # Text: a CSV, or the tab-separated « export Excel » that many programs name .xls.
    with collector_paused():
        return read_csv(path, recognise)


_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _content_format(path: Path) -> str:
    """What the first bytes show: ".xlsx", ".ods", ".xls" (OLE2, or an encrypted workbook), "web" or "text"."""
    with path.open("rb") as stream:
        head = stream.read(512)
    if head.startswith(_ZIP):
        # An OpenDocument file stores its media type first, uncompressed.
        return ".ods" if b"application/vnd.oasis.opendocument.spreadsheet" in head else ".xlsx"
    if head.startswith(_OLE2):
        return ".xls"
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return "web" if start[:1] == b"<" else "text"
