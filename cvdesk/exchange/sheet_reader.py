"""Reading a spreadsheet (XLSX, or CSV with ';' or ',' in UTF-8 or cp1252) into a header and rows, guarded."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.zipguard import open_checked_zip

MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_XLSX_MEMBER = 500 * 1024 * 1024
MAX_ROWS = 1_000_000
MAX_COLUMNS = 200


@dataclass
class Sheet:
    path: Path
    header: list[str]
    rows: list[tuple[int, list[Any]]]  # (line number as the user sees it, cells)
    encoding: str = ""
    delimiter: str = ""


def _decode(raw: bytes, path: Path) -> tuple[str, str]:
    if b"\0" in raw[:65536]:
        raise ExchangeError(f"Le fichier {path} n'est pas un tableur CSV (il contient des octets binaires).")
    if raw.startswith(b"\xef\xbb\xbf"):
        try:
            return raw[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError as exc:
            raise ExchangeError(f"Le fichier {path} annonce l'UTF-8 mais contient un octet invalide "
                                f"(position {exc.start}).") from None
    try:
        return raw.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError as exc:
        raise ExchangeError(f"Le fichier {path} n'est ni en UTF-8 ni en Windows-1252 "
                            f"(octet illisible à la position {exc.start}).") from None


def _read_csv(path: Path) -> Sheet:
    if path.stat().st_size > MAX_CSV_BYTES:
        raise ExchangeError(f"Le fichier {path} dépasse {MAX_CSV_BYTES // (1024 * 1024)} Mo : trop gros pour un tableur.")
    text, encoding = _decode(path.read_bytes(), path)
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count) if first else ";"
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines = []
        for cells in reader:
            if len(lines) > MAX_ROWS:
                raise ExchangeError(f"Le fichier {path} a plus de {MAX_ROWS} lignes : trop pour un import.")
            lines.append((reader.line_num, cells))
    except csv.Error as exc:
        raise ExchangeError(f"Le fichier {path}, ligne {reader.line_num} : CSV illisible ({exc}).") from None
    if not lines:
        raise ExchangeError(f"Le fichier {path} est vide : il faut une ligne d'en-tête avec les noms des colonnes.")
    header = [cell.strip() for cell in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    rows = [(number, cells) for number, cells in lines[1:] if any(cell.strip() for cell in cells)]
    return Sheet(path, header, rows, encoding, delimiter)


def _read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # openpyxl guards against XML bombs only through defusedxml
        raise ExchangeError("La lecture des classeurs XLSX demande le module defusedxml : installez-le.")
    open_checked_zip(path, "un classeur XLSX", max_member=MAX_XLSX_MEMBER, max_total=MAX_XLSX_MEMBER).close()
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ExchangeError(f"Le fichier {path} n'est pas un classeur XLSX lisible ({type(exc).__name__}).") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ExchangeError(f"Le fichier {path} ne contient aucune feuille.")
        lines: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            if number > MAX_ROWS:
                raise ExchangeError(f"Le fichier {path} a plus de {MAX_ROWS} lignes : trop pour un import.")
            lines.append((number, list(values)))
    except ExchangeError:
        raise
    except Exception as exc:
        raise ExchangeError(f"Le fichier {path} n'est pas un classeur XLSX lisible ({type(exc).__name__}).") from None
    finally:
        workbook.close()
    while lines and not any(v not in (None, "") for v in lines[0][1]):
        lines.pop(0)
    if not lines:
        raise ExchangeError(f"Le fichier {path} est vide : il faut une ligne d'en-tête avec les noms des colonnes.")
    header = ["" if v is None else str(v).strip() for v in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    rows = [(n, cells) for n, cells in lines[1:] if any(v not in (None, "") for v in cells)]
    return Sheet(path, header, rows, "XLSX", "")


def read_sheet(path: Path) -> Sheet:
    """The first sheet of an XLSX file, or a CSV file; ExchangeError names the file when it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ExchangeError(f"Le fichier {path} n'existe pas.")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt"):
        return _read_csv(path)
    raise ExchangeError(f"Le fichier {path} doit être un classeur .xlsx ou un fichier .csv.")
