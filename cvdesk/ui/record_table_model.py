"""The id-backed table model of a list: it holds ids sorted and filtered in SQL and fetches rows lazily by batches."""
from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from cvdesk.domain.axes import PILLARS
from cvdesk.domain.dates import format_date
from cvdesk.domain.money import format_money
from cvdesk.domain.numbers import grouped
from cvdesk.domain.status import status_label
from cvdesk.services.lists import Column, count, fetch_rows, get_spec, list_ids

AnyIndex = QModelIndex | QPersistentModelIndex

# The first page shows at once; the remaining ids load when the view scrolls past it.
FIRST_PAGE = 200
# Rows fetched around the one the view asks for, and how many rows the cache keeps.
BATCH_BEFORE, BATCH_AFTER = 40, 160
CACHE_LIMIT = 5000

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
NUMERIC_KINDS = frozenset({"money", "int", "year"})
# The roles as plain ints: a view asks data() about a dozen roles per cell at every paint (about 920 calls for the
# first one), most of which the list does not answer; comparing ints skips the enum lookups.
DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
USER_ROLE = int(Qt.ItemDataRole.UserRole)
_ANSWERED_ROLES = frozenset({DISPLAY_ROLE, TOOLTIP_ROLE, ALIGNMENT_ROLE, USER_ROLE})


def cell_text(column: Column, value: Any) -> str:
    """A stored value as the list shows it."""
    if value is None:
        return ""
    if column.kind == "money":
        return format_money(int(value))
    if column.kind == "status":
        return status_label(str(value))
    if column.kind == "bool":
        return "Oui" if value else "Non"
    if column.kind == "int":
        return grouped(int(value))
    if column.kind == "pillar":
        return PILLARS.get(str(value), str(value))
    if column.kind == "date":
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        return format_date(day)
    return str(value)


class RecordTableModel(QAbstractTableModel):
    """Ids of one list (services.lists) in SQL order; the column values of the visible rows only."""

    completed = Signal(int)  # every id is loaded: the number of records listed
    # A saved record's values changed, listed or not: one that now matches the search and filters (or no longer
    # does) changes what they select, which the totals row counts.
    record_refreshed = Signal(int)


    def __init__(self, list_name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = get_spec(list_name)
        self.list_name = list_name
        self.columns: tuple[Column, ...] = self.spec.columns
        self._alignments = tuple(int(RIGHT if column.kind in NUMERIC_KINDS else LEFT) for column in self.columns)
        self.search = ""
        self.filters: dict[str, Any] = {}
        self.sort_key = self.spec.default_sort
        self.descending = False
        self._ids: list[int] = []
        self._complete = True
        self._cache: dict[int, tuple[Any, ...]] = {}
        self._generation = 0

    # -- what is listed -----------------------------------------------------------------------------------------
    def set_search(self, text: str) -> None:
        if text.strip() != self.search:
            self.search = text.strip()
            self.reload()

    def set_filters(self, filters: Mapping[str, Any]) -> None:
        clean = {key: value for key, value in filters.items() if value is not None}
        if clean != self.filters:
            self.filters = clean
            self.reload()

    def reload(self) -> None:
        """Query the first page of ids again (after a search, a filter, a sort or a save).

        The other ids load only when needed: when the view scrolls past the first page (fetchMore), or when a
        record must be found in the list. A sort on 100,000 rows is thus a LIMIT query, not a full read."""
        self._generation += 1
        self.beginResetModel()
        self._ids = list_ids(self.list_name, self.search, self.filters, self.sort_key, self.descending,
                             limit=FIRST_PAGE)
        self._cache.clear()
        self._complete = len(self._ids) < FIRST_PAGE
        self.endResetModel()
        if self._complete:
            self.completed.emit(len(self._ids))

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:
        if parent.isValid() or self._complete:
            return
        every = list_ids(self.list_name, self.search, self.filters, self.sort_key, self.descending)
        loaded = len(self._ids)
        self._complete = True
        if every[:loaded] != self._ids:  # the list changed meanwhile (an import): start again
            self.beginResetModel()
            self._ids = every
            self._cache.clear()
            self.endResetModel()
        elif len(every) > loaded:
            self.beginInsertRows(QModelIndex(), loaded, len(every) - 1)
            self._ids = every
            self.endInsertRows()
        self.completed.emit(len(self._ids))

    def ensure_complete(self) -> None:
        """Load every id now (to find a record in the list)."""
        self.fetchMore(QModelIndex())

    def matching_count(self) -> int:
        """How many records match, loaded or not (a cheap count unless a search needs the joined tables)."""
        return len(self._ids) if self._complete else count(self.list_name, self.search, self.filters)

    @property
    def is_complete(self) -> bool:
        return self._complete

    def total(self) -> int | None:
        """How many records are listed, once every id is loaded."""
        return len(self._ids) if self._complete else None

    def record_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, record_id: int) -> int | None:
        self.ensure_complete()
        try:
            return self._ids.index(record_id)
        except ValueError:
            return None

    def refresh_record(self, record_id: int) -> str:
        """Show a saved record as the list now stands, without querying its ids again when its row cannot move.

        Its row and its neighbours are read in the list's own order (services.list_place): in the same order, the
        row changes in place; no longer matching the search or filters, it leaves the list; elsewhere in the order
        (its sort value changed), or newly matching, the list reloads. Returns "kept", "hidden", "reloaded" or
        "unlisted" (not among the loaded rows, before or after)."""
        from cvdesk.services.list_place import shown_rows_in_order

        before = self._cache.pop(record_id, None)  # its values as the list showed them (and the totals row counted)
        try:
            row = self._ids.index(record_id)  # among the loaded ids only: a save never loads the whole list
        except ValueError:
            row = None
        if row is not None:
            probe = self._ids[max(0, row - 1):row + 2]
        else:  # compared with the last loaded row: sorted before it, it belongs to the rows already shown
            probe = [record_id, *self._ids[-1:]] if not self._complete else [record_id]
        # The place and the new values in one query: {id: values} of the rows shown, in the list's order.
        shown_rows = {row[0]: tuple(row[1:]) for row in shown_rows_in_order(
            self.list_name, probe, self.search, self.filters, self.sort_key, self.descending)}
        shown = list(shown_rows)
        # Whether it matched the search and filters before its save (None: unknown, maybe past the loaded rows) and
        # after it, with its values then and now: the totals row adds up the difference instead of every match.
        matched_before = True if row is not None else (False if self._complete else None)
        self._saved_change = None
        if matched_before is False or (matched_before and before is not None):
            after = shown_rows.get(record_id)
            self._saved_change = (record_id, before if matched_before else None, after)
            if after is not None and row is not None:
                self._cache[record_id] = after  # the row's repaint reads them
        if row is not None and shown == probe:
            outcome = "kept"
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))
        elif row is not None and record_id not in shown:
            outcome = "hidden"
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._ids[row]
            self.endRemoveRows()
            if self._complete:
                self.completed.emit(len(self._ids))
        elif record_id in shown and (row is not None or self._complete or shown[0] == record_id):
            outcome = "reloaded"
            self.reload()
        else:
            outcome = "unlisted"
        self.record_refreshed.emit(record_id)
        return outcome

    def saved_change(self, record_id: int) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None] | None:
        """The saved record's row values as the list counted them before its save and as it counts them now (None
        for « not listed »), when refresh_record could tell both; else None (the totals must be queried again)."""
        change = getattr(self, "_saved_change", None)
        return change[1:] if change is not None and change[0] == record_id else None

    # -- Qt's model interface -----------------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def _row_values(self, row: int) -> tuple[Any, ...] | None:
        record_id = self._ids[row]
        values = self._cache.get(record_id)
        if values is None:
            if len(self._cache) > CACHE_LIMIT:
                self._cache.clear()
            wanted = [i for i in self._ids[max(0, row - BATCH_BEFORE):row + BATCH_AFTER] if i not in self._cache]
            self._cache.update(fetch_rows(self.list_name, wanted))
            values = self._cache.get(record_id)
            if values is None:  # deleted meanwhile: keep the row blank rather than query it on every paint
                values = self._cache[record_id] = (None,) * len(self.columns)
        return values

    def data(self, index: AnyIndex, role: int = DISPLAY_ROLE) -> Any:
        if role not in _ANSWERED_ROLES:  # first: most calls ask for a font, a colour, a size or a check box
            return None
        row, position = index.row(), index.column()
        if not 0 <= row < len(self._ids) or not 0 <= position < len(self.columns) or not index.isValid():
            return None
        if role == DISPLAY_ROLE or role == TOOLTIP_ROLE:
            values = self._row_values(row)
            return cell_text(self.columns[position], values[position]) if values is not None else None
        if role == ALIGNMENT_ROLE:
            return self._alignments[position]
        return self._ids[row]  # USER_ROLE

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY_ROLE) -> Any:
        if role != DISPLAY_ROLE and role != ALIGNMENT_ROLE:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == DISPLAY_ROLE:
                return self.columns[section].label
            return self._alignments[section]
        if orientation == Qt.Orientation.Vertical and role == DISPLAY_ROLE and 0 <= section < len(self._ids):
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns) or not self.columns[column].sortable:
            return
        key = self.columns[column].key
        descending = order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.sort_key, self.descending):
            self.sort_key, self.descending = key, descending
            self.reload()

    def sort_column(self) -> int:
        for position, column in enumerate(self.columns):
            if column.key == self.sort_key:
                return position
        return 0
