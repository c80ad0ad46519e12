"""The "Historique" panel of a record: who changed what, when, and from which office."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from cvdesk.domain.dates import format_moment
from cvdesk.services.history import HistoryEntry, entries_for
from cvdesk.store.models import Record

COLUMNS = ("Date", "Opération", "Bureau", "Utilisateur", "Changements")


class HistoryPanel(QWidget):
    """Read-only list of a record's changes, newest first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("Historique")
        self.title.setStyleSheet("font-weight: bold")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setAccessibleName("Historique des modifications")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((130, 100, 160, 90)):
            self.table.setColumnWidth(column, width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        # The record shown, and its newest history row's id (see show_newer).
        self._shown: tuple[type[Record] | str, str, int] | None = None

    def show_record(self, record_type: type[Record] | str | None, record_uuid: str | None) -> None:
        self.table.setRowCount(0)
        self._shown = None
        if record_type is None or not record_uuid:
            return
        entries = entries_for(record_type, record_uuid)
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            self._fill_row(row, entry)
        self.table.resizeRowsToContents()  # a record has few entries: cheap here
        self._shown = (record_type, record_uuid, max((entry.id for entry in entries), default=0))

    def show_newer(self, record_type: type[Record] | str | None, record_uuid: str | None) -> None:
        """After a save of the record shown: its new entries on top, the others left as they are (a save rebuilt
        the whole table, growing with the record's history). Another record is shown whole."""
        shown = self._shown
        if shown is None or shown[:2] != (record_type, record_uuid) or record_uuid is None:
            self.show_record(record_type, record_uuid)
            return
        self._add_on_top(entries_for(record_type, record_uuid, after_id=shown[2]))

    def add_written(self, record_type: type[Record] | str | None, record_uuid: str | None,
                    written: HistoryEntry | None) -> None:
        """After a save of the record shown: the history row the save wrote for it (None when it wrote none), as
        the save gave it back, on top without reading the history again (a round trip to a server in every save).
        Another record is shown whole."""
        shown = self._shown
        if shown is None or shown[:2] != (record_type, record_uuid) or record_uuid is None:
            self.show_record(record_type, record_uuid)
            return
        if written is not None and written.id > shown[2]:
            self._add_on_top([written])

    def _add_on_top(self, entries: list[HistoryEntry]) -> None:
        """Newer entries of the record shown (newest first) above those shown."""
        shown = self._shown
        if not entries or shown is None:
            return
        record_type, record_uuid = shown[:2]
        for _entry in entries:
            self.table.insertRow(0)
        for row, entry in enumerate(entries):
            self._fill_row(row, entry)
            self.table.resizeRowToContents(row)
        self._shown = (record_type, record_uuid, max(shown[2], *(entry.id for entry in entries)))

    def _fill_row(self, row: int, entry: HistoryEntry) -> None:
        values = (format_moment(entry.at), entry.operation, entry.office, entry.user, entry.describe())
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.table.setItem(row, column, item)

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows, row by row (for tests and screen readers)."""
        return [tuple(self.table.item(r, c).text() for c in range(self.table.columnCount()))
                for r in range(self.table.rowCount())]
