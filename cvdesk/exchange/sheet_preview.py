"""What an import would do, shown before it does it: the columns matched, the rows checked, the errors by line."""
from __future__ import annotations

import operator
from bisect import bisect_left
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any, Sequence

from cvdesk.domain.identifiers import check_rna, check_siren, check_siret
from cvdesk.domain.numbers import grouped
from cvdesk.exchange.cell_values import CellError, Unreadable, cell_parser, text_column_reader
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_fields import IMPORTS, Field, fold
from cvdesk.exchange.sheet_reader import Sheet

SAMPLE_ROWS = 20  # the first rows kept with a preview, for the column-mapping step to show
SHOWN_ERRORS = 200
# Where the column mapping came from, as lines() tells it.
GIVEN, REMEMBERED = "given", "remembered"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str
    value: str = ""  # the cell as the file holds it, when one cell is at fault

    def sentence(self, path: Path) -> str:
        where = f", colonne « {self.column} »" if self.column else ""
        return f"{path}, ligne {self.line}{where} : {self.reason}"


@dataclass
class Item:
    line: int
    values: dict[str, Any]
    existing_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


_RECORD_WORDS = {"funder": ("financeur", "financeurs"), "association": ("association", "associations"),
                 "action": ("action", "actions")}


@dataclass
class SheetPreview:
    path: Path
    kind: str
    encoding: str
    mapping: list[tuple[str, str | None]]  # each header and the field it feeds (None: ignored)
    missing: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    rows: int = 0
    # Rows that import but deserve a look (a doubtful match, a total row left out…); they never stop the import.
    warnings: list[RowError] = field(default_factory=list)
    # What the column-mapping step shows: the file's header, its first rows, each header's field key ("" ignored).
    header: list[str] = field(default_factory=list)
    sample: list[tuple[int, list[Any]]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    columns_origin: str = ""  # GIVEN, REMEMBERED, or "" (the usual names only)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors

    @property
    def created(self) -> int:
        return sum(1 for item in self.items if item.existing_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for item in self.items if item.existing_id is not None)

    def kinds_created(self) -> str:
        """« (dont 1 financeur, 77 associations et 101 actions) » when the import creates records of several kinds (an
        SCDL file: its funders, beneficiaries and actions); empty otherwise."""
        counts: dict[str, int] = {}
        for item in self.items:
            if item.existing_id is None and "record" in item.extra:
                counts[item.extra["record"]] = counts.get(item.extra["record"], 0) + 1
        if len(counts) < 2:
            return ""
        parts = [f"{grouped(n)} {word if n < 2 else plural}" for record, (word, plural) in _RECORD_WORDS.items()
                 if (n := counts.get(record, 0))]
        return f" (dont {', '.join(parts[:-1])} et {parts[-1]})"

    def lines(self) -> list[str]:
        label = IMPORTS[self.kind][0]
        out = [f"{self.path} ({self.encoding}) : {self.rows} ligne(s) de données, import « {label} »."]
        origin = {GIVEN: " (correspondance donnée)",
                  REMEMBERED: " (correspondance mémorisée pour ces en-têtes)"}.get(self.columns_origin, "")
        out.append(f"Colonnes reconnues{origin} :")
        for header, target in self.mapping:
            out.append(f"  {header or '(sans titre)'} → {target or 'ignorée'}")
        for name in self.missing:
            out.append(f"Colonne obligatoire absente : {name}.")
        if self.errors:
            out.append(f"{len(self.errors)} erreur(s) ; rien ne sera écrit :")
            out.extend(f"  ligne {e.line}" + (f", colonne « {e.column} »" if e.column else "") + f" : {e.reason}"
                       for e in self.errors[:SHOWN_ERRORS])
        else:
            out.append(f"Prêt : {self.created} à créer{self.kinds_created()}, {self.updated} à mettre à jour.")
        if self.warnings:
            out.append(f"{len(self.warnings)} point(s) à vérifier (ils n'empêchent pas l'import) :")
            out.extend(f"  ligne {w.line}" + (f", colonne « {w.column} »" if w.column else "") + f" : {w.reason}"
                       for w in self.warnings[:SHOWN_ERRORS])
        return out

    def first_error(self) -> str:
        if self.missing:
            return (f"Le fichier {self.path} n'a pas de colonne « {self.missing[0]} » "
                    f"(noms reconnus : {', '.join(self._aliases(self.missing[0]))}).")
        sentence = "Le fichier " + self.errors[0].sentence(self.path)
        if len(self.errors) > 1:
            sentence = sentence.rstrip(".") + f" ({len(self.errors)} erreurs en tout)."
        return sentence

    def _aliases(self, label: str) -> list[str]:
        return [a for f in IMPORTS[self.kind][1] if f.label == label for a in f.aliases][:4]


def field_key(name: str, fields: tuple[Field, ...]) -> str | None:
    """The key of the field a mapping names, by its key or its French label ("name", "Nom"); "" ignores the column;
    None when no field of the import bears that name."""
    folded = fold(name)
    if folded in ("", "ignoree", "ignore"):
        return ""
    return next((f.key for f in fields if folded in (fold(f.key), fold(f.label))), None)


def field_names(fields: tuple[Field, ...]) -> str:
    return ", ".join(f"{f.label} ({f.key})" for f in fields)


def checked_columns(columns: dict[str, str], header: list[str], fields: tuple[Field, ...], path: Path,
                    kind_label: str) -> dict[str, str]:
    """A given mapping (header -> field key or label, "" to ignore) checked against the file's header and the
    import's fields; ExchangeError names the column at fault. Headers are compared folded ("N° SIRET" = "n siret")."""
    in_file = {fold(h) for h in header if fold(h)}
    checked: dict[str, str] = {}
    owner: dict[str, str] = {}
    for name, target in columns.items():
        key = field_key(target, fields)
        if key is None:
            raise ExchangeError(f"La correspondance des colonnes associe « {name} » à « {target} », qui n'est pas un "
                                f"champ de l'import « {kind_label} » (champs : {field_names(fields)}).")
        if fold(name) not in in_file:
            raise ExchangeError(f"La correspondance des colonnes nomme la colonne « {name} », absente du tableur "
                                f"{path} (ses colonnes : {', '.join(h for h in header if h)}).")
        if key and key in owner:
            label = next(f.label for f in fields if f.key == key)
            raise ExchangeError(f"La correspondance des colonnes associe « {owner[key]} » et « {name} » au même "
                                f"champ « {label} » : une seule colonne peut le remplir.")
        if key:
            owner[key] = name
        checked[fold(name)] = key
    return checked


def match_columns(header: list[str], fields: tuple[Field, ...], columns: dict[str, str] | None = None
                  ) -> tuple[dict[str, int], list[tuple[str, str | None]]]:
    """Each header's field: the given mapping first (keyed by folded header, as checked_columns returns it), then
    the names people use; a field is fed by one column only, the first."""
    chosen = columns or {}
    labels = {f.key: f.label for f in fields}
    by_alias: dict[str, Field] = {}
    for f in fields:
        for alias in (f.label, *f.aliases):
            by_alias.setdefault(fold(alias), f)
    positions: dict[str, int] = {}
    targets: list[str | None] = [None] * len(header)
    decided = [False] * len(header)
    for index, name in enumerate(header):
        key = chosen.get(fold(name)) if fold(name) else None
        if key is None:
            continue
        decided[index] = True  # a column the mapping names is never guessed from its name
        if key and key not in positions:
            positions[key] = index
            targets[index] = labels[key]
    for index, name in enumerate(header):
        if decided[index]:
            continue
        target = by_alias.get(fold(name))
        if target is not None and target.key not in positions and target.key not in chosen.values():
            positions[target.key] = index
            targets[index] = target.label
    return positions, list(zip(header, targets))


def columns_of(header: list[str], positions: dict[str, int]) -> dict[str, str]:
    """The mapping as the user sees it: each header (first of its name) and its field key, "" when ignored."""
    by_index = {index: key for key, index in positions.items()}
    out: dict[str, str] = {}
    for index, name in enumerate(header):
        if name and name not in out:
            out[name] = by_index.get(index, "")
    return out


def read_cells(sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...], errors: list[RowError],
               repeated: int = 0, same: list[bool] | None = None) -> list[tuple[int, dict[str, Any]]]:
    """Each row's cells as the base holds them (None for an empty one), keyed by field; a cell that cannot be read
    is an error of its line and column. Each column's parser is chosen once (cell_parser), and an empty cell costs
    nothing more: 100,000 rows of 16 columns are 1.6 million cells.

    repeated: how many of the first fields a row may repeat from the row above (an action's cells on each of its
    funding lines). A row whose cells for them are the above row's, cell for cell of the same type, gets the
    above row's values for them (read without error there) instead of reading them again; same, when given,
    receives for each row whether it did."""
    columns = [(f.key, index, cell_parser(f.kind), sheet.header[index])
               for f in fields if (index := positions.get(f.key)) is not None]
    head_keys = {f.key for f in fields[:repeated]}
    head = [column for column in columns if column[0] in head_keys]
    tail = [column for column in columns if column[0] not in head_keys]
    if len(head) < 2 or columns[:len(head)] != head:
        head, tail = [], columns  # nothing to compare, or the values' keys would come in another order
    cells_of = itemgetter(*(index for _, index, _, _ in head)) if head else None
    reach = max((index for _, index, _, _ in head), default=0)
    lists = [key for key, _, _, _ in head if next(f.kind for f in fields if f.key == key) == "list"]
    texts_only = sheet.texts_only
    # A CSV's rows that hold every column (nearly all): read without the checks only other rows need, each text
    # of a column of codes, amounts or dates looked up by _parse_text_row itself.
    full = max((index for _, index, _, _ in columns), default=-1)
    parse_row: Any = _parse_into
    head_row: list[tuple[Any, ...]] = head
    tail_row: list[tuple[Any, ...]] = tail
    if texts_only:
        readers = {key: text_column_reader(next(f.kind for f in fields if f.key == key)) for key, _, _, _ in columns}
        parse_row = _parse_text_row
        head_row = [(key, index, *readers[key], header) for key, index, _, header in head]
        tail_row = [(key, index, *readers[key], header) for key, index, _, header in tail]
    above: tuple[Any, ...] | None = None  # the row above's cells of the head columns
    above_values: dict[str, Any] | None = None  # their values, when every one of them was read
    parsed = []
    append = parsed.append
    for line, cells in sheet.rows:
        width = len(cells)
        values: dict[str, Any] | None = None
        if cells_of is not None and width > reach:
            mine = cells_of(cells)
            # Equal is not enough: 1, 1.0 and True are equal cells of an XLSX, read differently (a CSV's cells are
            # all texts: equal ones are of one type).
            if (mine == above and above_values is not None
                    and (texts_only or all(map(operator.is_, map(type, mine), map(type, above))))):
                values = above_values.copy()
                for key in lists:  # each row its own list, as the column's parser gives it
                    if values[key] is not None:
                        values[key] = list(values[key])
                if same is not None:
                    same.append(True)
            else:
                above, above_values = mine, None
        else:
            above = above_values = None  # a short row: the next compares with nothing
        if values is None:
            if same is not None:
                same.append(False)
            values = {}
            failed = len(errors)
            if width > full:
                parse_row(values, head_row, cells, line, errors)
            else:
                _parse_into(values, head, cells, line, errors)
            if head and failed == len(errors) and width > reach:
                above_values = values.copy()
        if width > full:
            parse_row(values, tail_row, cells, line, errors)
        else:
            _parse_into(values, tail, cells, line, errors)
        append((line, values))
    return parsed


def _parse_into(values: dict[str, Any], columns: list[tuple[str, int, Any, str]], cells: Sequence[Any], line: int,
                errors: list[RowError]) -> None:
    """These columns' cells of one row read into values (None for an empty or missing cell); a cell that cannot be
    read is an error of its line and column."""
    width = len(cells)
    for key, index, parse, header in columns:
        raw = cells[index] if index < width else None
        if raw is None or raw == "":
            values[key] = None
            continue
        try:
            values[key] = parse(raw)
        except CellError as exc:
            errors.append(RowError(line, header, str(exc) + ".", shown_cell(raw)))


def _parse_text_row(values: dict[str, Any], columns: list[tuple[Any, ...]], cells: Sequence[str], line: int,
                    errors: list[RowError]) -> None:
    """_parse_into for a row of texts (a CSV's) that holds every one of these columns (key, index, parser, kept
    values, copy, header; text_column_reader's): no cell is missing, none is None, an empty one is the empty text,
    and a text already read in its column is found without calling its parser."""
    for key, index, parse, kept, copy, header in columns:
        raw = cells[index]
        if not raw:
            values[key] = None
            continue
        if kept is not None:
            found = kept.get(raw, _NOT_READ)
            if found is not _NOT_READ:
                values[key] = found if copy is None or found is None else copy(found)
                continue
        try:
            found = parse(raw)
        except CellError as exc:
            errors.append(RowError(line, header, str(exc) + ".", shown_cell(raw)))
            continue
        if kept is not None:
            kept[raw] = found
        values[key] = found if copy is None or found is None else copy(found)


_NOT_READ = object()


def header_of(sheet: Sheet, positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    return sheet.header[index] if index is not None else ""


def service_errors(line: int, sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...],
                    errors_by_field: dict[str, str], out: list[RowError]) -> None:
    if not errors_by_field:
        return
    labels = {f.key: f.label for f in fields}
    for key, message in errors_by_field.items():
        column = header_of(sheet, positions, key) or labels.get(key, "")
        out.append(RowError(line, column, message, cell_at(sheet, line, positions.get(key))))


def cell_at(sheet: Sheet, line: int, index: int | None) -> str:
    """The cell of a line and column as the file holds it, for the preview to show beside the reason."""
    if index is None:
        return ""
    found = bisect_left(sheet.rows, line, key=lambda row: row[0])  # rows keep the file's order
    if found < len(sheet.rows) and sheet.rows[found][0] == line and index < len(sheet.rows[found][1]):
        return shown_cell(sheet.rows[found][1][index])
    return ""


def shown_cell(raw: Any) -> str:
    return "" if raw is None or isinstance(raw, Unreadable) else str(raw)[:200]


def sample_errors(header: list[str], rows: list[tuple[int, list[Any]]], fields: tuple[Field, ...],
                  columns: dict[str, str]) -> tuple[list[str], list[RowError]]:
    """What a mapping gives on the first rows, without the base: the required fields no column feeds, and the
    cells that cannot be read or are empty where the field is required. The mapping step shows it as it changes."""
    positions, _ = match_columns(header, fields, {fold(h): k for h, k in columns.items()})
    missing = [f.label for f in fields if f.required and f.key not in positions]
    errors: list[RowError] = []
    sheet = Sheet(Path(), header, rows)
    for (line, values), (_, cells) in zip(read_cells(sheet, positions, fields, errors), rows):
        for f in fields:
            if f.key not in positions:
                continue
            value = values.get(f.key)
            column = header[positions[f.key]]
            if f.required and value in (None, ""):
                errors.append(RowError(line, column, f"« {f.label} » est obligatoire et la case est vide."))
            elif value and f.kind in ("siret", "rna"):
                # The identifiers' own checks need no base: a column mapped to SIRET by mistake shows at once.
                check = check_rna if f.kind == "rna" else check_siren if f.key == "siren" else check_siret
                problem = check(value)
                if problem:
                    raw = cells[positions[f.key]] if positions[f.key] < len(cells) else value
                    errors.append(RowError(line, column, problem, shown_cell(raw)))
    errors.sort(key=lambda e: e.line)
    return missing, errors
