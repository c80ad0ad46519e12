"""What an import would do, shown before it does it: the columns matched, the rows checked, the errors by line."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cvdesk.exchange.cell_values import CellError, parse_cell
from cvdesk.exchange.sheet_fields import IMPORTS, Field, fold
from cvdesk.exchange.sheet_reader import Sheet


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def sentence(self, path: Path) -> str:
        where = f", colonne « {self.column} »" if self.column else ""
        return f"{path}, ligne {self.line}{where} : {self.reason}"


@dataclass
class Item:
    line: int
    values: dict[str, Any]
    existing_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


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

    @property
    def ok(self) -> bool:
        return not self.missing and not self.errors

    @property
    def created(self) -> int:
        return sum(1 for item in self.items if item.existing_id is None)

    @property
    def updated(self) -> int:
        return sum(1 for item in self.items if item.existing_id is not None)

    def lines(self) -> list[str]:
        label = IMPORTS[self.kind][0]
        out = [f"{self.path} ({self.encoding}) : {self.rows} ligne(s) de données, import « {label} »."]
        out.append("Colonnes reconnues :")
        for header, target in self.mapping:
            out.append(f"  {header or '(sans titre)'} → {target or 'ignorée'}")
        for name in self.missing:
            out.append(f"Colonne obligatoire absente : {name}.")
        if self.errors:
            out.append(f"{len(self.errors)} erreur(s) ; rien ne sera écrit :")
            out.extend(f"  ligne {e.line}" + (f", colonne « {e.column} »" if e.column else "") + f" : {e.reason}"
                       for e in self.errors[:200])
        else:
            out.append(f"Prêt : {self.created} à créer, {self.updated} à mettre à jour.")
        if self.warnings:
            out.append(f"{len(self.warnings)} point(s) à vérifier (ils n'empêchent pas l'import) :")
            out.extend(f"  ligne {w.line}" + (f", colonne « {w.column} »" if w.column else "") + f" : {w.reason}"
                       for w in self.warnings[:200])
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


def match_columns(header: list[str], fields: tuple[Field, ...]) -> tuple[dict[str, int], list[tuple[str, str | None]]]:
    by_alias: dict[str, Field] = {}
    for f in fields:
        for alias in (f.label, *f.aliases):
            by_alias.setdefault(fold(alias), f)
    positions: dict[str, int] = {}
    mapping: list[tuple[str, str | None]] = []
    for index, name in enumerate(header):
        target = by_alias.get(fold(name))
        if target is not None and target.key not in positions:
            positions[target.key] = index
            mapping.append((name, target.label))
        else:
            mapping.append((name, None))
    return positions, mapping


def read_cells(sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...],
           errors: list[RowError]) -> list[tuple[int, dict[str, Any]]]:
    parsed = []
    for line, cells in sheet.rows:
        values: dict[str, Any] = {}
        for f in fields:
            index = positions.get(f.key)
            if index is None:
                continue
            raw = cells[index] if index < len(cells) else None
            try:
                values[f.key] = parse_cell(f.kind, raw)
            except CellError as exc:
                errors.append(RowError(line, sheet.header[index], str(exc) + "."))
        parsed.append((line, values))
    return parsed


def header_of(sheet: Sheet, positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    return sheet.header[index] if index is not None else ""


def service_errors(line: int, sheet: Sheet, positions: dict[str, int], fields: tuple[Field, ...],
                    errors_by_field: dict[str, str], out: list[RowError]) -> None:
    labels = {f.key: f.label for f in fields}
    for key, message in errors_by_field.items():
        column = header_of(sheet, positions, key) or labels.get(key, "")
        out.append(RowError(line, column, message))
