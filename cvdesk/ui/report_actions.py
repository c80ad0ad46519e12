"""The window's printing entries: "Imprimer la fiche…" on the current tab's record, "Programme…" and
"Réunion…" in the Fichier menu, the Réunions tab's meeting pack and record of decisions, each opening the preview
once the sheet is built off the UI thread."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QMessageBox,
    QWidget,
)

from cvdesk.domain.dates import format_date

if TYPE_CHECKING:  # the preview (QtPdf, printing) loads on first use, not at the window's start
    from cvdesk.services.report_data import ProgrammeScope
    from cvdesk.ui.operations import Operation
    from cvdesk.ui.report_preview import ReportJob

SHEET_TITLES = {"quartier": "Fiche quartier", "action": "Fiche action", "association": "Fiche association"}


def record_job(kind: str, record_id: int) -> ReportJob:
    """The job printing one record's sheet."""
    from cvdesk.store.models import Action, Association, Quartier
    from cvdesk.ui.report_preview import ReportJob

    if kind == "quartier":
        from cvdesk.reports.quartier_sheet import build_quartier_sheet as build

        quartier = Quartier.get_by_id(record_id)
        name, title = f"fiche-{quartier.code}.pdf", f"{SHEET_TITLES[kind]} {quartier.code} {quartier.name}"
    elif kind == "action":
        from cvdesk.reports.action_sheet import build_action_sheet as build

        action = Action.get_by_id(record_id)
        name, title = f"fiche-{action.reference}.pdf", f"{SHEET_TITLES[kind]} {action.reference}"
    elif kind == "association":
        from cvdesk.reports.association_sheet import build_association_sheet as build

        association = Association.get_by_id(record_id)
        name, title = f"fiche-{association.siret or association.id}.pdf", f"{SHEET_TITLES[kind]} {association.name}"
    else:
        raise ValueError(f"Pas de fiche pour « {kind} ».")
    return ReportJob(title, _safe_name(name), lambda out, progress, cancelled: build(record_id, out, progress,
                                                                                        cancelled))


def programme_job(scope: ProgrammeScope) -> ReportJob:
    from cvdesk.reports.programme_sheet import build_programme_sheet
    from cvdesk.ui.report_preview import ReportJob

    return ReportJob(f"Programme {scope.year}", f"programme-{scope.year}.pdf",
                     lambda out, progress, cancelled: build_programme_sheet(scope, out, progress, cancelled), long=True)


def meeting_job(meeting_id: int) -> ReportJob:
    from cvdesk.reports.meeting_sheet import build_meeting_sheet
    from cvdesk.store.models import Meeting
    from cvdesk.ui.report_preview import ReportJob

    meeting = Meeting.get_by_id(meeting_id)
    return ReportJob(f"Réunion du {format_date(meeting.date)}", f"reunion-{meeting.date:%Y-%m-%d}.pdf",
                     lambda out, progress, cancelled: build_meeting_sheet(meeting_id, out, progress, cancelled))


def meeting_pack_job(meeting_id: int) -> ReportJob:
    """The meeting's pack: cover, agenda, synthesis and one action sheet per item (long: progress at once)."""
    from cvdesk.reports.meeting_pack import build_meeting_pack
    from cvdesk.store.models import Meeting
    from cvdesk.ui.report_preview import ReportJob

    meeting = Meeting.get_by_id(meeting_id)
    return ReportJob(f"Dossier de séance du {format_date(meeting.date)}", f"dossier-seance-{meeting.date:%Y-%m-%d}.pdf",
                     lambda out, progress, cancelled: build_meeting_pack(meeting_id, out, progress, cancelled),
                     long=True)


def decisions_job(meeting_id: int) -> ReportJob:
    from cvdesk.reports.meeting_sheet import build_decisions_sheet
    from cvdesk.store.models import Meeting
    from cvdesk.ui.report_preview import ReportJob

    meeting = Meeting.get_by_id(meeting_id)
    return ReportJob(f"Relevé de décisions du {format_date(meeting.date)}", f"releve-{meeting.date:%Y-%m-%d}.pdf",
                     lambda out, progress, cancelled: build_decisions_sheet(meeting_id, out, progress, cancelled))


def _meeting_exists(window: Any, meeting_id: int | None) -> bool:
    from cvdesk.store.models import Meeting

    if meeting_id is None or Meeting.get_or_none((Meeting.id == meeting_id) & (Meeting.deleted == False)) is None:  # noqa: E712
        _tell(window, "Choisissez d'abord une réunion enregistrée dans l'onglet Réunions.")
        return False
    return True


def print_meeting_pack(window: Any, meeting_id: int | None) -> Operation | None:
    """The Réunions tab's « Dossier de séance »: the pack built off the UI thread, then its preview."""
    if not _meeting_exists(window, meeting_id):
        return None
    from cvdesk.ui.report_preview import preview_report

    return preview_report(window, meeting_pack_job(meeting_id))


def print_decisions(window: Any, meeting_id: int | None) -> Operation | None:
    """The Réunions tab's « Relevé de décisions », through the same preview."""
    if not _meeting_exists(window, meeting_id):
        return None
    from cvdesk.ui.report_preview import preview_report

    return preview_report(window, decisions_job(meeting_id))


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)


def print_current_record(window: Any) -> Operation | None:
    """The current tab's record, as saved: unsaved edits are saved or dropped first, as when leaving it."""
    tab = window.current_tab() if hasattr(window, "current_tab") else None
    kind = getattr(tab, "kind", "")
    record_id = tab.current_record_id() if tab is not None and hasattr(tab, "current_record_id") else None
    if kind not in SHEET_TITLES or record_id is None:
        _tell(window, "Choisissez d'abord une fiche dans la liste : quartier, action ou association.")
        return None
    keep = getattr(tab, "maybe_keep_edits", None)
    if keep is not None and not keep():
        return None
    record_id = tab.current_record_id()
    if record_id is None:
        return None
    from cvdesk.ui.report_preview import preview_report

    return preview_report(window, record_job(kind, record_id))


def _tell(window: Any, text: str) -> None:
    bar = window.statusBar() if hasattr(window, "statusBar") else None
    if bar is not None:
        bar.showMessage(text, 6000)
    else:
        QMessageBox.information(window, "Impression", text)


class ProgrammeDialog(QDialog):
    """Choose the programme's year and, optionally, an orientation, a quartier or a funder."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from cvdesk.services.totals import years
        from cvdesk.store.models import Funder, Orientation, Quartier

        super().__init__(parent)
        self.setWindowTitle("Programme d'actions")
        self.year_box = QComboBox()
        for year in reversed(years()):
            self.year_box.addItem(str(year), year)
        self.orientation_box = QComboBox()
        self.orientation_box.addItem("Toutes les orientations", None)
        for o in Orientation.select().where(Orientation.deleted == False).order_by(Orientation.number):  # noqa: E712
            self.orientation_box.addItem(f"{o.number}. {o.title}", o.id)
        self.quartier_box = QComboBox()
        self.quartier_box.addItem("Tous les quartiers", None)
        for q in Quartier.select().where(Quartier.deleted == False).order_by(Quartier.code):  # noqa: E712
            self.quartier_box.addItem(f"{q.code} {q.name}", q.id)
        self.funder_box = QComboBox()
        self.funder_box.addItem("Tous les financeurs", None)
        for f in Funder.select().where(Funder.deleted == False).order_by(Funder.position, Funder.name):  # noqa: E712
            self.funder_box.addItem(f.name, f.id)
        for box in (self.orientation_box, self.quartier_box, self.funder_box):
            box.setMaximumWidth(520)
        form = QFormLayout(self)
        form.addRow("&Année :", self.year_box)
        form.addRow("&Orientation :", self.orientation_box)
        form.addRow("&Quartier :", self.quartier_box)
        form.addRow("&Financeur :", self.funder_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Aperçu")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.year_box.count() > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def scope(self) -> ProgrammeScope:
        from cvdesk.services.report_data import ProgrammeScope

        return ProgrammeScope(self.year_box.currentData(), self.orientation_box.currentData(),
                              self.quartier_box.currentData(), self.funder_box.currentData())


class MeetingDialog(QDialog):
    """Choose the meeting, and its document: agenda (or record of decisions), meeting pack or record of decisions."""

    def __init__(self, parent: QWidget | None = None) -> None:
        from cvdesk.services.report_data import meeting_kind_label
        from cvdesk.store.models import Meeting

        super().__init__(parent)
        self.setWindowTitle("Réunion")
        self.meeting_box = QComboBox()
        for m in Meeting.select().where(Meeting.deleted == False).order_by(Meeting.date.desc()):  # noqa: E712
            self.meeting_box.addItem(f"{format_date(m.date)} – {meeting_kind_label(m.kind)}", m.id)
        self.document_box = QComboBox()
        for text, job in (("Ordre du jour (le relevé s'il y a des décisions)", meeting_job),
                          ("Dossier de séance", meeting_pack_job), ("Relevé de décisions", decisions_job)):
            self.document_box.addItem(text, job)
        form = QFormLayout(self)
        form.addRow("&Réunion :", self.meeting_box)
        form.addRow("&Document :", self.document_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Aperçu")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.meeting_box.count() > 0)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def print_programme(window: Any) -> Operation | None:
    dialog = ProgrammeDialog(window)
    if dialog.year_box.count() == 0:
        _tell(window, "La base ne contient aucune action : il n'y a pas de programme à imprimer.")
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    from cvdesk.ui.report_preview import preview_report

    return preview_report(window, programme_job(dialog.scope()))


def print_meeting(window: Any) -> Operation | None:
    dialog = MeetingDialog(window)
    if dialog.meeting_box.count() == 0:
        _tell(window, "Aucune réunion n'est enregistrée.")
        return None
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    from cvdesk.ui.report_preview import preview_report

    return preview_report(window, dialog.document_box.currentData()(dialog.meeting_box.currentData()))


def install_report_actions(window: Any) -> None:
    """Add the printing entries to the window's Fichier menu, before Quitter when it is there."""
    menu = getattr(window, "file_menu", None)
    if menu is None:
        return
    before = getattr(window, "quit_action", None)
    entries = []
    for attribute, text, slot, shortcut, tip in (
        ("print_sheet_action", "&Imprimer la fiche…", print_current_record, QKeySequence.StandardKey.Print,
         "Aperçu et impression de la fiche de l'enregistrement affiché"),
        ("print_programme_action", "&Programme…", print_programme, None,
         "Aperçu et impression du programme d'une année"),
        ("print_meeting_action", "&Réunion…", print_meeting, None,
         "Ordre du jour ou relevé de décisions d'une réunion"),
    ):
        action = QAction(text, window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(partial(_run, window, slot))
        setattr(window, attribute, action)
        entries.append(action)
    if before is not None:
        for action in entries:
            menu.insertAction(before, action)
        menu.insertSeparator(before)
    else:
        menu.addSeparator()
        for action in entries:
            menu.addAction(action)
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        toolbar.addSeparator()
        toolbar.addAction(window.print_sheet_action)


def _run(window: Any, slot: Any, _checked: bool = False) -> None:
    window.last_report_runner = slot(window)
