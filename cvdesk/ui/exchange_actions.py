"""The Fichier menu's exchange entries: export for headquarters, import a package, import a spreadsheet, export a
list. The work runs as an Operation (cvdesk/ui/operations.py) behind a late progress dialog; a summary closes each."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Callable

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMainWindow, QMenu, QMessageBox, QWidget

from cvdesk.domain.numbers import grouped
from cvdesk.ui.operations import CANCELLED, DONE, FAILED, Operation, Work

__all__ = ["CANCELLED", "DONE", "FAILED", "run_with_progress", "install_exchange_actions"]
SCDL = "scdl"


def run_with_progress(parent: QWidget, title: str, label: str, work: Work, cancellable: bool = True,
                      label_for: Callable[[int, int], str] | None = None) -> tuple[str, Any]:
    """Run work as an Operation behind its late progress dialog, the window staying responsive; returns
    (status, result or French message) once it has ended."""
    return Operation(parent, work, title=title, label=label, cancellable=cancellable,
                     on_failure=lambda _message: None, label_for=label_for).run_and_wait()


def writing_label(done: int, total: int) -> str:
    """The import's progress label: the rows written so far, then what still comes once they all are (indexes,
    checks, commit: seconds for 100,000 actions, with the bar full)."""
    if done < total:
        return f"Import : {grouped(done)} sur {grouped(total)} enregistrements écrits…"
    return f"Import : {grouped(total)} enregistrements écrits ; index et vérifications avant l'enregistrement…"


def _report(parent: QWidget, title: str, status: str, result: Any) -> bool:
    """Tell the user about a failure or a cancellation; True when the work succeeded."""
    if status == FAILED:
        QMessageBox.warning(parent, title, str(result))
    elif status == CANCELLED:
        QMessageBox.information(parent, title, "Annulé : rien n'a été écrit.")
    return status == DONE


def _read_only_refused(parent: QWidget, title: str, what: str) -> bool:
    """On a base opened for reading only (a consultation role), say so before a file is even chosen; True then."""
    from cvdesk.store.read_only import ReadOnlyBase, refuse_writes

    try:
        refuse_writes(what)
    except ReadOnlyBase as exc:
        QMessageBox.warning(parent, title, str(exc))
        return True
    return False


def _refresh(window: QWidget) -> None:
    refresh = getattr(window, "refresh_all", None)
    if callable(refresh):
        refresh()


def ensure_office(parent: QWidget) -> str | None:
    """This office's name, asked once and kept in the database's settings; None when the user declines."""
    from cvdesk.store.settings import OFFICE, get_setting, set_setting

    name = get_setting(OFFICE).strip()
    if name:
        return name
    name, ok = QInputDialog.getText(parent, "Nom du bureau",
                                    "Nom de ce bureau, tel que le siège le lira dans les paquets\n"
                                    "(par exemple « Bureau de Denain ») :")
    name = name.strip()
    if not ok or not name:
        return None
    set_setting(OFFICE, name)
    return name


def export_for_headquarters(window: QWidget) -> Path | None:
    from cvdesk.exchange.export_package import export_package

    office = ensure_office(window)
    if office is None:
        return None
    suggestion = f"cvdesk-{''.join(c if c.isalnum() else '-' for c in office).strip('-')}-{date.today():%Y-%m-%d}.zip"
    path, _ = QFileDialog.getSaveFileName(window, "Exporter pour le siège", suggestion, "Paquets cvdesk (*.zip)")
    if not path:
        return None
    out = Path(path) if path.lower().endswith(".zip") else Path(path + ".zip")
    status, result = run_with_progress(window, "Exporter pour le siège", "Écriture du paquet…",
                                       lambda progress, cancelled: export_package(out, office, progress, cancelled))
    if not _report(window, "Exporter pour le siège", status, result):
        return None
    QMessageBox.information(window, "Exporter pour le siège",
                            f"Paquet du bureau « {office} » écrit : {grouped(result.total)} enregistrement(s) dans {out}.\n"
                            "Envoyez ce fichier au siège.")
    return out


def import_package_file(window: QWidget, path: Path | None = None) -> bool:
    from cvdesk.ui.exchange_dialogs import SummaryDialog  # the dialogs load on first use: a quicker start
    from cvdesk.exchange.conflicts import conflict_count
    from cvdesk.exchange.merge import import_package

    if _read_only_refused(window, "Importer un paquet", "L'import d'un paquet"):
        return False
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(window, "Importer un paquet", "", "Paquets cvdesk (*.zip)")
        if not chosen:
            return False
        path = Path(chosen)
    title = "Importer un paquet"
    status, dry = run_with_progress(window, title, "Lecture et vérification du paquet…",
                                    lambda progress, cancelled: import_package(path, True, progress, cancelled))
    if not _report(window, title, status, dry):
        return False
    lines = [line for line in dry.lines() if not line.startswith("Simulation")]
    confirm = SummaryDialog(title, [*lines, "", "Rien n'est encore écrit. Fusionner ce paquet dans la base ?"],
                            window, accept_text="Fusionner")
    if not confirm.exec():
        return False
    status, summary = run_with_progress(window, title, "Fusion du paquet…",
                                        lambda progress, cancelled: import_package(path, False, progress, cancelled))
    if not _report(window, title, status, summary):
        return False
    _refresh(window)
    SummaryDialog(title, summary.lines(), window).exec()
    if conflict_count():
        review_conflicts(window)
    return True


def review_conflicts(window: QWidget) -> None:
    from cvdesk.ui.exchange_dialogs import ConflictsDialog
    from cvdesk.exchange.conflicts import pending_conflicts

    conflicts = pending_conflicts()
    if not conflicts:
        QMessageBox.information(window, "Conflits", "Aucun conflit à examiner.")
        return
    if ConflictsDialog(conflicts, window).exec():
        _refresh(window)


# What a sheet may hold, as the user names it; communes to envelopes fill the contract's reference lists (Contrat
# tab); SCDL is a subsidies file as local authorities publish them.
IMPORT_KINDS = (("Associations", "associations"), ("Quartiers", "quartiers"),
                ("Actions et leurs financements", "actions"), ("Communes", "communes"),
                ("Orientations du contrat", "orientations"), ("Financeurs", "funders"),
                ("Enveloppes des financeurs", "envelopes"), ("Subventions au format SCDL (données ouvertes)", "scdl"))


def import_spreadsheet(window: QWidget, path: Path | None = None, kind: str | None = None) -> bool:
    """Read the file, let the user map its columns when a required one is not recognised (or on request from the
    preview), show the preview with its errors by line, then import it all or nothing."""
    from cvdesk.ui.column_mapping_dialog import ColumnMappingDialog
    from cvdesk.ui.exchange_dialogs import SheetPreviewDialog
    from cvdesk.exchange.scdl_attribuant import preview_scdl
    from cvdesk.exchange.sheet_import import apply_sheet, preview_sheet
    from cvdesk.exchange.sheet_reader import sheet_filter

    title = "Importer un tableur"
    if _read_only_refused(window, title, "L'import d'un tableur"):
        return False
    if path is None:
        chosen, _ = QFileDialog.getOpenFileName(window, title, "", f"{sheet_filter()};;Tous les fichiers (*)")
        if not chosen:
            return False
        path = Path(chosen)
    if kind is None:
        labels = [label for label, _ in IMPORT_KINDS]
        label, ok = QInputDialog.getItem(window, title, f"Que contient {path.name} ?", labels, 0, False)
        if not ok:
            return False
        kind = dict(IMPORT_KINDS)[label]
    # « Annuler » is offered: a big file takes seconds to read and check (asked between the two, and after them).
    status, preview = run_with_progress(window, title, "Lecture du tableur…", lambda progress, cancelled: _unless(
        cancelled, preview_sheet(path, kind, cancelled=cancelled)))
    if not _report(window, title, status, preview):
        return False
    attribuant = _ask_attribuant(window, path, preview)  # a subsidies file that does not say who granted them
    if attribuant == "":
        return False
    if attribuant:
        status, preview = run_with_progress(window, title, "Vérification du tableur…",
                                            lambda progress, cancelled: preview_scdl(path, attribuant),
                                            cancellable=False)
        if not _report(window, title, status, preview):
            return False
    mapping_asked = bool(preview.missing)
    while True:
        if mapping_asked:
            mapping = ColumnMappingDialog(preview, window)
            if not mapping.exec():
                return False
            columns = mapping.columns()
            _remember(kind, preview.header, columns)
            # Checked again from the file, so that every row is seen with the new mapping (the dialog saw the first).
            status, preview = run_with_progress(
                window, title, "Vérification du tableur…",
                lambda progress, cancelled: _unless(cancelled, preview_scdl(path, attribuant, columns) if attribuant
                                                    else preview_sheet(path, kind, columns, cancelled)))
            if not _report(window, title, status, preview):
                return False
        answer = SheetPreviewDialog(preview, window).exec()
        if answer != SheetPreviewDialog.REMAP:
            break
        mapping_asked = True
    if not answer:
        return False
    status, result = run_with_progress(window, title, "Import…",
                                       lambda progress, cancelled: apply_sheet(preview, progress, cancelled),
                                       label_for=writing_label)
    if not _report(window, title, status, result):
        return False
    _refresh(window)
    QMessageBox.information(window, title, f"{path.name} importé : {grouped(preview.created)} "
                                           f"enregistrement(s) créé(s){preview.kinds_created()}, "
                                           f"{grouped(preview.updated)} mis à jour.")
    return True


def _ask_attribuant(window: QWidget, path: Path, preview: Any) -> str | None:
    """For an SCDL file refused only for want of an attribuant column, the funder the user names for all of it
    ("" when they give up); None when there is nothing to ask."""
    from cvdesk.exchange.scdl_attribuant import lacks_attribuant
    from cvdesk.ui.attribuant_dialog import ask_attribuant

    if not lacks_attribuant(preview):
        return None
    return ask_attribuant(window, path) or ""


def _unless(cancelled: Callable[[], bool], preview: Any) -> Any:
    """The preview, or Cancelled when « Annuler » was pressed while it was made: no preview of a file given up."""
    from cvdesk.exchange.errors import Cancelled

    if cancelled():
        raise Cancelled()
    return preview


def _remember(kind: str, header: list[str], columns: dict[str, str]) -> None:
    """Keep the user's mapping for the next file with these headers (not on a base opened read-only)."""
    from cvdesk.exchange.column_maps import remember_columns
    from cvdesk.store.database import is_read_only

    if not is_read_only():
        remember_columns(kind, header, columns)


def export_list(window: QWidget) -> Path | None:
    from cvdesk.exchange.csv_table import write_csv
    from cvdesk.exchange.scdl import write_scdl
    from cvdesk.exchange.xlsx_table import write_xlsx
    from cvdesk.services.lists import LISTS

    title = "Exporter la liste"
    choices = [(spec.label, name) for name, spec in LISTS.items()]
    choices.append(("Subventions accordées (format national SCDL, open data)", SCDL))
    current = getattr(getattr(window, "tabs", None), "currentWidget", lambda: None)()
    current_name = getattr(current, "list_name", "")
    start = next((i for i, (_, name) in enumerate(choices) if name == current_name), 0)
    label, ok = QInputDialog.getItem(window, title, "Liste à exporter :", [c[0] for c in choices], start, False)
    if not ok:
        return None
    name = dict(choices)[label]
    filters = "CSV (*.csv)" if name == SCDL else "Classeur Excel (*.xlsx);;CSV, texte brut (*.csv)"
    default = f"{'subventions-scdl' if name == SCDL else name}.{'csv' if name == SCDL else 'xlsx'}"
    path, chosen_filter = QFileDialog.getSaveFileName(window, title, default, filters)
    if not path:
        return None
    out = Path(path)
    if out.suffix.lower() not in (".xlsx", ".csv"):
        out = out.with_name(out.name + (".csv" if name == SCDL or "csv" in chosen_filter.lower() else ".xlsx"))
    if name == SCDL and out.suffix.lower() != ".csv":
        out = out.with_suffix(".csv")
    if name != SCDL and out.suffix.lower() == ".csv" and not _csv_accepted(window, title):
        return None

    left_out: list[str] = []  # the SCDL's grants left out of the open data, and why

    def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> int:
        if name == SCDL:
            published = write_scdl(out, progress=progress, cancelled=cancelled)
            left_out.extend(published.warnings)
            return published.written
        writer = write_xlsx if out.suffix.lower() == ".xlsx" else write_csv
        return writer(name, out, progress, cancelled)

    status, count = run_with_progress(window, title, f"Écriture de {out.name}…", work, cancellable=True)
    if not _report(window, title, status, count):
        return None
    if left_out:
        _tell_left_out(window, title, f"{count} ligne(s) écrite(s) dans {out}.", left_out)
    else:
        QMessageBox.information(window, title, f"{count} ligne(s) écrite(s) dans {out}.")
    return out


def _csv_accepted(parent: QWidget, title: str) -> bool:
    """Whether the user, told what a CSV loses in an office tool, still wants it (default No: the workbook keeps
    everything)."""
    from cvdesk.exchange.csv_table import CSV_LOSS

    yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, f"{CSV_LOSS}\n\nÉcrire quand même ce CSV ?", yes | no, no) == yes


def _tell_left_out(parent: QWidget, title: str, done: str, left_out: list[str], shown: int = 5) -> None:
    """The file written, then each cause of grants left out of it: the first ones in the box (so that it fits the
    screen), every one of them under « Montrer les détails… » when there are more."""
    if len(left_out) <= shown:
        QMessageBox.warning(parent, title, "\n\n".join([done, "Subventions absentes du fichier :", *left_out]))
        return
    more = f"… et {len(left_out) - shown} autre(s) : la liste complète est sous « Montrer les détails… »."
    box = QMessageBox(QMessageBox.Icon.Warning, title,
                      "\n\n".join([done, "Subventions absentes du fichier :", *left_out[:shown], more]),
                      QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText("\n\n".join(left_out))
    box.exec()
    box.deleteLater()


def install_exchange_actions(window: QMainWindow) -> list[QAction]:
    """Add the exchange entries to the window's Fichier menu (created if the window has none), before Quitter."""
    menu: QMenu | None = getattr(window, "file_menu", None)
    if menu is None:
        menu = window.menuBar().addMenu("&Fichier")
        window.file_menu = menu  # type: ignore[attr-defined]
    before = getattr(window, "quit_action", None)
    entries = (
        ("E&xporter pour le siège…", export_for_headquarters, "Écrire le paquet d'échange à envoyer au siège"),
        ("Importer un &paquet…", import_package_file, "Fusionner le paquet d'un autre bureau"),
        ("Importer un &tableur…", import_spreadsheet, "Importer des associations, quartiers ou actions d'un tableur"),
        ("Exporter la &liste…", export_list, "Écrire une liste en XLSX ou CSV"),
        ("&Conflits à examiner…", review_conflicts, "Choisir la version qui reste pour chaque conflit"),
    )
    actions = []
    separator = QAction(window)
    separator.setSeparator(True)
    menu.insertAction(before, separator) if before else menu.addAction(separator)
    for text, handler, tip in entries:
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.setObjectName("exchange_" + handler.__name__)
        action.triggered.connect(lambda _checked=False, h=handler: h(window))
        if before:
            menu.insertAction(before, action)
        else:
            menu.addAction(action)
        actions.append(action)
    window.exchange_actions = actions  # type: ignore[attr-defined]
    return actions
