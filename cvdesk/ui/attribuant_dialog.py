"""The question the window asks when a subsidies file (SCDL) has no attribuant column: who granted all its
subsidies, picked among the base's funders or typed as a new one."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget


class AttribuantDialog(QDialog):
    """An editable list of the funders: Entrée imports with the one chosen or typed, Échap gives up."""

    def __init__(self, path: Path, funders: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Qui a attribué ces subventions ?")
        layout = QVBoxLayout(self)
        label = QLabel(f"Le fichier {path.name} n'a pas de colonne d'attribuant : ses subventions ne disent pas qui "
                       "les a attribuées.\nChoisissez le financeur qui l'a publié, ou tapez le nom d'un nouveau "
                       "financeur (il sera créé) ; il sera l'attribuant de toutes les subventions du fichier.")
        label.setWordWrap(True)
        layout.addWidget(label)
        self.combo = QComboBox()
        self.combo.setEditable(True)
        self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.combo.addItems(funders)
        self.combo.setCurrentIndex(-1)  # nothing chosen for the user: an attribuant is never guessed
        self.combo.lineEdit().setPlaceholderText("Nom, sigle ou SIRET du financeur")
        completer = QCompleter(funders, self.combo)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.combo.setCompleter(completer)
        label.setBuddy(self.combo)
        layout.addWidget(self.combo)
        buttons = QDialogButtonBox()
        self.ok_button = buttons.addButton("Continuer avec cet attribuant", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.ok_button.setDefault(True)
        self.ok_button.setEnabled(False)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.combo.editTextChanged.connect(lambda text: self.ok_button.setEnabled(bool(text.strip())))
        layout.addWidget(buttons)
        self.combo.setFocus()
        self.resize(560, self.sizeHint().height())

    def accept(self) -> None:
        if self.attribuant():  # Entrée on an empty field does nothing
            super().accept()

    def attribuant(self) -> str:
        return " ".join(self.combo.currentText().split())


def ask_attribuant(parent: QWidget, path: Path) -> str | None:
    """The attribuant the user names for the whole file, or None when they give up."""
    from cvdesk.exchange.scdl_attribuant import funder_choices

    dialog = AttribuantDialog(path, funder_choices(), parent)
    return dialog.attribuant() if dialog.exec() else None
