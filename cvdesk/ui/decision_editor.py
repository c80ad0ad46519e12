"""The dialog where a coordinator records the meeting's decision on one agenda item: accordée, accordée partiellement
(an amount per funder of the action's plan), ajournée, refusée or none yet, with a note."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.decisions import ADJOURNED, GRANTED, PARTIAL, REFUSED
from cvdesk.domain.money import format_money
from cvdesk.services.meetings import AgendaRow, DecisionLine, agenda, decision_lines, record_decision
from cvdesk.ui.form_widgets import ERROR_TEXT_STYLE, MoneyEdit

if TYPE_CHECKING:
    from cvdesk.services.concurrency import ConcurrentEdit

# The choices with their Alt letters (none taken by the dialog's buttons OK / Annuler).
CHOICES = ((GRANTED, "&Accordée"), (PARTIAL, "Accordée &partiellement"), (ADJOURNED, "A&journée"),
           (REFUSED, "&Refusée"), ("", "&Sans décision pour l'instant"))


class DecisionEditor(QDialog):
    """Edits one item's decision; on OK it is recorded through the services (nothing reaches the action before the
    meeting is closed). A refusal stays in the dialog, said in French under the fields."""

    def __init__(self, row: AgendaRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.row = row
        self.setWindowTitle(f"Décision sur l'action {row.reference}")
        self.lines: list[DecisionLine] = decision_lines(row.item_id)
        heading = QLabel(f"<b>{row.reference}</b> – {_escape(row.title)}<br>{_escape(row.porteur)}")
        heading.setWordWrap(True)

        self.group = QButtonGroup(self)
        choices = QVBoxLayout()
        self.buttons: dict[str, QRadioButton] = {}
        for code, text in CHOICES:
            button = QRadioButton(text)
            button.setAccessibleName(text.replace("&", ""))
            self.group.addButton(button)
            self.buttons[code] = button
            choices.addWidget(button)
            button.toggled.connect(self._outcome_changed)

        plan = QGridLayout()
        plan.addWidget(QLabel("<b>Financeur</b>"), 0, 0)
        plan.addWidget(QLabel("<b>Demandé</b>"), 0, 1)
        plan.addWidget(QLabel("<b>Accordé par la réunion</b>"), 0, 2)
        self.amount_edits: dict[int, MoneyEdit] = {}
        for number, line in enumerate(self.lines, start=1):
            plan.addWidget(QLabel(line.funder), number, 0)
            requested = QLabel(format_money(line.requested))
            requested.setStyleSheet("font-family: monospace;")
            plan.addWidget(requested, number, 1)
            edit = MoneyEdit(f"Montant accordé par {line.funder}", optional=False)
            edit.set_cents(line.decided if line.decided is not None else line.requested)
            plan.addWidget(edit, number, 2)
            self.amount_edits[line.funder_id] = edit
        if not self.lines:
            plan.addWidget(QLabel("Cette action n'a aucun financeur dans son plan."), 1, 0, 1, 3)

        self.note_edit = QPlainTextEdit(row.notes)
        self.note_edit.setAccessibleName("Note sur la décision")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(70)
        note_label = QLabel("&Note :")
        note_label.setBuddy(self.note_edit)
        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_TEXT_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("Enregistrer la décision")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(choices)
        layout.addWidget(QLabel("Plan de financement (montants saisis pour un accord partiel) :"))
        layout.addLayout(plan)
        layout.addWidget(note_label)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.error_label)
        layout.addWidget(box)
        self.buttons.get(row.outcome, self.buttons[""]).setChecked(True)
        self._outcome_changed()
        self.buttons.get(row.outcome, self.buttons[""]).setFocus()
        self._as_opened = self._state()

    def _state(self) -> tuple[object, ...]:
        return (self.outcome(), tuple(edit.text() for edit in self.amount_edits.values()),
                self.note_edit.toPlainText())

    def is_changed(self) -> bool:
        return self._state() != self._as_opened

    def reject(self) -> None:
        """Échap or « Annuler »: a changed decision is dropped only once the coordinator says so."""
        if self.is_changed():
            from PySide6.QtWidgets import QMessageBox

            answer = QMessageBox.question(
                self, "Décision non enregistrée",
                f"La décision sur l'action {self.row.reference} n'est pas enregistrée. L'abandonner ?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().reject()

    def outcome(self) -> str:
        return next(code for code, button in self.buttons.items() if button.isChecked())

    def choose(self, outcome: str) -> None:
        self.buttons[outcome].setChecked(True)

    def _outcome_changed(self, _checked: bool = False) -> None:
        partial = self.outcome() == PARTIAL if hasattr(self, "note_edit") else False
        for edit in self.amount_edits.values():
            edit.setEnabled(partial)

    def accept(self) -> None:
        """Record the decision; a refused one keeps the dialog open with the reason."""
        outcome = self.outcome()
        amounts: dict[int, int] | None = None
        if outcome == PARTIAL:
            amounts = {}
            for funder_id, edit in self.amount_edits.items():
                problem = edit.problem()
                cents = edit.cents()
                if problem or cents is None:
                    edit.setFocus()
                    return self._refuse(problem or f"Indiquez le montant accordé ({edit.accessibleName()}).")
                amounts[funder_id] = cents
        from cvdesk.services.concurrency import ConcurrentEdit, read_at
        from cvdesk.store.models import MeetingItem

        # Checked against the item as the agenda read it, as a form's save is: another coordinator's decision
        # recorded meanwhile is never overwritten unseen.
        try:
            with read_at(MeetingItem, self.row.item_id, self.row.version):
                result = record_decision(self.row.item_id, outcome, amounts, self.note_edit.toPlainText())
        except ConcurrentEdit as conflict:
            return self._refuse_stale(conflict)
        if not result.ok:
            return self._refuse(" ".join(result.errors.values()))
        super().accept()

    def _refuse_stale(self, conflict: ConcurrentEdit) -> None:
        """Someone else recorded this item's decision since the agenda was read: say so with the forms' sentence and
        what is stored now; this dialog's choice stays as typed, and a second « Enregistrer la décision » replaces
        theirs knowingly (the version they left is the one checked then)."""
        from dataclasses import replace

        now = self._stored_row()
        if now is None:
            return self._refuse(f"{conflict} Ce point n'est plus à l'ordre du jour.")
        self.row = replace(self.row, version=now.version)
        self._refuse(f"{conflict} Décision enregistrée maintenant : {now.decision_text}"
                     f"{f' (note : {now.notes})' if now.notes else ''}. « Enregistrer la décision » la remplacera "
                     "par la vôtre ; « Annuler » la garde.")

    def _stored_row(self) -> AgendaRow | None:
        from cvdesk.store.models import MeetingItem

        item = MeetingItem.get_or_none(MeetingItem.id == self.row.item_id)
        if item is None or item.deleted:
            return None
        return next((row for row in agenda(item.meeting_id) if row.item_id == self.row.item_id), None)

    def _refuse(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
