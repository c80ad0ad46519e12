"""Read-only panels beside a form: the actions of a quartier or a porteur, and funding totals."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.domain.status import status_label
from cvdesk.services.panels import PANEL_LIMIT, ActionLine
from cvdesk.services.totals import Total
from cvdesk.ui.record_table_model import LEFT, RIGHT


def _read_only_table(columns: Sequence[str], accessible_name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(accessible_name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.horizontalHeader().setStretchLastSection(False)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)  # one line per row, elided; the tooltip gives the whole text
    table.setMinimumHeight(150)
    return table


def _item(text: str, right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setTextAlignment(RIGHT if right else LEFT)
    item.setToolTip(text)
    return item


class ActionsPanel(QWidget):
    """The actions of a record; a double-click (or Entrée) on one asks to open it in the Actions tab."""

    action_activated = Signal(int)
    COLUMNS = ("Référence", "Intitulé", "Année", "Statut", "Coût total", "Accordé")

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold")
        self.table = _read_only_table(self.COLUMNS, title)
        self.table.setToolTip("Double-cliquez sur une action pour l'ouvrir.")
        for column, width in enumerate((110, 220, 55, 100, 115, 115)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(self._activated)
        self.table.activated.connect(lambda index: self._activated(index.row(), index.column()))
        self.note = QLabel()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.note)

    def show_actions(self, lines: Sequence[ActionLine]) -> None:
        self.table.setRowCount(len(lines))
        for row, line in enumerate(lines):
            cells = (_item(line.reference), _item(line.title), _item(str(line.year), True),
                     _item(status_label(line.status)), _item(format_money(line.total_cost), True),
                     _item(format_money(line.granted), True))
            cells[0].setData(Qt.ItemDataRole.UserRole, line.id)
            for column, cell in enumerate(cells):
                self.table.setItem(row, column, cell)
        if len(lines) >= PANEL_LIMIT:
            self.note.setText(f"Les {PANEL_LIMIT} actions les plus récentes ; filtrez l'onglet Actions pour les autres.")
        else:
            self.note.setText("Aucune action." if not lines else f"{len(lines)} action(s).")

    def action_id(self, row: int) -> int | None:
        item = self.table.item(row, 0)
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def _activated(self, row: int, _column: int) -> None:
        action_id = self.action_id(row)
        if action_id is not None:
            self.action_activated.emit(action_id)


class TotalsPanel(QWidget):
    """Funding sums by orientation, funder or year, with a total line."""

    def __init__(self, title: str, key_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(title)
        self.title.setStyleSheet("font-weight: bold")
        self.table = _read_only_table((key_label, "Actions", "Demandé", "Accordé", "Versé"), title)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 65), (2, 120), (3, 120), (4, 120)):
            self.table.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)

    def show_totals(self, totals: Sequence[Total]) -> None:
        rows = list(totals)
        self.table.setRowCount(len(rows) + (1 if rows else 0))
        for row, total in enumerate(rows):
            self._fill(row, total.label, total.actions, total.requested, None if total.nothing_decided else total.granted,
                       total.paid)
        if rows:
            font_row = len(rows)
            # Nothing decided yet is « — », as on the sheets, not 0,00 €.
            decided = not all(t.nothing_decided or not t.lines for t in rows) or not any(t.lines for t in rows)
            self._fill(font_row, "Total", None, sum(t.requested for t in rows),
                       sum(t.granted for t in rows) if decided else None, sum(t.paid for t in rows))
            for column in range(self.table.columnCount()):
                font = self.table.item(font_row, column).font()
                font.setBold(True)
                self.table.item(font_row, column).setFont(font)

    def _fill(self, row: int, label: str, actions: int | None, requested: int, granted: int | None, paid: int) -> None:
        cells = (_item(label), _item("" if actions is None else grouped(actions), True),
                 _item(format_money(requested), True), _item("—" if granted is None else format_money(granted), True),
                 _item(format_money(paid), True))
        for column, cell in enumerate(cells):
            self.table.setItem(row, column, cell)

    def rows(self) -> list[tuple[str, ...]]:
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]
