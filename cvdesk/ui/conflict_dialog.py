"""The dialog shown when a save finds the record saved by someone else since it was opened: compare, then choose."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.ui.screen_fit import fit_to_screen

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from cvdesk.services.concurrency import ConcurrentEdit, Difference


class EditingForm(Protocol):
    """What a form settling a conflict offers: a list tab (RecordTab) or the contract's form (ContractForm)."""

    read_version: int | None
    message: SignalInstance

    def save(self) -> bool: ...

    def show_record(self, record_id: int) -> None: ...

KEEP_MINE = "mine"
TAKE_THEIRS = "theirs"
WANTED_SIZE = QSize(760, 420)


class ConflictDialog(QDialog):
    """Field by field, the value typed here and the one saved by the other person; « Garder mes valeurs »
    saves the form over theirs (knowingly), « Reprendre les leurs » drops the form's edits, « Annuler » returns."""

    def __init__(self, conflict: ConcurrentEdit, differences: list[Difference], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choice: str | None = None
        self.setWindowTitle("Fiche modifiée par quelqu'un d'autre")
        layout = QVBoxLayout(self)
        self.sentence = QLabel(str(conflict))
        self.sentence.setWordWrap(True)
        self.sentence.setStyleSheet("font-weight: bold;")
        layout.addWidget(self.sentence)
        if differences:
            intro = "Voici les champs où votre formulaire et la fiche enregistrée diffèrent :"
        else:
            # The Actions form also saves its plan and quartiers, which are rows of their own.
            intro = ("Les champs de la fiche ont les mêmes valeurs dans votre formulaire ; la modification porte sur "
                     "ce qui l'accompagne (plan de financement, quartiers, indicateurs, signataires…).")
        explanation = QLabel(intro)
        explanation.setWordWrap(True)
        layout.addWidget(explanation)
        self.table = QTableWidget(len(differences), 3)
        self.table.setHorizontalHeaderLabels(["Champ", "Votre valeur", "Leur valeur"])
        self.table.setAccessibleName("Différences entre votre formulaire et la fiche enregistrée")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)  # a few rows: no cost
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        for row, difference in enumerate(differences):
            for column, text in enumerate((difference.label, difference.mine, difference.theirs)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        self.table.setVisible(bool(differences))
        layout.addWidget(self.table, 1)

        self.keep_button = QPushButton("&Garder mes valeurs")
        self.keep_button.setToolTip("Enregistrer votre formulaire à la place de leurs modifications")
        self.take_button = QPushButton("&Reprendre les leurs")
        self.take_button.setToolTip("Abandonner vos modifications et afficher la fiche telle qu'elle est enregistrée")
        self.cancel_button = QPushButton("Annuler")
        self.cancel_button.setToolTip("Revenir au formulaire sans rien enregistrer")
        self.keep_button.clicked.connect(lambda: self._choose(KEEP_MINE))
        self.take_button.clicked.connect(lambda: self._choose(TAKE_THEIRS))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_button)
        buttons.addWidget(self.take_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        # Nothing is chosen by Entrée alone: either choice loses someone's work. Entrée, like Échap, goes back to
        # the form (« Annuler » is the default even when the focus moves); a side is chosen by Alt+G or Alt+R, or
        # by Espace on its button.
        for button in (self.keep_button, self.take_button, self.cancel_button):
            button.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self, WANTED_SIZE)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        self.accept()


def settle_conflict(tab: EditingForm, values: dict[str, Any], conflict: ConcurrentEdit) -> bool:
    """Ask the user how to settle a refused save; True once the form is saved or replaced by their values (as
    RecordTab.save answers), False when the user goes back to the form with the edits still unsaved."""
    from cvdesk.services.concurrency import differences

    tab.message.emit("Enregistrement refusé : la fiche a été modifiée par quelqu'un d'autre.")
    shown = differences(conflict.model, conflict.record_id, values)
    dialog = ConflictDialog(conflict, shown, tab)  # type: ignore[arg-type]  (a RecordTab or a ContractForm)
    try:
        dialog.exec()
        choice = dialog.choice
    finally:
        dialog.deleteLater()
    if choice == KEEP_MINE:
        tab.read_version = conflict.current_version  # knowingly over their version; a third save is asked again
        return tab.save()
    if choice == TAKE_THEIRS:
        tab.show_record(conflict.record_id)
        tab.message.emit("Vos modifications sont abandonnées : la fiche est affichée telle qu'elle est enregistrée.")
        return True
    tab.message.emit("Rien n'est enregistré : vos modifications sont toujours dans le formulaire.")
    return False
