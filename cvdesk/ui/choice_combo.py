"""The pick list of the forms and the list filters: values kept on the Python side, long lists loaded when opened."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QWidget

if TYPE_CHECKING:  # at import, QWheelEvent made PySide build QEvent.Type (about 180 members) before the first paint
    from PySide6.QtGui import QKeyEvent, QWheelEvent


class ChoiceCombo(QComboBox):
    """A combo whose values stay on the Python side: PySide6 6.12 loses a reference to None each time a missing
    item datum comes back from Qt (currentData(), findData()), which ends in a crash."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click or Tab, never the wheel (see wheel_guard)
        self._values: list[Any] = []
        self._loader: Callable[[], list[tuple[Any, str]]] | None = None

    def set_loader(self, loader: Callable[[], list[tuple[Any, str]]]) -> None:
        """Fill the entries after the first one only when the list is opened (1,600 quartiers cost a start-up)."""
        self._loader = loader
        if self.currentIndex() > 0:  # a choice is in use: keep it offered
            self.ensure_loaded()

    def ensure_loaded(self) -> None:
        if self._loader is not None:
            loader, self._loader = self._loader, None
            first = [(self._values[0], self.itemText(0))] if self._values else []
            self.set_items([*first, *loader()])

    def showPopup(self) -> None:
        self.ensure_loaded()
        super().showPopup()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.ensure_loaded()
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.ensure_loaded()
        super().wheelEvent(event)

    def set_items(self, items: Iterable[tuple[Any, str]], keep: bool = True) -> None:
        """Replace the entries by (value, label) pairs, keeping the current value when it is still offered."""
        current = self.value() if keep else None
        self.blockSignals(True)
        self.clear()
        self._values = []
        for value, label in items:
            self._values.append(value)
            self.addItem(label)
        self.setCurrentIndex(self.index_of(current) if keep and self.index_of(current) >= 0 else 0)
        self.blockSignals(False)

    def value(self) -> Any:
        index = self.currentIndex()
        return self._values[index] if 0 <= index < len(self._values) else None

    def index_of(self, value: Any) -> int:
        try:
            return self._values.index(value)
        except ValueError:
            return -1

    def set_value(self, value: Any) -> None:
        self.setCurrentIndex(max(0, self.index_of(value)))
