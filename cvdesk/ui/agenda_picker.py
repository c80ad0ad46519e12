"""The dialog where a coordinator picks the actions a meeting will examine: filtered by year, status, orientation and
funder (the Actions list's own filters, in SQL), ticked one by one or all at once."""
from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.money import format_money
from cvdesk.domain.status import EN_INSTRUCTION, STATUS_LABELS, status_label
from cvdesk.services import choices
from cvdesk.services.lists import fetch_rows, get_spec, list_ids
from cvdesk.ui.choice_combo import ChoiceCombo
from cvdesk.ui.record_tab import years_newest_first

# Enough for any comité; a national base lists 10,000 actions a year: past this, the filters narrow the list.
SHOWN_AT_MOST = 500
COLUMNS = ("reference", "title", "porteur", "status", "requested")
CHECKED = Qt.CheckState.Checked


def _caption(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


class AgendaPicker(QDialog):
    """Lists the live actions the filters select, the ones already on the agenda left out; checked_ids() are the
    ticked ones in the list's order."""

    def __init__(self, already: Iterable[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ajouter des actions à l'ordre du jour")
        self.already = set(already)
        spec = get_spec("actions")
        self._positions = [[c.key for c in spec.columns].index(key) for key in COLUMNS]
        self._labels = [spec.column(key).label for key in COLUMNS]

        self.search = QLineEdit()
        self.search.setPlaceholderText("Rechercher (référence, intitulé, porteur)…")
        self.search.setAccessibleName("Rechercher une action")
        self.search.setClearButtonEnabled(True)
        self.filters: dict[str, ChoiceCombo] = {}
        grid = QGridLayout()
        grid.addWidget(_caption("&Rechercher :", self.search), 0, 0)
        grid.addWidget(self.search, 0, 1, 1, 3)
        years = years_newest_first()
        statuses = list(STATUS_LABELS.items())
        for position, (key, caption, label, everything, items, default) in enumerate((
                ("year", "A&nnée :", "Année", "toutes", years, years[0][0] if years else None),
                ("status", "&Statut :", "Statut", "tous", statuses, EN_INSTRUCTION),
                ("orientation", "&Orientation :", "Orientation", "toutes",
                 [(c.id, c.label) for c in choices.orientations()], None),
                ("funder", "&Financeur :", "Financeur", "tous", [(c.id, c.label) for c in choices.funders()], None),
        ), start=2):
            combo = ChoiceCombo(f"Filtrer par {label.lower()}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(16)
            combo.set_items([(None, f"{label} : {everything}"), *items])
            combo.set_value(default)
            combo.currentIndexChanged.connect(lambda _i: self.reload())
            row, column = position // 2, (position % 2) * 2
            grid.addWidget(_caption(caption, combo), row, column)
            grid.addWidget(combo, row, column + 1)
            self.filters[key] = combo
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Actions à ajouter")
        self.table.setHorizontalHeaderLabels(self._labels)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(False)
        for column, width in enumerate((130, 300, 200, 110, 110)):
            self.table.setColumnWidth(column, width)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.count_label = QLabel()
        self.all_button = QPushButton("&Tout cocher")
        self.all_button.clicked.connect(lambda: self.check_all(True))
        self.none_button = QPushButton("Tout déco&cher")
        self.none_button.clicked.connect(lambda: self.check_all(False))
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("A&jouter à l'ordre du jour")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        box.addButton(self.all_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.addButton(self.none_button, QDialogButtonBox.ButtonRole.ActionRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        self.table.itemChanged.connect(lambda _item: self._update_ok())

        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(box)
        self.resize(900, 560)  # within a 1366×768 screen, title bar and task bar included
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._timer.start())
        self.reload()

    def selected_filters(self) -> dict[str, object]:
        return {key: combo.value() for key, combo in self.filters.items()}

    def reload(self) -> None:
        """List the actions the search and filters select (at most SHOWN_AT_MOST), none ticked."""
        self._timer.stop()
        search, filters = self.search.text(), self.selected_filters()
        found = [i for i in list_ids("actions", search, filters, limit=SHOWN_AT_MOST + len(self.already) + 1)
                 if i not in self.already]
        ids, more = found[:SHOWN_AT_MOST], len(found) > SHOWN_AT_MOST
        rows = fetch_rows("actions", ids)
        self.table.blockSignals(True)
        self.table.setRowCount(len(ids))
        for row, action_id in enumerate(ids):
            values = rows[action_id]
            for column, (key, position) in enumerate(zip(COLUMNS, self._positions)):
                value = values[position]
                text = (format_money(value) if key == "requested" else status_label(value) if key == "status"
                        else str(value or ""))
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if column == 0:
                    flags |= Qt.ItemFlag.ItemIsUserCheckable
                    item.setCheckState(Qt.CheckState.Unchecked)
                    item.setData(Qt.ItemDataRole.UserRole, action_id)
                if key == "requested":
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setFlags(flags)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)
        shown = len(ids)
        note = (f"{shown} action{'s' if shown > 1 else ''} proposée{'s' if shown > 1 else ''}"
                + (" (celles déjà à l'ordre du jour n'y sont pas)" if self.already else ""))
        if more:
            note += f" ; les {SHOWN_AT_MOST} premières seulement : affinez la recherche ou les filtres"
        self.count_label.setText(note + ".")
        self._update_ok()

    def action_ids(self) -> list[int]:
        return [self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(self.table.rowCount())]

    def checked_ids(self) -> list[int]:
        return [self.table.item(row, 0).data(Qt.ItemDataRole.UserRole) for row in range(self.table.rowCount())
                if self.table.item(row, 0).checkState() == CHECKED]

    def set_checked(self, action_id: int, checked: bool = True) -> None:
        row = self.action_ids().index(action_id)
        self.table.item(row, 0).setCheckState(CHECKED if checked else Qt.CheckState.Unchecked)

    def check_all(self, checked: bool = True) -> None:
        for row in range(self.table.rowCount()):
            self.table.item(row, 0).setCheckState(CHECKED if checked else Qt.CheckState.Unchecked)

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(bool(self.checked_ids()))
