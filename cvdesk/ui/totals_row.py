"""The totals row under a list: « Total (N) » and the sums of the money columns, aligned with the list's columns."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QFont, QPainter, QPaintEvent
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.services.list_totals import ListTotals, list_totals, money_columns
from cvdesk.ui.record_table_model import RecordTableModel

if TYPE_CHECKING:
    from cvdesk.ui.record_tab import RecordTab

CELL_PADDING = 4


def _cents(values: tuple[Any, ...] | None, position: int) -> int:
    """A money column's value in a list row, 0 for an empty cell or a record not listed."""
    return int(values[position] or 0) if values is not None else 0


class TotalsRow(QWidget):
    """One painted line following the view's header: sections resized, moved or scrolled sideways move it too."""

    def __init__(self, view: QTableView, model: RecordTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.model = model
        self.totals: ListTotals | None = None
        self._keys = [column.key for column in model.columns]
        self._money = set(money_columns(model.list_name))
        bold = QFont(self.font())
        bold.setBold(True)
        self.setFont(bold)
        self.setFixedHeight(self.fontMetrics().height() + 10)
        self.setAccessibleName(f"Totaux de la liste des {model.list_name}")
        # The query runs once the row has been painted (the list first shows without waiting for it, and a hidden
        # tab costs nothing); several resets in a row (a filter, then a sort) cost one query.
        self._stale = True
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.refresh)
        header = view.horizontalHeader()
        for signal in (header.sectionResized, header.sectionMoved, header.geometriesChanged,
                       view.horizontalScrollBar().valueChanged):
            signal.connect(lambda *_args: self.update())
        model.modelReset.connect(self.mark_stale)
        # A saved record's amounts or fields changed, in the list or out of it (saved into the filtered year).
        model.record_refreshed.connect(self._record_saved)

    def sizeHint(self) -> QSize:
        return QSize(self.view.sizeHint().width(), self.height())

    def mark_stale(self) -> None:
        """What the list shows has changed: query the totals again at the next paint."""
        self._stale = True
        self.update()

    def _record_saved(self, record_id: int) -> None:
        """One record saved: its old values out of the totals, its new ones in (re-adding 100,000 actions took
        180 ms after each save); queried again when the list cannot tell both."""
        change = self.model.saved_change(record_id)
        if change is None or self.totals is None or self._stale:
            self.mark_stale()
            return
        before, after = change
        if before == after:
            return
        sums = dict(self.totals.sums)
        for position, column in enumerate(self.model.columns):
            if column.key in sums:
                sums[column.key] += _cents(after, position) - _cents(before, position)
        count = self.totals.count + (after is not None) - (before is not None)
        self.totals = ListTotals(count=count, sums=sums)
        self.setToolTip(self.text())
        self.update()

    def refresh(self) -> None:
        """Query the totals of what the list shows now."""
        self._pending.stop()
        self._stale = False
        self.totals = list_totals(self.model.list_name, self.model.search, self.model.filters)
        self.setToolTip(self.text())
        self.update()

    def cell_text(self, key: str) -> str:
        """What the row shows under the column with this key (empty under columns that are not added up)."""
        if self.totals is None:
            return ""
        if key == self._first_key():
            return f"Total ({grouped(self.totals.count)})"
        if key in self.totals.sums:
            return format_money(self.totals.sums[key])
        return ""

    def text(self) -> str:
        """The row as one line, column by column in the order shown (for the tooltip and screen readers)."""
        header = self.view.horizontalHeader()
        parts = []
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            if header.isSectionHidden(logical):
                continue
            text = self.cell_text(self._keys[logical])
            if text:
                label = self.model.columns[logical].label
                parts.append(text if logical == header.logicalIndex(self._first_visual()) else f"{label} : {text}")
        return " · ".join(parts)

    def _first_visual(self) -> int:
        header = self.view.horizontalHeader()
        for visual in range(header.count()):
            if not header.isSectionHidden(header.logicalIndex(visual)):
                return visual
        return 0

    def _first_key(self) -> str:
        header = self.view.horizontalHeader()
        return self._keys[header.logicalIndex(self._first_visual())] if self._keys else ""

    def section_rect(self, logical: int) -> QRect:
        """Where the column's cell lies in this row, in this widget's coordinates."""
        header: QHeaderView = self.view.horizontalHeader()
        viewport = self.view.viewport()
        left = self.mapFrom(self.window(), viewport.mapTo(self.window(), QPoint(header.sectionViewportPosition(logical), 0)))
        return QRect(left.x(), 0, header.sectionSize(logical), self.height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        palette = self.palette()
        # A rectangle drawn with the brush, not fillRect: fillRect's overloads make PySide build QGradient and its
        # 169 presets (about 4 ms) at the window's first paint.
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(palette.alternateBase())
        painter.drawRect(self.rect())
        painter.setPen(palette.mid().color())
        painter.drawLine(0, 0, self.width(), 0)
        viewport = self.view.viewport()
        origin = self.mapFrom(self.window(), viewport.mapTo(self.window(), QPoint(0, 0)))
        painter.setClipRect(QRect(origin.x(), 0, viewport.width(), self.height()))  # never under the scroll bar
        painter.setPen(palette.text().color())
        header = self.view.horizontalHeader()
        metrics = self.fontMetrics()
        for logical, key in enumerate(self._keys):
            if header.isSectionHidden(logical):
                continue
            text = self.cell_text(key)
            if not text:
                continue
            cell = self.section_rect(logical).adjusted(CELL_PADDING, 0, -CELL_PADDING, 0)
            align = Qt.AlignmentFlag.AlignRight if key in self._money else Qt.AlignmentFlag.AlignLeft
            if key == self._first_key():  # « Total (100 000) » may run into the next, empty, columns
                cell.setRight(max(cell.right(), cell.left() + metrics.horizontalAdvance(text)))
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, cell.width())
            painter.drawText(cell, int(align | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()
        if self._stale and not self._pending.isActive():
            self._pending.start()


def install_totals_row(tab: "RecordTab") -> TotalsRow | None:
    """Put a totals row right under the tab's list when the list has money columns; None otherwise."""
    if not money_columns(tab.model.list_name):
        return None
    holder = tab.view.parentWidget()
    layout = holder.layout() if holder is not None else None
    if layout is None:
        return None
    row = TotalsRow(tab.view, tab.model, holder)
    layout.insertWidget(layout.indexOf(tab.view) + 1, row)
    return row  # filled after its first paint, not while the window is built
