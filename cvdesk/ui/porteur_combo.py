"""The porteur of an action: typed with completion over every association, its name opening its record."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel, Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from cvdesk.services import choices


class PorteurCombo(QComboBox):
    """The porteur, typed with completion over every association (thousands of them), or picked from the list."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setAccessibleName("Porteur de l'action")
        self.lineEdit().setPlaceholderText("Tapez une partie du nom de l'association")
        self.setMaxVisibleItems(15)
        self._ids: list[int] = []
        self._index_of: dict[int, int] = {}
        self._by_label: dict[str, int] = {}
        self._names = QStringListModel(self)
        self.setModel(self._names)
        completer = QCompleter(self._names, self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self.loaded = False

    def set_choices(self, porteurs: list[choices.Choice]) -> None:
        text = self.currentText()
        self.blockSignals(True)
        self._names.setStringList([choice.label for choice in porteurs])
        self._ids = [choice.id for choice in porteurs]
        self._index_of = {choice.id: index for index, choice in enumerate(porteurs)}
        self._by_label = {choice.label: choice.id for choice in porteurs}
        self.setCurrentIndex(-1)
        self.setEditText(text)
        self.blockSignals(False)
        self.loaded = True

    def porteur_id(self) -> int | None:
        return self._by_label.get(self.currentText().strip())

    def set_porteur(self, porteur_id: int | None) -> None:
        index = self._index_of.get(porteur_id) if porteur_id is not None else None
        if index is None:
            self.setCurrentIndex(-1)
            self.setEditText("")
            return
        self.setCurrentIndex(index)


class DoubleClickFilter(QObject):
    """Calls back on a double-click of the watched widget (the porteur's name opens its record)."""

    def __init__(self, callback: Any, parent: QObject) -> None:
        super().__init__(parent)
        self.callback = callback

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonDblClick:
            self.callback()
            return True
        return False
