"""Reading a CSV or text table as partners' tools write it: UTF-8 (with or without BOM), Windows-1252 or UTF-16,
separated by ';', ',' or tabs."""
from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import count, islice
from operator import itemgetter
from pathlib import Path

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_reader import MAX_ROWS, Sheet, shape_sheet

MAX_CSV_BYTES = 200 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
_DELIMITER_NAMES = {";": "point-virgule", ",": "virgule", "\t": "tabulation"}
_SNIFF_LINES = 40
_SNIFF_CHARS = 256 * 1024
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


def _utf16_without_bom(raw: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes look like UTF-16 text without its mark (every other byte zero)."""
    sample = raw[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.6 and even.count(0) < len(even) * 0.1:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.6 and odd.count(0) < len(odd) * 0.1:
        return "utf-16-be"
    return None


def decode(raw: bytes, path: Path) -> tuple[str, str]:
    """The text of the file and the name of its encoding; ExchangeError names the file and the place otherwise."""
    boms = ((b"\xef\xbb\xbf", "utf-8", "UTF-8 (BOM)"), (b"\xff\xfe", "utf-16-le", "UTF-16 (texte Unicode)"),
            (b"\xfe\xff", "utf-16-be", "UTF-16 (texte Unicode)"))
    for bom, codec, name in boms:
        if raw.startswith(bom):
            try:
                return raw[len(bom):].decode(codec), name
            except UnicodeDecodeError as exc:
                if codec == "utf-8":
                    # Seen in a département's publication: a UTF-8 mark put before Windows-1252 text by a converter.
                    try:
                        return raw[len(bom):].decode("cp1252"), "Windows-1252 (après une marque UTF-8)"
                    except UnicodeDecodeError:
                        pass
                raise ExchangeError(f"Le fichier {path} annonce l'encodage {name} mais contient un octet invalide "
                                    f"(position {exc.start + len(bom)}).") from None
    codec = _utf16_without_bom(raw)
    if codec:
        try:
            return raw.decode(codec), "UTF-16 (texte Unicode)"
        except UnicodeDecodeError:
            pass
    if b"\0" in raw[:65536]:
        raise ExchangeError(f"Le fichier {path} n'est pas un tableur CSV (il contient des octets binaires).")
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ExchangeError(f"Le fichier {path}, ligne {line} : ni UTF-8 ni Windows-1252 "
                            f"(octet illisible à la position {exc.start}).") from None


def sniff_delimiter(text: str) -> str:
    """The separator that draws the most columns on the most lines alike.

    Titles above the table have none, and the decimal commas of amounts ("1 234,56") are fewer than the
    separators of a row, so neither wins."""
    # Separators inside quotes ("Dupont, Durand") are text, not columns; a quote cut by the sample's end stays.
    sample = _QUOTED.sub("", text[:_SNIFF_CHARS])
    lines = [line for line in sample.splitlines()[:_SNIFF_LINES] if line.strip()]
    best, best_score = ";", 0
    for delimiter in DELIMITERS:
        counts = Counter(line.count(delimiter) for line in lines)
        counts.pop(0, None)
        score = max((per_line * agreeing for per_line, agreeing in counts.items()), default=0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _swallowed(cells: list[str], delimiter: str, width: int) -> int | None:
    """The position of a cell that an unbalanced quote made swallow the rows after it, or None.

    Inside such a cell, a line after a line break holds a row's worth of separators. (A quoted cell whose own
    text did so would be taken for one: no partner's cell was seen to.)"""
    for position, cell in enumerate(cells):
        if "\n" in cell and any(line.count(delimiter) >= max(width - 1, 1) for line in cell.split("\n")[1:]):
            return position
    return None


def _quote_line(start: int, cells: list[str], position: int) -> int:
    return start + sum(cell.count("\n") for cell in cells[:position])


def _lines(text: str) -> Iterator[str]:
    """The text's lines with their end, for csv.reader: lighter than a StringIO, which holds 4 bytes a character."""
    if "\n" not in text:
        text = text.replace("\r", "\n")  # the old Macintosh line end
    start, find = 0, text.find
    while True:
        end = find("\n", start)
        if end < 0:
            if start < len(text):
                yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _open_quote(path: Path, line: int) -> str:
    return (f"Le fichier {path}, ligne {line} : un guillemet ouvert n'est pas refermé et avale les lignes "
            "suivantes ; corrigez ce guillemet (ou doublez-le s'il fait partie du texte).")


def read_csv(path: Path, recognise: Callable[[list[str]], int] | None = None) -> Sheet:
    """Every line of the file through shape_sheet; a quote left open is refused with the line where it opened."""
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ExchangeError(f"Le fichier {path} dépasse {MAX_CSV_BYTES // (1024 * 1024)} Mo : trop gros pour un tableur.")
    text, encoding = decode(path.read_bytes(), path)
    delimiter = sniff_delimiter(text)
    lines = _one_line_records(text, delimiter)
    if lines is None:
        lines = _records(path, text, delimiter)
    sheet = shape_sheet(path, lines, recognise, encoding, delimiter)
    sheet.texts_only = True  # the csv module's cells
    # The header's own cells, unnamed ones at its end included (a column left without a name may hold notes).
    width = max(len(sheet.header), next((len(cells) for line, cells in lines if line == sheet.header_line), 0))
    _refuse_overflowing_rows(sheet, width)
    return sheet


def _one_line_records(text: str, delimiter: str) -> list[tuple[int, list[str]]] | None:
    """The records with their line numbers when each is one line of the file (no quoted line break, no quote left
    open), read by one C loop; None otherwise, or on anything _records has a sentence for."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        records = list(islice(reader, MAX_ROWS + 1))
    except csv.Error:
        return None
    if len(records) > MAX_ROWS or reader.line_num != len(records):
        return None
    return list(zip(count(1), records))


def _records(path: Path, text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Each record with the line where it starts; a quote left open is refused with the line where it opened."""
    reader = csv.reader(_lines(text), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    spanning: list[int] = []  # the records over several lines, checked once the table's width is known
    start = 1
    try:
        for cells in reader:
            if len(lines) >= MAX_ROWS:
                raise ExchangeError(f"Le fichier {path} a plus de {MAX_ROWS} lignes : trop pour un import.")
            if reader.line_num > start:  # a quoted line break, or a quote left open
                spanning.append(len(lines))
            lines.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):  # 128 kB swallowed by a quote: it opened on this record
            raise ExchangeError(_open_quote(path, start)) from None
        raise ExchangeError(f"Le fichier {path}, ligne {reader.line_num} : cette ligne n'est pas lisible comme une "
                            f"ligne de tableur (séparateur {_DELIMITER_NAMES[delimiter]}).") from None
    if spanning:
        # The table's width: the commonest number of cells among the first records (the wider on a tie).
        counts = Counter(len(cells) for _, cells in lines[:_SNIFF_LINES])
        width = max(counts.items(), key=lambda item: (item[1], item[0]))[0]
        for index in spanning:
            line, cells = lines[index]
            position = _swallowed(cells, delimiter, width)
            if position is not None:
                raise ExchangeError(_open_quote(path, _quote_line(line, cells, position)))
    return lines


def _refuse_overflowing_rows(sheet: Sheet, width: int) -> None:
    """A row with filled cells past its header is read one column off from its first separator inside a value:
    refused, naming it. (The Vendée separates by commas and writes « 24 975,00 » without quotes: each row has a cell
    more than its header, and its notificationUE would have been read as the beneficiary's share.)"""
    if not sheet.rows or max(map(len, map(itemgetter(1), sheet.rows))) <= width:
        return  # (most files: one C loop over the rows' widths)
    overflowing = [(line, len(cells)) for line, cells in sheet.rows
                   if len(cells) > width and any(value.strip() for value in cells[width:])]
    if not overflowing:
        return
    line, cells = overflowing[0]
    separator = _DELIMITER_NAMES[sheet.delimiter]
    more = f" ({len(overflowing)} lignes en tout)" if len(overflowing) > 1 else ""
    example = " (un montant écrit « 1 234,56 » dans un fichier séparé par des virgules ?)" if separator == "virgule" else ""
    raise ExchangeError(
        f"Le fichier {sheet.path}, ligne {line} : {cells} cellules pour les {width} colonnes de l'en-tête{more} ; une "
        f"valeur contient sans doute le séparateur ({separator}) sans être entre guillemets{example} : mettez ces "
        "valeurs entre guillemets, ou enregistrez le fichier avec un autre séparateur.")
