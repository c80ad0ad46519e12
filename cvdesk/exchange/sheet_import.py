"""Importing associations, quartiers, or actions with their fundings from a spreadsheet: columns matched by the
names people use, every row checked and previewed (line, column, reason) before one all-or-nothing write."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from cvdesk.exchange.action_import import prepare_actions
from cvdesk.exchange.bulk_actions import check_references, references_checked_at_end, write_new_actions
from cvdesk.exchange.errors import Cancelled, ExchangeError
from cvdesk.exchange.sheet_fields import ASSOCIATION_FIELDS, IMPORTS, QUARTIER_FIELDS, Field, fold
from cvdesk.exchange.sheet_preview import (GIVEN, REMEMBERED, SAMPLE_ROWS, Item, RowError, SheetPreview,
                                           checked_columns, columns_of, header_of, match_columns, read_cells,
                                           service_errors)
from cvdesk.exchange.sheet_reader import Sheet, read_sheet
from cvdesk.services.actions import save_action
from cvdesk.services.associations import _normalise as normalise_association, save_association
from cvdesk.services.quartiers import save_quartier
from cvdesk.services.records import SaveResult
from cvdesk.services.validation import validate_association, validate_quartier
from cvdesk.store.backups import backup_before_import
from cvdesk.store.errors import WRITE_FAILED, database_errors, describe_write_error
from cvdesk.store.lock_wait import allow_bulk_lock_wait
from cvdesk.store.models import Association, Commune, Quartier, db
from cvdesk.store.read_only import refuse_writes

__all__ = ["IMPORTS", "Field", "RowError", "SheetPreview", "apply_sheet", "check_sheet", "fold", "import_sheet",
           "preview_sheet", "register_kind"]


def _prepare_associations(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    by_siret = {a.siret: a.id for a in Association.select(Association.id, Association.siret)
                .where((Association.deleted == False) & (Association.siret != ""))}  # noqa: E712
    by_name = {fold(a.name): a.id for a in Association.select(Association.id, Association.name)
               .where(Association.deleted == False)}  # noqa: E712
    seen: dict[str, int] = {}
    for line, values in read_cells(sheet, positions, ASSOCIATION_FIELDS, preview.errors):
        values = {k: ("" if v is None and k != "active" else v) for k, v in values.items()}
        if values.get("active") is None:
            values.pop("active", None)
        if not values.get("name"):
            preview.errors.append(RowError(line, header_of(sheet, positions, "name"), "le nom est obligatoire."))
            continue
        key = values.get("siret") or fold(values["name"])
        if key in seen:
            preview.errors.append(RowError(line, "", f"cette association figure déjà ligne {seen[key]}."))
            continue
        seen[key] = line
        existing = by_siret.get(values.get("siret", "")) or by_name.get(fold(values["name"]))
        clean = normalise_association(values)
        record = Association.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, ASSOCIATION_FIELDS, validate_association(clean, record), preview.errors)
        preview.items.append(Item(line, clean, existing))


def _prepare_quartiers(sheet: Sheet, positions: dict[str, int], preview: SheetPreview) -> None:
    communes = {fold(c.name): c.id for c in Commune.select().where(Commune.deleted == False)}  # noqa: E712
    by_code = {q.code: q.id for q in Quartier.select().where(Quartier.deleted == False)}  # noqa: E712
    seen: dict[str, int] = {}
    for line, values in read_cells(sheet, positions, QUARTIER_FIELDS, preview.errors):
        code = (values.get("code") or "").upper()
        if not code:
            preview.errors.append(RowError(line, header_of(sheet, positions, "code"), "le code est obligatoire."))
            continue
        if code in seen:
            preview.errors.append(RowError(line, "", f"le quartier {code} figure déjà ligne {seen[code]}."))
            continue
        seen[code] = line
        values["code"] = code
        names = values.pop("communes", None)
        commune_ids = None
        if names is not None:
            commune_ids = []
            for name in names:
                if fold(name) not in communes:
                    preview.errors.append(RowError(line, header_of(sheet, positions, "communes"),
                                                   f"la commune « {name} » n'existe pas dans la base."))
                else:
                    commune_ids.append(communes[fold(name)])
        clean = {k: ("" if v is None and k in ("name", "notes") else v) for k, v in values.items()}
        if clean.get("population") is None:
            clean.pop("population", None)
        existing = by_code.get(code)
        record = Quartier.get_by_id(existing) if existing else None
        service_errors(line, sheet, positions, QUARTIER_FIELDS, validate_quartier(clean, record), preview.errors)
        preview.items.append(Item(line, clean, existing, {"communes": commune_ids}))


_PREPARE: dict[str, Callable[[Sheet, dict[str, int], SheetPreview], None]] = {
    "associations": _prepare_associations,
    "quartiers": _prepare_quartiers,
    "actions": prepare_actions,
}
_SAVE: dict[str, Callable[[Item], SaveResult]] = {
    "associations": lambda item: save_association(item.values, item.existing_id),
    "quartiers": lambda item: save_quartier(item.values, item.existing_id, item.extra["communes"]),
    "actions": lambda item: save_action(item.values, item.existing_id, item.extra["quartiers"],
                                        item.extra["fundings"]),
}


# Kinds whose new records are written in bulk (items, progress, cancelled, done so far, total), in the transaction.
_WRITE_NEW: dict[str, Callable[[list[Item], Callable[[int, int], None] | None, Callable[[], bool] | None, int, int],
                               None]] = {"actions": write_new_actions}


def register_kind(kind: str, prepare: Callable[[Sheet, dict[str, int], SheetPreview], None],
                  save: Callable[[Item], SaveResult], write_new: Callable[..., None] | None = None) -> None:
    """Another kind of sheet (cvdesk.exchange.reference_import): how its rows are checked, and how one is written;
    write_new, when given, writes the new records in bulk as _WRITE_NEW's (the SCDL import)."""
    _PREPARE[kind] = prepare
    _SAVE[kind] = save
    if write_new is not None:
        _WRITE_NEW[kind] = write_new


def preview_sheet(path: Path, kind: str, columns: dict[str, str] | None = None,
                  cancelled: Callable[[], bool] | None = None) -> SheetPreview:
    """Read and check the file without writing: the column mapping, what would be created or updated, the errors.

    columns maps a header to a field key or label ("" ignores the column); without it, a mapping remembered for
    the same headers (cvdesk.exchange.column_maps) applies, then the names people use. cancelled() is asked once
    the file is read (Cancelled is raised then: the reading and the checking each take seconds on a big file)."""
    from cvdesk.exchange.column_maps import remembered_names

    if kind not in IMPORTS:
        raise ExchangeError(f"On ne peut importer que : {', '.join(IMPORTS)} (pas « {kind} »).")
    # The header is the row holding the most names we know: the usual ones, the mapping's, the remembered ones.
    known = {fold(a) for f in IMPORTS[kind][1] for a in (f.label, *f.aliases)}
    known |= {fold(name) for name in columns or {}} | remembered_names(kind)
    known.discard("")
    sheet = read_sheet(Path(path), lambda cells: sum(1 for c in cells if fold(c) in known))
    if cancelled is not None and cancelled():
        raise Cancelled()
    return check_sheet(sheet, kind, columns)


def check_sheet(sheet: Sheet, kind: str, columns: dict[str, str] | None = None) -> SheetPreview:
    """preview_sheet on a sheet already read (the window keeps it while the user maps its columns)."""
    from cvdesk.exchange.column_maps import remembered_columns

    label, fields = IMPORTS[kind]
    origin = GIVEN if columns is not None else ""
    if columns is None:
        columns = remembered_columns(kind, sheet.header)
        origin = REMEMBERED if columns else ""
    chosen = checked_columns(columns, sheet.header, fields, sheet.path, label) if columns else None
    positions, mapping = match_columns(sheet.header, fields, chosen)
    if kind == "actions" and "funder" not in positions:
        # Amounts belong to a funding line: without a Financeur column they cannot say whose they are.
        funding_keys = {"requested", "granted", "paid", "decision_date"}
        labels = {f.label for f in fields if f.key in funding_keys and f.key in positions}
        for key in funding_keys:
            positions.pop(key, None)
        mapping = [(h, "ignorée (pas de colonne Financeur)" if t in labels else t) for h, t in mapping]
    preview = SheetPreview(sheet.path, kind, sheet.encoding or "XLSX", mapping, rows=len(sheet.rows),
                           header=list(sheet.header), sample=sheet.rows[:SAMPLE_ROWS],
                           columns=columns_of(sheet.header, positions), columns_origin=origin)
    preview.missing = [f.label for f in fields if f.required and f.key not in positions]
    preview.warnings.extend(RowError(line, "", reason + ".") for line, reason in sheet.skipped)
    if not preview.missing:
        _PREPARE[kind](sheet, positions, preview)
    preview.errors.sort(key=lambda e: e.line)
    preview.warnings.sort(key=lambda w: w.line)
    return preview


class _Refused(Exception):
    """A row that could not be written; str() is the sentence for the user."""


def _refusal(path: Path, line: int, message: str) -> str:
    reason = message.removeprefix(WRITE_FAILED)
    if reason != message:  # the database refused the write (a full disk…), not the row's values
        return f"L'import du fichier {path} a échoué à la ligne {line} : {reason}"
    return f"Le fichier {path}, ligne {line} : {message} Rien n'a été écrit."


def apply_sheet(preview: SheetPreview, progress: Callable[[int, int], None] | None = None,
                cancelled: Callable[[], bool] | None = None) -> SheetPreview:
    """Write a checked preview through the services, in one transaction; refused whole on the first error.

    cancelled() is asked before each row (each 2,000 new actions, written in bulk by bulk_actions), inside the
    transaction: Cancelled rolls every written row back."""
    if not preview.ok:
        raise ExchangeError(preview.first_error())
    # On a consultation role, rows that change nothing would be counted « mis à jour »: refused before anything.
    refuse_writes(f"L'import du tableur {preview.path}", ExchangeError)
    backup_before_import()
    failure: str | None = None
    total = len(preview.items)
    items = preview.items
    # Many new records: the foreign keys checked once, at the end, rather than at each insert.
    try:
        with references_checked_at_end(preview.created if preview.kind in _WRITE_NEW else 0) as deferred, \
                db.atomic():
            allow_bulk_lock_wait()  # an import waits for the rows a colleague is saving (store/lock_wait.py)
            if preview.kind in _WRITE_NEW:
                # New records in bulk (the same rows as their service saves), then the updates one by one.
                fresh = [item for item in items if item.existing_id is None]
                _WRITE_NEW[preview.kind](fresh, progress, cancelled, 0, total)
                items = [item for item in items if item.existing_id is not None]
            for done, item in enumerate(items, start=total - len(items)):
                if cancelled is not None and cancelled():
                    raise Cancelled()
                if progress is not None and done % 50 == 0:
                    progress(done, total)
                result = _SAVE[preview.kind](item)
                if not result.ok:
                    failure = _refusal(preview.path, item.line, next(iter(result.errors.values())))
                    raise _Refused(failure)
            if deferred:
                check_references(preview.path)
            # « Annuler » pressed while the indexes were built again and the references checked: still rolled back.
            if cancelled is not None and cancelled():
                raise Cancelled()
            if progress is not None:
                progress(total, total)
    except _Refused:
        pass
    except database_errors() as exc:
        # On a full disk SQLite has already rolled the whole transaction back, so the rollback on the way out fails
        # in turn ("no transaction is active"): the failure noted before it is the one to tell.
        if failure is None:
            reason = describe_write_error(exc).removeprefix(WRITE_FAILED)
            failure = f"L'import du fichier {preview.path} a échoué : {reason}"
    if failure is not None:
        raise ExchangeError(failure)
    return preview


def import_sheet(path: Path, kind: str) -> SheetPreview:
    return apply_sheet(preview_sheet(path, kind))


# The reference records' kinds (communes, orientations, funders, envelopes) register themselves on import; they use
# the helpers above, so they are loaded last.
from cvdesk.exchange import reference_import  # noqa: E402,F401
