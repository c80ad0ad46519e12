"""The attribuant of a whole SCDL file named by the user, for the publications that leave the column out (a
département's own file): an existing funder found by name, short name or SIRET, or a new one by its name."""
from __future__ import annotations

import dataclasses
from pathlib import Path

from cvdesk.domain.identifiers import digits_only
from cvdesk.exchange.errors import ExchangeError
from cvdesk.exchange.sheet_fields import IMPORTS, fold
from cvdesk.exchange.sheet_preview import RowError, SheetPreview, checked_columns, match_columns
from cvdesk.exchange.sheet_reader import Sheet, read_sheet
from cvdesk.store.models import db

KIND = "scdl"
# The column added to every row: a name the SCDL import recognises as the attribuant's.
ATTRIBUANT_COLUMN = "Attribuant"
ATTRIBUANT_LABEL = "Nom de l'attribuant"
OPTION_HINT = ("indiquez qui a publié le fichier avec --attribuant (par exemple --attribuant \"Département des "
               "Pyrénées-Orientales\" : un financeur de la base par son nom, son sigle ou son SIRET, ou un nouveau)")


def funder_choices() -> list[str]:
    """The base's live funders' names, in the order of the funders' list, for the window's question."""
    return [name for (name,) in db.execute_sql("SELECT name FROM funder WHERE deleted = 0 ORDER BY position, name")]


def resolve_attribuant(given: str) -> tuple[str, bool]:
    """The funder's name the file's rows will carry, and whether the base holds it: the base's funder whose name,
    short name or SIRET this is (its name as the base writes it), else the text itself for a new funder.
    ExchangeError for an empty text or a SIRET no funder of the base has (a new funder needs its name)."""
    text = " ".join(given.split())
    if not text:
        raise ExchangeError("Le nom de l'attribuant est vide : indiquez le nom, le sigle ou le SIRET du financeur qui a "
                            "publié le fichier.")
    digits = digits_only(text)
    if len(digits) in (9, 14) and len(digits) >= len(text.replace(" ", "")) - 1:
        column = "siret" if len(digits) == 14 else "siren"
        found = db.execute_sql(f"SELECT name FROM funder WHERE deleted = 0 AND {column} = ? ORDER BY id",
                               (digits,)).fetchone()
        if found is None:
            raise ExchangeError(f"Aucun financeur de la base n'a le {column.upper()} {digits} : indiquez le nom de "
                                "l'attribuant (il sera créé s'il n'existe pas).")
        return found[0], True
    key = fold(text)
    for name, short_name in db.execute_sql("SELECT name, short_name FROM funder WHERE deleted = 0 ORDER BY id"):
        if key in (fold(name), fold(short_name or "")):
            return name, True
    return text, False


def with_attribuant(sheet: Sheet, name: str) -> Sheet:
    """The sheet with one more column naming this attribuant on every row."""
    return dataclasses.replace(sheet, header=[*sheet.header, ATTRIBUANT_COLUMN],
                               rows=[(line, [*cells, *[""] * (len(sheet.header) - len(cells)), name])
                                     for line, cells in sheet.rows])


def lacks_attribuant(preview: SheetPreview) -> bool:
    """Whether the file was refused only for want of an attribuant column: the case --attribuant answers."""
    return preview.kind == KIND and preview.missing == [ATTRIBUANT_LABEL]


def read_for_scdl(path: Path, columns: dict[str, str] | None = None) -> Sheet:
    """The file read as preview_sheet reads it for the SCDL kind (its header found among the first rows)."""
    from cvdesk.exchange.column_maps import remembered_names

    known = {fold(a) for f in IMPORTS[KIND][1] for a in (f.label, *f.aliases)}
    known |= {fold(name) for name in columns or {}} | remembered_names(KIND)
    known.discard("")
    return read_sheet(Path(path), lambda cells: sum(1 for c in cells if fold(c) in known))


def check_with_attribuant(sheet: Sheet, attribuant: str, columns: dict[str, str] | None = None) -> SheetPreview:
    """The preview of a file without attribuant column, every grant given by this funder (resolve_attribuant);
    ExchangeError when the file has its own attribuant column (each row names its own: nothing to add)."""
    from cvdesk.exchange.column_maps import remembered_columns
    from cvdesk.exchange.sheet_import import check_sheet

    label, fields = IMPORTS[KIND]
    mapping = columns if columns is not None else remembered_columns(KIND, sheet.header)
    chosen = checked_columns(mapping, sheet.header, fields, sheet.path, label) if mapping else None
    if "funder_name" in match_columns(sheet.header, fields, chosen)[0]:
        raise ExchangeError(f"Le fichier {sheet.path} a déjà une colonne d'attribuant : chaque subvention y nomme le "
                            "sien ; --attribuant ne sert qu'aux fichiers qui n'en ont pas.")
    name, known = resolve_attribuant(attribuant)
    preview = check_sheet(with_attribuant(sheet, name), KIND, mapping or None)
    said = "un financeur de la base" if known else "un nouveau financeur"
    preview.warnings.insert(0, RowError(sheet.header_line, ATTRIBUANT_COLUMN, (
        f"le fichier n'a pas de colonne d'attribuant : toutes ses subventions sont attribuées par « {name} » "
        f"({said}), comme indiqué à l'import.")))
    return preview


def preview_scdl(path: Path, attribuant: str | None = None, columns: dict[str, str] | None = None) -> SheetPreview:
    """preview_sheet(path, "scdl", columns), with the attribuant of every grant given when the file has no column
    for it."""
    from cvdesk.exchange.sheet_import import preview_sheet

    if attribuant is None:
        return preview_sheet(path, KIND, columns)
    return check_with_attribuant(read_for_scdl(path, columns), attribuant, columns)
