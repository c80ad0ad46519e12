"""The dashboard's totals tables (by orientation, by quartier): one row per area, each opening its actions.

Built after the window's first paint (cvdesk.ui.dashboard_tab): a table view asks its Python model for its headers
with a Qt.Orientation, which makes PySide build the whole Qt namespace (cvdesk.ui.qt_numbers says why that waits).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

    from cvdesk.services.dashboard import AreaTotal

AnyIndex = QModelIndex | QPersistentModelIndex
RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
TABLE_ROWS = 8  # rows a totals table shows before it scrolls (a national contract has 1,600 quartiers)


class AreaTotalsModel(QAbstractTableModel):
    """The totals by orientation or by quartier: one row each, the actions, sums and (quartiers) per inhabitant."""

    HEADERS = ("", "Actions", "Coût total", "Demandé", "Accordé", "Versé")

    def __init__(self, with_population: bool, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[AreaTotal] = []
        self.with_population = with_population
        self.headers = self.HEADERS + (("Population", "Par habitant") if with_population else ())

    def set_rows(self, rows: list[AreaTotal]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: N802 (Qt's name)
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 (Qt's name)
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section] if 0 <= section < len(self.headers) else None
        return None

    def cell(self, row: int, column: int) -> str:
        area = self.rows[row]
        total = area.total
        if column == 0:
            return total.label
        if column == 1:
            return grouped(total.actions)
        if 2 <= column <= 5:
            return format_money((total.total_cost, total.requested, total.granted, total.paid)[column - 2])
        if column == 6:
            return grouped(area.population) if area.population else "—"
        return format_money(area.per_inhabitant) if area.per_inhabitant is not None else "—"

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cell(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.rows[index.row()].total.label} : Entrée ou clic pour voir ces actions."
        return None


class AreaTable(QTableView):
    """A totals table whose rows open their actions: a click, or Entrée (or Espace) on the current row."""

    chosen = Signal(object)  # the Selection

    def __init__(self, name: str, with_population: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.totals = AreaTotalsModel(with_population, self)
        self.setModel(self.totals)
        self.setAccessibleName(name)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, self.totals.columnCount()):
            # Money whole up to 999 999 999,99 € (a national programme's orientation costs hundreds of millions).
            self.setColumnWidth(column, {1: 70, 6: 85}.get(column, 135))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.clicked.connect(self._open)
        self.activated.connect(self._open)

    def set_rows(self, rows: list[AreaTotal]) -> None:
        self.totals.set_rows(rows)
        shown = max(1, min(len(rows), TABLE_ROWS))
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + shown * self.verticalHeader()
                            .defaultSectionSize() + 2 * self.frameWidth())

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.chosen.emit(self.totals.rows[index.row()].actions)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Space and self.currentIndex().isValid():
            self._open(self.currentIndex())
            return
        super().keyPressEvent(event)
