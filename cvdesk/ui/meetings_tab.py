"""The « Réunions » tab: the meetings beside a form (kind, date, title, place, participants, purpose) and its agenda,
where a coordinator picks the actions, records a decision per item, closes the meeting and reopens it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QGridLayout, QLineEdit, QMessageBox, QPlainTextEdit, QVBoxLayout

from cvdesk.domain.decisions import CLOSED, MEETING_KINDS, MEETING_STATUSES
from cvdesk.ui.record_tab import RecordTab

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.agenda_picker import AgendaPicker
    from cvdesk.ui.decision_editor import DecisionEditor
    from cvdesk.ui.form_widgets import RecordForm

DEFAULT_KIND = "comite_pilotage"


def _text_box(accessible_name: str, height: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(accessible_name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def meeting_years() -> list[tuple[int, str]]:
    from cvdesk.store.models import db

    # The date is a DATE on PostgreSQL, ISO text on SQLite: its year read from its text on both.
    rows = db.execute_sql("SELECT DISTINCT CAST(substr(CAST(date AS TEXT), 1, 4) AS INTEGER) AS y FROM meeting "
                          "WHERE deleted = 0 ORDER BY y DESC")
    return [(year, str(year)) for (year,) in rows]


class MeetingsTab(RecordTab):
    kind = "meeting"
    list_name = "meetings"
    noun = "la réunion"
    new_title = "Nouvelle réunion"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The list is short and the agenda wide: the form takes most of the width.
        self.splitter.setSizes([430, 900])
        keys = [c.key for c in self.model.columns]
        for key, width in (("date", 85), ("kind", 150), ("title", 200), ("place", 180), ("items", 50),
                           ("status", 65)):
            self.view.setColumnWidth(keys.index(key), width)
        # Open or closed, and how many points, in sight on a 1366-wide laptop: next to the kind, before the texts.
        header = self.view.horizontalHeader()
        for visual, key in enumerate(("status", "items"), start=2):
            header.moveSection(header.visualIndex(keys.index(key)), visual)
        self.picker: AgendaPicker | None = None
        self.editor: DecisionEditor | None = None
        self._status = "open"
        self.printing: object | None = None

    # -- list ------------------------------------------------------------------------------------------------------
    def build_filters(self, bar: QGridLayout) -> None:
        self.add_filter(bar, "year", "Année", "toutes")
        self.add_filter(bar, "kind", "Instance", "toutes")
        self.set_filter_choices("kind", list(MEETING_KINDS.items()))
        self.add_filter(bar, "status", "État", "tous")
        self.set_filter_choices("status", list(MEETING_STATUSES.items()))

    def load_filter_choices(self) -> None:
        self.set_filter_loader("year", meeting_years)

    # -- form ------------------------------------------------------------------------------------------------------
    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo
        from cvdesk.ui.form_widgets import DateEdit

        self.kind_combo = ChoiceCombo("Instance de la réunion")
        self.kind_combo.set_items(list(MEETING_KINDS.items()))
        form.add_field("kind", "&Instance :", self.kind_combo)
        self.date_edit = DateEdit("Date de la réunion")
        self.date_edit.setMaximumWidth(140)
        form.add_field("date", "Dat&e :", self.date_edit)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Intitulé de la réunion")
        self.title_edit.setPlaceholderText("par exemple « Programmation 2015, première vague »")
        form.add_field("title", "I&ntitulé :", self.title_edit)
        self.place_edit = QLineEdit()
        self.place_edit.setAccessibleName("Lieu de la réunion")
        form.add_field("place", "&Lieu :", self.place_edit)
        self.attendees_edit = _text_box("Participants", 52)
        form.add_field("attendees", "&Participants :", self.attendees_edit)
        self.notes_edit = _text_box("Objet de la réunion", 40)
        form.add_field("notes", "O&bjet :", self.notes_edit)
        self.watch(self.kind_combo, self.date_edit, self.title_edit, self.place_edit, self.attendees_edit,
                   self.notes_edit)

    def build_panels(self, layout: QVBoxLayout) -> None:
        from cvdesk.ui.agenda_panel import AgendaPanel

        self.agenda = AgendaPanel()
        layout.addWidget(self.agenda)
        self.agenda.add_button.clicked.connect(self.pick_actions)
        self.agenda.up_button.clicked.connect(lambda: self.move_item(-1))
        self.agenda.down_button.clicked.connect(lambda: self.move_item(1))
        self.agenda.remove_button.clicked.connect(self.remove_item)
        self.agenda.table.remove.connect(self.remove_item)
        self.agenda.decide_button.clicked.connect(self.edit_decision)
        self.agenda.table.decide.connect(self.edit_decision)
        self.agenda.table.itemDoubleClicked.connect(lambda _item: self.edit_decision())
        self.agenda.close_button.clicked.connect(self.close_meeting)
        self.agenda.reopen_button.clicked.connect(self.reopen_meeting)
        self.agenda.pack_button.clicked.connect(lambda: self._print("print_meeting_pack"))
        self.agenda.decisions_button.clicked.connect(lambda: self._print("print_decisions"))

    def clear_form(self) -> None:
        self.kind_combo.set_value(DEFAULT_KIND)
        self.date_edit.clear()
        for edit in (self.title_edit, self.place_edit):
            edit.clear()
        for box in (self.attendees_edit, self.notes_edit):
            box.clear()
        self._status = "open"
        self._lock(False)
        self.agenda.show_meeting(None, False)

    def _lock(self, locked: bool) -> None:
        """A closed meeting's fields are shown, not typed into (reopen it to change them: the services refuse)."""
        for combo in (self.kind_combo, self.date_edit):
            combo.setEnabled(not locked)
        for edit in (self.title_edit, self.place_edit, self.attendees_edit, self.notes_edit):
            edit.setReadOnly(locked)

    def load_record(self, record_id: int) -> bool:
        from cvdesk.services.meetings import describe_meeting, meeting_of

        meeting = meeting_of(record_id)
        if meeting is None:
            return False
        described = describe_meeting(meeting)
        heading = described[0].upper() + described[1:]
        self.heading.setText(heading + (f" – {meeting.title}" if meeting.title else "")
                             + (" (close)" if meeting.status == CLOSED else ""))
        self.kind_combo.set_value(meeting.kind)
        self.date_edit.set_date_value(meeting.date)
        self.title_edit.setText(meeting.title)
        self.place_edit.setText(meeting.place)
        self.attendees_edit.setPlainText(meeting.attendees)
        self.notes_edit.setPlainText(meeting.notes)
        self._status = meeting.status
        self._lock(meeting.status == CLOSED)
        self.agenda.show_meeting(record_id, meeting.status == CLOSED)
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        problem = self.date_edit.problem()
        if problem:
            errors["date"] = problem
        values = {"kind": self.kind_combo.value() or DEFAULT_KIND, "date": self.date_edit.date_value(),
                  "title": self.title_edit.text(), "place": self.place_edit.text(),
                  "attendees": self.attendees_edit.toPlainText(), "notes": self.notes_edit.toPlainText()}
        if "date" not in errors and values["date"] is None:
            errors["date"] = "La date de la réunion est obligatoire."
        return values, errors

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.meetings import save_meeting

        return save_meeting(values, self.record_id)

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.meetings import delete_meeting

        return delete_meeting(record_id)

    def delete_current(self) -> None:
        """Suppr in the agenda takes the chosen item off it (the window's « Supprimer » shortcut reaches the tab
        first); elsewhere it deletes the meeting, after the question."""
        from PySide6.QtWidgets import QApplication

        if self.record_id is not None and QApplication.focusWidget() is self.agenda.table:
            self.remove_item()
            return
        super().delete_current()

    def describe(self) -> str:
        day = self.date_edit.text().strip()
        return f"la réunion du {day}" if day else self.noun

    # -- the agenda ------------------------------------------------------------------------------------------------
    def _after_agenda_change(self, result: SaveResult, title: str, item_id: int | None = None) -> bool:
        """Show the agenda again (the item still chosen), or why the services refused; True when done."""
        if not result.ok:
            QMessageBox.warning(self, title, " ".join(result.errors.values()))
            return False
        self._reload_agenda()
        if item_id is not None:
            self.agenda.select_item(item_id)
        return True

    def _reload_agenda(self) -> None:
        if self.record_id is None:
            return
        from cvdesk.services.meetings import meeting_of

        meeting = meeting_of(self.record_id)
        self.agenda.show_meeting(self.record_id, meeting is not None and meeting.status == CLOSED)
        self.model.refresh_record(self.record_id)  # its number of points in the list

    def pick_actions(self) -> None:
        """Open the picker (window-modal, not blocking: a test or a screen reader drives it as it is)."""
        if self.record_id is None:
            return
        from cvdesk.ui.agenda_picker import AgendaPicker

        self.picker = AgendaPicker([row.action_id for row in self.agenda.rows], self)
        self.picker.accepted.connect(self._picked)
        self.picker.finished.connect(self.picker.deleteLater)  # Échap too: a cancelled picker is not kept
        self.picker.open()

    def _picked(self) -> None:
        from cvdesk.services.meetings import add_items

        picker, self.picker = self.picker, None
        if picker is None or self.record_id is None:
            return
        chosen = picker.checked_ids()
        picker.deleteLater()
        if self._after_agenda_change(add_items(self.record_id, chosen), "Ordre du jour"):
            self.message.emit(f"{len(chosen)} action{'s' if len(chosen) > 1 else ''} ajoutée"
                              f"{'s' if len(chosen) > 1 else ''} à l'ordre du jour.")
            self.changed.emit()

    def move_item(self, offset: int) -> None:
        from cvdesk.services.meetings import move_item

        row = self.agenda.current_row()
        if row is not None:
            self._after_agenda_change(self.agenda.checked(lambda: move_item(row.item_id, offset)), "Ordre du jour",
                                      row.item_id)

    def remove_item(self) -> None:
        from cvdesk.services.meetings import remove_item

        row = self.agenda.current_row()
        if row is not None and self.agenda.closed:
            self._say_closed()
        if row is None or self.agenda.closed:
            return
        answer = QMessageBox.question(self, "Retirer de l'ordre du jour",
                                      f"Retirer l'action {row.reference} de l'ordre du jour ?",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes and self._after_agenda_change(
                self.agenda.checked(lambda: remove_item(row.item_id)), "Ordre du jour"):
            self.changed.emit()

    def _say_closed(self) -> None:
        """Entrée or Suppr in a closed meeting's agenda: say why nothing happens (its buttons are greyed out)."""
        self.message.emit("La réunion est close : rouvrez-la pour modifier son ordre du jour ou ses décisions.")

    def edit_decision(self) -> None:
        row = self.agenda.current_row()
        if row is not None and self.agenda.closed:
            self._say_closed()
        if row is None or self.agenda.closed:
            return
        from cvdesk.ui.decision_editor import DecisionEditor

        self.editor = DecisionEditor(row, self)
        self.editor.accepted.connect(lambda item_id=row.item_id: self._decided(item_id))
        self.editor.finished.connect(self.editor.deleteLater)  # Échap too: a cancelled decision is not kept
        self.editor.open()

    def _decided(self, item_id: int) -> None:
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.deleteLater()
        self._reload_agenda()
        self.agenda.select_item(item_id)
        self.message.emit("Décision enregistrée ; elle s'appliquera à l'action à la clôture de la réunion.")

    # -- closing and reopening -------------------------------------------------------------------------------------
    def _saved_first(self) -> bool:
        """Edits of the meeting's own fields are saved (or dropped) before its state changes, and so are the edits
        typed in another tab: an action's form kept unsaved over the closing would, once saved, write its old status
        and undecided plan over what the meeting decided."""
        if self.record_id is None or not self.maybe_keep_edits() or self.record_id is None:
            return False
        built_tabs = getattr(self.window(), "built_tabs", None)
        for tab in built_tabs() if built_tabs is not None else []:
            if tab is not self and tab.is_dirty() and not tab.maybe_keep_edits():
                return False
        return True

    def _confirmed(self, title: str, question: str) -> bool:
        """Yes to a question whose default answer is No (closing and reopening change many actions)."""
        no, yes = QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes
        return QMessageBox.question(self, title, question, yes | no, no) == yes

    def close_meeting(self) -> None:
        from cvdesk.services.meetings import close_meeting, closing_summary

        if not self._saved_first() or not self._confirmed(
                "Clore la réunion", f"Clore {self.describe()} ? {closing_summary(self.record_id)} Les statuts et les "
                "montants accordés des actions seront mis à jour (la réunion pourra être rouverte)."):
            return
        self._change_state(close_meeting, "Clôture de la réunion", "Application des décisions aux actions…",
                           "Clôture refusée", "Réunion close : ses décisions sont appliquées aux actions.")

    def reopen_meeting(self) -> None:
        from cvdesk.services.meetings import reopen_meeting

        if not self._saved_first() or not self._confirmed(
                "Rouvrir la réunion", f"Rouvrir {self.describe()} ? Les actions retrouveront les statuts et les "
                "montants accordés qu'elles avaient avant sa clôture."):
            return
        self._change_state(reopen_meeting, "Réouverture de la réunion", "Rétablissement des actions…",
                           "Réouverture refusée",
                           "Réunion rouverte : les actions sont revenues à leur état d'avant la clôture.")

    def _change_state(self, change: Callable[..., SaveResult], title: str, label: str, refused: str,
                      done: str) -> None:
        """Close or reopen off the UI thread (a 60-item comité writes some 400 records with their history): a
        progress bar after a moment, then the refusal, or the meeting and the other tabs shown again."""
        from cvdesk.ui.operations import DONE, Operation

        meeting_id = self.record_id
        status, result = Operation(self, lambda progress, _cancelled: change(meeting_id, progress), title=title,
                                   label=label).run_and_wait()
        if status != DONE:
            return  # the operation has shown its own sentence
        if not result.ok:
            QMessageBox.warning(self, refused, " ".join(result.errors.values()))
            return
        self.show_record(self.record_id)
        self.model.refresh_record(self.record_id)
        self.message.emit(done)
        self.changed.emit()  # the actions' statuses and amounts: the other tabs' lists are stale

    # -- printing --------------------------------------------------------------------------------------------------
    def _print(self, name: str) -> None:
        """The meeting pack or the record of decisions, through the window's printing (cvdesk.ui.report_actions)."""
        if self.record_id is None:
            return
        from cvdesk.ui import report_actions

        action: Callable[[Any, int], object] | None = getattr(report_actions, name, None)
        if action is None:
            QMessageBox.information(self, "Impression", "Cette impression n'est pas encore disponible dans cette "
                                                        "version de cvdesk.")
            return
        self.printing = action(self.window(), self.record_id)  # the Operation building it (tests wait on it)
