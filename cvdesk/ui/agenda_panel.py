"""A meeting's agenda under its form: the items in their order with each decision, the buttons that compose it and
record the decisions, and the meeting's state (open: decisions recorded only; closed: applied to the actions)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.money import format_money
from cvdesk.domain.status import status_label
from cvdesk.services.meetings import AgendaRow, agenda

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult

COLUMNS = (("N°", 34), ("Action", 90), ("Intitulé", 170), ("Statut", 95), ("Demandé", 95),
           ("Décision", 140), ("Accordé", 95), ("Note", 100))
TITLE = 2  # the column that takes the width left: on a 1366-wide laptop every column fits without a sideways scroll
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class AgendaTable(QTableWidget):
    """The items; Entrée on one opens its decision, Suppr takes it off the agenda."""

    decide = Signal()
    remove = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802, ANN001 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentRow() >= 0:
            self.decide.emit()
            return
        if event.key() == Qt.Key.Key_Delete and self.currentRow() >= 0:
            self.remove.emit()
            return
        super().keyPressEvent(event)


def _button(text: str, tip: str) -> QPushButton:
    button = QPushButton(text)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", "").rstrip("…"))
    return button


class AgendaPanel(QWidget):
    """Shows the agenda of one meeting; the tab connects the buttons to the services."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[AgendaRow] = []
        self.closed = False
        title = QLabel("Ordre du jour et décisions")
        title.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        self.table = AgendaTable(0, len(COLUMNS))
        self.table.setAccessibleName("Ordre du jour de la réunion")
        self.table.setHorizontalHeaderLabels([label for label, _width in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.setMinimumHeight(200)
        for column, (_label, width) in enumerate(COLUMNS):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        self.add_button = _button("A&jouter des actions…", "Choisir les actions que la réunion examinera")
        self.up_button = _button("&Monter", "Avancer le point choisi dans l'ordre du jour")
        self.down_button = _button("Descend&re", "Reculer le point choisi dans l'ordre du jour")
        self.remove_button = _button("Retirer", "Retirer le point choisi de l'ordre du jour (Suppr dans la liste)")
        self.decide_button = _button("Décision…", "Enregistrer la décision sur le point choisi (Entrée)")
        self.close_button = _button("Cl&ore la réunion…", "Appliquer les décisions aux statuts et aux montants "
                                                           "accordés des actions")
        self.reopen_button = _button("Rou&vrir la réunion…", "Rétablir les statuts et montants d'avant la clôture")
        self.pack_button = _button("Dossier de séance (PDF)", "Imprimer le dossier de séance : ordre du jour, "
                                                              "synthèse et fiches des actions")
        self.decisions_button = _button("Relevé de décisions (PDF)", "Imprimer le relevé des décisions")
        edit_row = QHBoxLayout()
        for button in (self.add_button, self.up_button, self.down_button, self.remove_button, self.decide_button):
            edit_row.addWidget(button)
        edit_row.addStretch(1)
        state_row = QHBoxLayout()
        for button in (self.close_button, self.reopen_button):
            state_row.addWidget(button)
        state_row.addStretch(1)
        for button in (self.pack_button, self.decisions_button):
            state_row.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.state_label)
        layout.addLayout(edit_row)
        layout.addWidget(self.table)
        layout.addLayout(state_row)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.show_meeting(None, False)

    def show_meeting(self, meeting_id: int | None, closed: bool) -> None:
        """The agenda of this meeting (None: a meeting not saved yet, which has none)."""
        current = self.current_row()
        self.closed = closed
        self.meeting_id = meeting_id
        self.rows = agenda(meeting_id) if meeting_id is not None else []
        self.table.setRowCount(len(self.rows))
        for number, row in enumerate(self.rows):
            decided = row.decided_amount
            texts = (str(number + 1), row.reference, row.title, status_label(row.status), format_money(row.requested),
                     row.decision_text, "—" if decided is None else format_money(decided),
                     row.notes.replace("\n", " "))
            for column, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(f"{row.reference} – {row.title} ({row.porteur})" if column in (1, 2) else text)
                if column in (0, 4, 6):
                    item.setTextAlignment(RIGHT)
                self.table.setItem(number, column, item)
        if meeting_id is None:
            self.state_label.setText("Enregistrez la réunion pour composer son ordre du jour.")
        elif closed:
            self.state_label.setText("<b>Réunion close</b> : ses décisions sont appliquées aux statuts et aux montants "
                                     "accordés des actions. Rouvrez-la pour les modifier.")
        else:
            decided = sum(1 for row in self.rows if row.outcome)
            self.state_label.setText(f"<b>Réunion ouverte</b> : {len(self.rows)} point{'s' if len(self.rows) > 1 else ''}"
                                     f", {decided} décision{'s' if decided > 1 else ''} enregistrée"
                                     f"{'s' if decided > 1 else ''}. Les décisions s'appliquent aux actions à la "
                                     "clôture.")
        if current is not None:
            self.select_item(current.item_id)
        self._update_buttons()

    def checked(self, write: Callable[[], SaveResult]) -> SaveResult:
        """A change of the agenda (a move, a removal) checked against the items as this panel read them, as a form's
        save is: when someone else decided, moved or removed one since, nothing is written, the agenda is shown
        again as it is stored, and the refusal carries the forms' French sentence."""
        from cvdesk.services.concurrency import ConcurrentEdit, read_many
        from cvdesk.services.records import SaveResult
        from cvdesk.store.models import MeetingItem

        try:
            with read_many(MeetingItem, {row.item_id: row.version for row in self.rows}):
                return write()
        except ConcurrentEdit as conflict:
            self.show_meeting(self.meeting_id, self.closed)
            return SaveResult(errors={"": f"{conflict} L'ordre du jour est maintenant affiché tel qu'il est "
                                          "enregistré : recommencez si besoin."})

    def current_row(self) -> AgendaRow | None:
        index = self.table.currentRow()
        return self.rows[index] if 0 <= index < len(self.rows) and self.table.selectedItems() else None

    def select_item(self, item_id: int) -> None:
        for index, row in enumerate(self.rows):
            if row.item_id == item_id:
                self.table.selectRow(index)
                return

    def _update_buttons(self) -> None:
        saved = self.meeting_id is not None
        editable = saved and not self.closed
        row = self.current_row()
        self.add_button.setEnabled(editable)
        self.remove_button.setEnabled(editable and row is not None)
        self.decide_button.setEnabled(editable and row is not None)
        index = self.table.currentRow() if row is not None else -1
        self.up_button.setEnabled(editable and index > 0)
        self.down_button.setEnabled(editable and 0 <= index < len(self.rows) - 1)
        self.close_button.setVisible(not self.closed)
        self.close_button.setEnabled(saved)
        self.reopen_button.setVisible(self.closed)
        self.pack_button.setEnabled(saved and bool(self.rows))
        self.decisions_button.setEnabled(saved and bool(self.rows))
