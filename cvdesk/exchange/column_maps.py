"""Column mappings: remembered per header set in the base's settings, or read from a mapping file (command line).

Why the base's settings rather than a file beside the user's other preferences: a mapping belongs with the base the
partner's files go into. It follows the base to another computer and into its backups, the command line (--db)
sees what the window remembered, and the setting table is never exchanged with other offices. Its key is the set of
the file's folded headers, so the same columns in another order, or « N° SIRET » written « n° siret », map the same.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_fields import IMPORTS, fold
from cvdesk.exchange.sheet_preview import field_key, field_names

PREFIX = "columns:"
MAX_MAPPING_BYTES = 1024 * 1024
# A first row naming the two columns of a CSV mapping file, skipped when it reads like one of these.
CSV_HEADINGS = {("colonne", "champ"), ("colonne du tableur", "champ de cvdesk"), ("column", "field"),
                ("en tete", "champ"), ("entete", "champ")}


def header_key(kind: str, header: list[str]) -> str:
    names = sorted({fold(h) for h in header if fold(h)})
    digest = hashlib.sha256("\n".join(names).encode()).hexdigest()[:32]
    return f"{PREFIX}{kind}:{digest}"


def remembered_columns(kind: str, header: list[str]) -> dict[str, str] | None:
    """The mapping chosen last time for a file with these headers (header as this file spells it -> field key)."""
    from cvdesk.store.settings import get_setting

    raw = get_setting(header_key(kind, header))
    if not raw or kind not in IMPORTS:
        return None
    try:
        stored = json.loads(raw)
    except ValueError:
        return None
    fields = IMPORTS[kind][1]
    by_fold = {fold(h): h for h in reversed(header) if fold(h)}
    if not isinstance(stored, dict):
        return None
    out: dict[str, str] = {}
    for folded, key in stored.items():
        # A mapping a later version cannot honour (a field renamed since) is dropped whole, never half applied.
        if not isinstance(key, str) or field_key(key, fields) is None or folded not in by_fold:
            return None
        out[by_fold[folded]] = field_key(key, fields) or ""
    return out


def remembered_names(kind: str) -> set[str]:
    """Every folded header of the mappings remembered for this kind: they help find a file's header row."""
    from cvdesk.store.connection import execute_sql

    names: set[str] = set()
    for (raw,) in execute_sql("SELECT value FROM setting WHERE key LIKE ?", (f"{PREFIX}{kind}:%",)):
        try:
            stored = json.loads(raw)
        except ValueError:
            continue
        if isinstance(stored, dict):
            names.update(name for name in stored if isinstance(name, str))
    return names


def remember_columns(kind: str, header: list[str], columns: dict[str, str]) -> None:
    """Keep the mapping for the next file with the same headers (columns: header -> field key, "" ignored)."""
    from cvdesk.store.settings import set_setting

    stored = {fold(h): key for h, key in columns.items() if fold(h)}
    set_setting(header_key(kind, header), json.dumps(stored, ensure_ascii=False, sort_keys=True))


def read_columns_file(path: Path, kind: str) -> dict[str, str]:
    """A mapping file: JSON {"column": "field"} or CSV lines « column;field » (a field by its key or French label,
    empty to ignore the column). ExchangeError names the file and the line or the column at fault."""
    path = Path(path)
    where = f"Le fichier de correspondance des colonnes {path}"
    if not path.is_file():
        raise ExchangeError(f"{where} n'existe pas (argument --columns).")
    if path.stat().st_size > MAX_MAPPING_BYTES:
        raise ExchangeError(f"{where} dépasse 1 Mo : ce n'est pas une correspondance de colonnes.")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    suffix = path.suffix.lower()
    if suffix == ".json":
        pairs = _json_pairs(text, where)
    elif suffix in (".csv", ".txt", ".tsv"):
        pairs = _csv_pairs(text, where)
    else:
        raise ExchangeError(f"{where} doit être un fichier .json ou .csv (colonne du tableur, champ de cvdesk).")
    label, fields = IMPORTS[kind]
    out: dict[str, str] = {}
    seen: dict[str, tuple[str, str]] = {}  # folded header -> (where, header)
    owners: dict[str, tuple[str, str]] = {}  # field key -> (where, header)
    for place, name, target in pairs:
        if not isinstance(target, str):
            raise ExchangeError(f"{where}, {place} : le champ de la colonne « {name} » doit être un texte (le nom "
                                "d'un champ, ou \"\" pour ignorer la colonne).")
        if not fold(name):
            raise ExchangeError(f"{where}, {place} : le nom de la colonne du tableur est vide.")
        key = field_key(target, fields)
        if key is None:
            raise ExchangeError(f"{where}, {place} : « {target} » n'est pas un champ de l'import « {label} » "
                                f"(champs : {field_names(fields)}).")
        if fold(name) in seen:
            raise ExchangeError(f"{where}, {place} : la colonne « {name} » est déjà nommée "
                                f"{seen[fold(name)][0]} (« {seen[fold(name)][1]} »).")
        if key and key in owners:
            raise ExchangeError(f"{where}, {place} : le champ « {target} » est déjà rempli par la colonne "
                                f"« {owners[key][1]} » ({owners[key][0]}) ; une seule colonne peut le remplir.")
        seen[fold(name)] = (place, name)
        if key:
            owners[key] = (place, name)
        out[name] = key
    if not out:
        raise ExchangeError(f"{where} ne nomme aucune colonne.")
    return out


def _json_pairs(text: str, where: str) -> list[tuple[str, str, object]]:
    try:
        data = json.loads(text, object_pairs_hook=list)
    except json.JSONDecodeError as exc:
        raise ExchangeError(f"{where}, ligne {exc.lineno} : JSON illisible près du caractère {exc.colno}.") from None
    if not isinstance(data, list) or (data and not isinstance(data[0], tuple)):
        raise ExchangeError(f"{where} doit contenir un objet JSON {{\"colonne du tableur\": \"champ\", …}}.")
    pairs = []
    for name, target in data:
        found = text.find(json.dumps(name, ensure_ascii=False))
        place = f"ligne {text.count(chr(10), 0, found) + 1}" if found >= 0 else f"colonne « {name} »"
        pairs.append((place, name, target))
    return pairs


def _csv_pairs(text: str, where: str) -> list[tuple[str, str, object]]:
    first = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    pairs: list[tuple[str, str, object]] = []
    first_row = True
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            place = f"ligne {reader.line_num}"
            if len(cells) > 2:
                raise ExchangeError(f"{where}, {place} : {len(cells)} cases, attendu deux (la colonne du tableur, "
                                    "puis le champ de cvdesk).")
            name, target = cells[0], cells[1] if len(cells) > 1 else ""
            if first_row and (fold(name), fold(target)) in CSV_HEADINGS:
                first_row = False
                continue
            first_row = False
            pairs.append((place, name, target))
    except csv.Error:
        raise ExchangeError(f"{where}, ligne {reader.line_num} : ligne CSV illisible (guillemet non fermé ?).") from None
    return pairs
