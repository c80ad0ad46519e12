"""The contract itself (territory, period, dates) and its signatories in their order, saved together."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.identifiers import check_siren, digits_only
from cvdesk.services.signatories import SignatoryLine
from cvdesk.store.models import Contract, Signatory
from cvdesk.ui.field_checks import line_field, live_check
from cvdesk.ui.form_widgets import ERROR_TEXT_STYLE, DateEdit, IntEdit, RecordForm
from cvdesk.ui.history_panel import HistoryPanel

SIGNATORY_COLUMNS = ("Signataire", "Représenté par")


class ContractForm(QWidget):
    """One form for the base's contract and its signatories; it offers what a RecordTab offers to the window
    (save, revert, delete, new, dirty state), so that the Contrat tab treats it like its list tabs."""

    kind = "contract"
    open_record = Signal(str, int)
    changed = Signal()
    message = Signal(str)

    def __init__(self, parent: QWidget | None = None, form_later: bool = False) -> None:
        super().__init__(parent)
        del form_later  # a single small form: built at once
        self.record_id: int | None = None
        self.read_version: int | None = None  # the contract's version when the form read it (concurrency)
        self._dirty = False
        self._loading = False

        self.heading = QLabel("Nouveau contrat")
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        self.form = RecordForm(model=Contract)
        self.name_edit = self._line("name", "&Nom du contrat :", "Nom du contrat")
        self.epci_name_edit = self._line("epci_name", "&EPCI :", "Nom de l'EPCI")
        self.epci_siren_edit = self._line("epci_siren", "S&IREN de l'EPCI :", "SIREN de l'EPCI")
        self.epci_siren_edit.setPlaceholderText("9 chiffres")
        self.epci_siren_edit.textChanged.connect(self._check_siren)
        self.start_edit = IntEdit("Année de début du contrat", "L'année de début", grouped=False)
        self.form.add_field("start_year", "Dé&but (année) :", self.start_edit)
        self.end_edit = IntEdit("Année de fin du contrat", "L'année de fin", grouped=False)
        self.form.add_field("end_year", "Fin (année) :", self.end_edit)
        for edit in (self.start_edit, self.end_edit):
            edit.setMaximumWidth(80)
        self.framework_edit = DateEdit("Contrat cadre signé le")
        self.form.add_field("framework_signed_on", "Contrat cadre signé le :", self.framework_edit)
        self.signed_edit = DateEdit("Contrat signé le")
        self.form.add_field("signed_on", "Signé &le :", self.signed_edit)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setAccessibleName("Notes sur le contrat")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(60)
        self.form.add_field("notes", "No&tes :", self.notes_edit)
        self.source_label = QLabel()
        self.source_label.setAccessibleName("Source du référentiel")
        self.source_label.setWordWrap(True)
        self.source_label.setStyleSheet("color: #555;")
        self.form.addRow("Référentiel :", self.source_label)
        self.search = self.name_edit  # Ctrl+F (« Rechercher ») has no list here: it goes to the first field

        self.signatories = QTableWidget(0, len(SIGNATORY_COLUMNS))
        self.signatories.setHorizontalHeaderLabels(list(SIGNATORY_COLUMNS))
        self.signatories.setAccessibleName("Signataires du contrat, dans l'ordre")
        self.signatories.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.signatories.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.signatories.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.signatories.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.signatories.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.signatories.setMinimumHeight(150)
        self.signatories.itemChanged.connect(self.mark_dirty)
        self.signatories.currentCellChanged.connect(lambda row, *_: self._show_signatory_history(row))
        self.add_button = QPushButton("Ajouter un signataire")
        self.remove_button = QPushButton("Retirer")
        self.up_button = QPushButton("Monter")
        self.down_button = QPushButton("Descendre")
        self.new_button = self.add_button  # « Nouveau » here adds a signatory (see new_record)
        self.add_button.clicked.connect(self.add_signatory)
        self.remove_button.clicked.connect(self.remove_signatory)
        self.up_button.clicked.connect(lambda: self.move_signatory(-1))
        self.down_button.clicked.connect(lambda: self.move_signatory(1))
        signatory_buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            button.setAccessibleName(button.text().replace("&", ""))
            signatory_buttons.addWidget(button)
        signatory_buttons.addStretch(1)
        self.signatories_error = QLabel()
        self.signatories_error.setStyleSheet(ERROR_TEXT_STYLE)
        self.signatories_error.setWordWrap(True)
        self.signatories_error.hide()

        self.history = HistoryPanel()
        self.history.setMinimumHeight(150)
        self.signatory_history = HistoryPanel()
        self.signatory_history.title.setText("Historique du signataire choisi")
        self.signatory_history.setMinimumHeight(120)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.addWidget(self.heading)
        left_layout.addLayout(self.form)
        left_layout.addWidget(self.history)
        left_layout.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        caption = QLabel("Signataires (dans l'ordre du contrat)")
        caption.setStyleSheet("font-weight: bold")
        caption.setBuddy(self.signatories)
        right_layout.addWidget(caption)
        right_layout.addWidget(self.signatories, 1)
        right_layout.addLayout(signatory_buttons)
        right_layout.addWidget(self.signatories_error)
        right_layout.addWidget(self.signatory_history)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for pane in (left, right):
            scroll = QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setFrameShape(QFrame.Shape.NoFrame)
            scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            scroll.setWidget(pane)
            self.splitter.addWidget(scroll)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([640, 560])

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_TEXT_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.save_button = QPushButton("Enregistrer")
        self.revert_button = QPushButton("Annuler les modifications")
        self.delete_button = QPushButton("Supprimer le contrat")
        for button, slot, tip in ((self.save_button, self.save, "Enregistrer le contrat et ses signataires (Ctrl+S)"),
                                  (self.revert_button, self.revert, "Annuler les modifications non enregistrées (Échap)"),
                                  (self.delete_button, self.delete_current, "Supprimer le contrat (Suppr)")):
            button.clicked.connect(lambda _checked=False, run=slot: run())
            button.setToolTip(tip)
            button.setAccessibleName(button.text())
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.watch_fields()
        self.refresh()

    def _line(self, name: str, label: str, accessible: str) -> QLineEdit:
        return line_field(self.form, name, label, accessible)

    def watch_fields(self) -> None:
        for edit in (self.name_edit, self.epci_name_edit, self.epci_siren_edit, self.start_edit, self.end_edit,
                     self.framework_edit, self.signed_edit, self.notes_edit):
            edit.textChanged.connect(self.mark_dirty)

    def _check_siren(self, text: str) -> None:
        live_check(self.form, "epci_siren", check_siren, "SIREN valide.")(text)

    # -- what the Contrat tab asks of its pages --------------------------------------------------------------------
    @property
    def form_pending(self) -> bool:
        return False

    def ensure_form(self) -> None:
        """Built at once: nothing waits."""

    def is_dirty(self) -> bool:
        return self._dirty

    def current_record_id(self) -> int | None:
        return self.record_id

    def mark_dirty(self, *_args: object) -> None:
        if not self._loading and not self._dirty:
            self._dirty = True
            self.heading.setText(self.heading.text() + " (modifié)")
            self._update_buttons()

    def _update_buttons(self) -> None:
        self.revert_button.setEnabled(self._dirty)
        self.delete_button.setEnabled(self.record_id is not None)
        row = self.signatories.currentRow()
        self.remove_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.signatories.rowCount() - 1)

    def refresh(self) -> None:
        """Show the base's contract as saved (or an empty form when the base has none yet); unsaved edits stay, as
        a list tab's refresh leaves its form alone."""
        from cvdesk.services.reference import current_contract

        if self._dirty:
            return
        contract = current_contract()
        self.show_record(contract.id if contract is not None else None)

    def reload_choices(self) -> None:
        """No pick lists here."""

    def show_record(self, record_id: int | None) -> None:
        from cvdesk.services.signatories import signatories_of

        from cvdesk.services.concurrency import version_of

        record = None
        # Read before the values, as RecordTab does: a save by someone else meanwhile is then caught at the save.
        self.read_version = version_of(Contract, record_id) if record_id is not None else None
        if record_id is not None:
            record = Contract.get_or_none((Contract.id == record_id) & (Contract.deleted == False))  # noqa: E712
        self._loading = True
        try:
            self.form.show_errors({})
            self.error_label.hide()
            self.signatories_error.hide()
            self.record_id = record.id if record is not None else None
            self.heading.setText(record.name if record is not None else "Nouveau contrat")
            self.name_edit.setText(record.name if record else "")
            self.epci_name_edit.setText(record.epci_name if record else "")
            self.epci_siren_edit.setText(record.epci_siren if record else "")
            self.start_edit.set_number(record.start_year if record else None)
            self.end_edit.set_number(record.end_year if record else None)
            self.framework_edit.set_date_value(record.framework_signed_on if record else None)
            self.signed_edit.set_date_value(record.signed_on if record else None)
            self.notes_edit.setPlainText(record.notes if record else "")
            self.source_label.setText((record.reference_source if record else "") or "—")
            self._check_siren(self.epci_siren_edit.text())  # also when the text is as before (no textChanged)
            self.set_signatory_lines(signatories_of(record.id) if record else [])
            self.history.show_record(Contract, record.uuid if record else None)
            self._show_signatory_history(self.signatories.currentRow())
        finally:
            self._loading = False
        self._dirty = False
        self._update_buttons()

    # -- signatories ------------------------------------------------------------------------------------------------
    def set_signatory_lines(self, lines: list[SignatoryLine]) -> None:
        self.signatories.blockSignals(True)
        self.signatories.setRowCount(0)
        for line in lines:
            self._append_row(line)
        self.signatories.blockSignals(False)
        self.signatories.setCurrentCell(-1, -1)

    def _append_row(self, line: SignatoryLine) -> int:
        row = self.signatories.rowCount()
        self.signatories.insertRow(row)
        name = QTableWidgetItem(line.name)
        name.setData(Qt.ItemDataRole.UserRole, line.id)
        self.signatories.setItem(row, 0, name)
        self.signatories.setItem(row, 1, QTableWidgetItem(line.represented_by))
        return row

    def signatory_lines(self) -> list[SignatoryLine]:
        lines = []
        for row in range(self.signatories.rowCount()):
            name, by = self.signatories.item(row, 0), self.signatories.item(row, 1)
            lines.append(SignatoryLine(name.data(Qt.ItemDataRole.UserRole) if name else None,
                                       name.text() if name else "", by.text() if by else ""))
        return lines

    def add_signatory(self) -> None:
        """A new empty line at the end, its name cell open for typing."""
        self.signatories.blockSignals(True)
        row = self._append_row(SignatoryLine(None, ""))
        self.signatories.blockSignals(False)
        self.mark_dirty()
        self.signatories.setCurrentCell(row, 0)
        self.signatories.setFocus()
        self.signatories.editItem(self.signatories.item(row, 0))
        self._update_buttons()

    def remove_signatory(self) -> None:
        """Take the chosen line out; the signatory is deleted (tombstoned) when the contract is saved."""
        row = self.signatories.currentRow()
        if row < 0:
            return
        self.signatories.removeRow(row)
        self.mark_dirty()
        if self.signatories.rowCount():
            self.signatories.setCurrentCell(min(row, self.signatories.rowCount() - 1), 0)
        self._update_buttons()

    def move_signatory(self, delta: int) -> None:
        """Swap the chosen line with its neighbour; the order (1..n) is saved with the contract."""
        row = self.signatories.currentRow()
        target = row + delta
        if row < 0 or not 0 <= target < self.signatories.rowCount():
            return
        lines = self.signatory_lines()
        lines[row], lines[target] = lines[target], lines[row]
        self.set_signatory_lines(lines)
        self.mark_dirty()
        self.signatories.setCurrentCell(target, 0)
        self._update_buttons()

    def _commit_typing(self) -> None:
        """The signatory cell being typed in counts: Ctrl+S leaves the focus in its editor, which has not yet
        handed its text to the table."""
        from PySide6.QtWidgets import QAbstractItemDelegate, QApplication

        editor = QApplication.focusWidget()
        if editor is not None and self.signatories.viewport().isAncestorOf(editor):
            self.signatories.commitData(editor)
            self.signatories.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _show_signatory_history(self, row: int) -> None:
        item = self.signatories.item(row, 0) if row >= 0 else None
        signatory_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        record = Signatory.get_or_none(Signatory.id == signatory_id) if signatory_id is not None else None
        self.signatory_history.show_record(Signatory, record.uuid if record else None)
        if hasattr(self, "revert_button"):
            self._update_buttons()

    # -- the editing cycle ---------------------------------------------------------------------------------------
    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        for name, edit in (("start_year", self.start_edit), ("end_year", self.end_edit),
                           ("framework_signed_on", self.framework_edit), ("signed_on", self.signed_edit)):
            problem = edit.problem()
            if problem:
                errors[name] = problem
        values = {"name": self.name_edit.text(), "epci_name": self.epci_name_edit.text(),
                  "epci_siren": digits_only(self.epci_siren_edit.text()), "start_year": self.start_edit.number(),
                  "end_year": self.end_edit.number(), "framework_signed_on": self.framework_edit.date_value(),
                  "signed_on": self.signed_edit.date_value(), "notes": self.notes_edit.toPlainText()}
        if values["epci_siren"] and (problem := check_siren(values["epci_siren"])):
            errors["epci_siren"] = problem
        return values, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        unplaced = self.form.show_errors({k: v for k, v in errors.items() if k != "signatories"})
        self.signatories_error.setText(errors.get("signatories", ""))
        self.signatories_error.setVisible("signatories" in errors)
        self.error_label.setText("L'enregistrement est refusé : " + " ".join(errors.values()))
        self.error_label.setVisible(bool(errors))
        del unplaced

    def save(self) -> bool:
        from cvdesk.services.signatories import save_contract_and_signatories

        self._commit_typing()
        values, errors = self.collect()
        if errors:
            self.show_errors(errors)
            self.message.emit("Enregistrement refusé : corrigez les champs signalés.")
            return False
        from cvdesk.services.concurrency import ConcurrentEdit, read_at

        try:
            with read_at(Contract, self.record_id, self.read_version):
                result = save_contract_and_signatories(values, self.record_id, self.signatory_lines())
        except ConcurrentEdit as conflict:  # saved by someone else since the form read it: compare and choose
            from cvdesk.ui.conflict_dialog import settle_conflict

            return settle_conflict(self, values, conflict)
        if not result.ok:
            self.show_errors(result.errors)
            self.message.emit("Enregistrement refusé : corrigez les champs signalés.")
            return False
        self.show_record(result.record.id)
        self.message.emit("Enregistré.")
        self.changed.emit()
        return True

    def revert(self) -> None:
        if self._dirty:
            self._ask_about_edits("Les enregistrer, ou les abandonner ?", default_save=False)

    def discard_edits(self) -> None:
        self.show_record(self.record_id)

    def _ask_about_edits(self, question: str, default_save: bool) -> bool:
        from PySide6.QtWidgets import QMessageBox

        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self, "Modifications non enregistrées",
                                      f"Les modifications du contrat ne sont pas enregistrées. {question}",
                                      buttons.Save | buttons.Discard | buttons.Cancel,
                                      buttons.Save if default_save else buttons.Cancel)
        if answer == buttons.Save:
            return self.save()
        if answer == buttons.Discard:
            self.discard_edits()
            return True
        return False

    def maybe_keep_edits(self) -> bool:
        return True if not self._dirty else self._ask_about_edits("Les enregistrer ?", default_save=True)

    def new_record(self) -> None:
        """« Nouveau » here adds a signatory: a base holds one contract (an empty base gets it from this form)."""
        if self.record_id is None:
            self.focus_first_field()
        else:
            self.add_signatory()

    def focus_first_field(self) -> None:
        self.name_edit.setFocus()

    def delete_current(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        focused = QApplication.focusWidget()
        if focused is self.signatories and self.signatories.currentRow() >= 0:
            self.remove_signatory()  # Suppr in the signatories' list takes out the chosen one, not the contract
            return
        if self.record_id is None:
            return

        from cvdesk.services.records import DeletionRefused
        from cvdesk.services.signatories import delete_contract
        from cvdesk.store.errors import StoreError

        answer = QMessageBox.question(
            self, "Supprimer", f"Supprimer le contrat « {self.name_edit.text().strip()} » et ses signataires ? "
            "La suppression sera transmise au siège.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            delete_contract(self.record_id)
        except DeletionRefused as exc:
            self.message.emit("Suppression refusée.")
            QMessageBox.warning(self, "Suppression refusée", str(exc))
            return
        except StoreError as exc:
            QMessageBox.warning(self, "Suppression impossible", str(exc))
            return
        self.message.emit("Contrat supprimé.")
        self._dirty = False
        self.refresh()
        self.changed.emit()

    def go_to(self, record_id: int) -> None:
        self.show_record(record_id)

    def save_settings(self, settings: QSettings) -> None:
        settings.setValue("contract/splitter", self.splitter.saveState())

    def load_settings(self, settings: QSettings) -> None:
        state = settings.value("contract/splitter")
        if state is not None:
            self.splitter.restoreState(state)
