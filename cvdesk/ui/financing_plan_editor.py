"""The financing plan of an action as an editable table, with live totals, own funds and visible warnings."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.financing import PlanLine, check_plan, plan_totals
from cvdesk.domain.money import format_money
from cvdesk.services.actions import FundingInput
from cvdesk.services.choices import Choice
from cvdesk.ui.form_widgets import ERROR_STYLE, WARNING_TEXT_STYLE, ChoiceCombo, MoneyEdit, restyle
from cvdesk.ui.record_table_model import RIGHT

AMOUNTS = (("requested", "Demandé"), ("granted", "Accordé"), ("paid", "Versé"))


class FinancingPlanEditor(QWidget):
    """One line per funder (requested, granted, paid); totals and own funds follow every keystroke."""

    plan_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._funders: list[Choice] = []
        self._total_cost = 0
        self._kept: list[FundingInput | None] = []  # decision date and notes the table does not edit
        self._rebuilding = False
        self.table = QTableWidget(0, 4)
        self.table.setAccessibleName("Plan de financement")
        self.table.setHorizontalHeaderLabels(["Financeur", "Demandé", "Accordé", "Versé"])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in (1, 2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, 112)
        self.table.setMinimumHeight(140)
        self.add_button = QPushButton("Ajouter un financeur")
        self.add_button.setAccessibleName("Ajouter une ligne au plan de financement")
        self.add_button.clicked.connect(self._add_clicked)
        self.remove_button = QPushButton("Retirer la ligne")
        self.remove_button.setAccessibleName("Retirer la ligne sélectionnée du plan de financement")
        self.remove_button.clicked.connect(self.remove_current_line)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        self.total_labels: dict[str, QLabel] = {}
        totals = QGridLayout()
        for column, (key, caption) in enumerate((("requested", "Total demandé"), ("granted", "Total accordé"),
                                                 ("paid", "Total versé"), ("own_funds", "Autofinancement"))):
            title = QLabel(caption)
            value = QLabel(format_money(0))
            value.setAlignment(RIGHT)
            value.setAccessibleName(caption)
            value.setStyleSheet("font-weight: bold")
            totals.addWidget(title, 0, column)
            totals.addWidget(value, 1, column)
            self.total_labels[key] = value
        self.warning_label = QLabel()
        self.warning_label.setStyleSheet(WARNING_TEXT_STYLE)
        self.warning_label.setWordWrap(True)
        self.warning_label.setAccessibleName("Avertissements du plan de financement")
        self.warning_label.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        layout.addLayout(totals)
        layout.addWidget(self.warning_label)

    # -- content ---------------------------------------------------------------------------------------------------
    def set_funders(self, funders: Sequence[Choice]) -> None:
        """The funders the lines offer; the lines already in the table offer them too (each keeping its funder):
        refilled in place, an old line's list lacked a funder that arrived since (an import, the Contrat tab) and
        showed, then saved, the first funder instead."""
        self._funders = list(funders)
        items = [(choice.id, choice.label) for choice in self._funders]
        for row in range(self.table.rowCount()):
            self.funder_combo(row).set_items(items)

    def set_total_cost(self, cents: int) -> None:
        self._total_cost = cents
        self._update_totals()

    def set_lines(self, lines: Sequence[FundingInput]) -> None:
        self._rebuilding = True  # removing a focused amount finishes its editing: no totals from half a table
        try:
            if self.table.rowCount() == len(lines):  # same shape (after a save): refill the inputs in place
                for row, line in enumerate(lines):
                    self.funder_combo(row).set_value(line.funder_id)
                    for key, _ in AMOUNTS:
                        self.amount_edit(row, key).set_cents(getattr(line, key))
                self._kept = list(lines)
            else:
                self.table.setRowCount(0)
                self._kept = []
                for line in lines:
                    self.add_line(line, emit=False)
        finally:
            self._rebuilding = False
        self._chain_tab_order()
        self._update_totals()

    def _chain_tab_order(self) -> None:
        """Tab goes through the lines in reading order, then on to the buttons: cell widgets join the window's
        chain where they are created (at its end, after « Enregistrer »), so Tab from the last amount jumped to
        the tab bar and skipped the rest of the form."""
        previous: QWidget = self.table
        for row in range(self.table.rowCount()):
            for column in range(self.table.columnCount()):
                cell = self.table.cellWidget(row, column)
                if cell is not None:
                    QWidget.setTabOrder(previous, cell)
                    previous = cell

    def add_line(self, line: FundingInput | None = None, emit: bool = True) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        combo = ChoiceCombo(f"Financeur de la ligne {row + 1}")
        combo.set_items([(choice.id, choice.label) for choice in self._funders], keep=False)
        if line is not None:
            combo.set_value(line.funder_id)
        else:
            used = {self.funder_id(r) for r in range(row)}
            free = next((i for i, choice in enumerate(self._funders) if choice.id not in used), 0)
            combo.setCurrentIndex(free)
        combo.currentIndexChanged.connect(self._changed)
        self.table.setCellWidget(row, 0, combo)
        for column, (key, label) in enumerate(AMOUNTS, start=1):
            edit = MoneyEdit(f"{label}, ligne {row + 1}")
            edit.set_cents(getattr(line, key) if line is not None else None)
            edit.textChanged.connect(self._changed)
            self.table.setCellWidget(row, column, edit)
        self._kept.append(line)
        if emit:
            self._chain_tab_order()
            self._changed()
            self.amount_edit(row, "requested").setFocus()
        return row

    def _add_clicked(self) -> None:
        self.add_line()

    def remove_current_line(self) -> None:
        row = self.table.currentRow()
        if row < 0:
            row = self.table.rowCount() - 1
        if row < 0:
            return
        self._rebuilding = True
        try:
            self.table.removeRow(row)
            del self._kept[row]
        finally:
            self._rebuilding = False
        self._changed()

    # -- reading -----------------------------------------------------------------------------------------------------
    def funder_combo(self, row: int) -> ChoiceCombo:
        return self.table.cellWidget(row, 0)

    def amount_edit(self, row: int, key: str) -> MoneyEdit:
        column = 1 + [k for k, _ in AMOUNTS].index(key)
        return self.table.cellWidget(row, column)

    def funder_id(self, row: int) -> int | None:
        return self.funder_combo(row).value()

    def lines(self) -> tuple[list[FundingInput], dict[str, str]]:
        """The plan for the service, and the amounts that cannot be read (keyed funding.N.field)."""
        lines: list[FundingInput] = []
        errors: dict[str, str] = {}
        for row in range(self.table.rowCount()):
            funder_id = self.funder_id(row)
            if funder_id is None:
                errors[f"funding.{row}.funder"] = f"Ligne {row + 1} : choisissez un financeur."
                continue
            amounts: dict[str, int | None] = {}
            for key, label in AMOUNTS:
                edit = self.amount_edit(row, key)
                problem = edit.problem()
                if problem:
                    errors[f"funding.{row}.{key}"] = f"Ligne {row + 1}, {label.lower()} : {problem}"
                amounts[key] = edit.cents()
            kept = self._kept[row]
            base = kept if kept is not None else FundingInput(funder_id)
            lines.append(replace(base, funder_id=funder_id, requested=amounts["requested"] or 0,
                                 granted=amounts["granted"], paid=amounts["paid"]))
        return lines, errors

    def show_errors(self, errors: dict[str, str]) -> None:
        for row in range(self.table.rowCount()):
            restyle(self.funder_combo(row), ERROR_STYLE if f"funding.{row}.funder" in errors else "")
            for key, _ in AMOUNTS:
                message = errors.get(f"funding.{row}.{key}")
                restyle(self.amount_edit(row, key), ERROR_STYLE if message else "", message or "")

    def total_text(self, key: str) -> str:
        return self.total_labels[key].text()

    def warnings(self) -> list[str]:
        return [w for w in self.warning_label.text().split("\n") if w]

    # -- live totals -------------------------------------------------------------------------------------------------
    def _changed(self, *_args: object) -> None:
        if self._rebuilding:
            return
        self._update_totals()
        self.plan_changed.emit()

    def _plan_lines(self) -> list[PlanLine]:
        lines = []
        for row in range(self.table.rowCount()):
            combo = self.funder_combo(row)
            lines.append(PlanLine(combo.currentText(), self.amount_edit(row, "requested").cents() or 0,
                                  self.amount_edit(row, "granted").cents(), self.amount_edit(row, "paid").cents()))
        return lines

    def _update_totals(self) -> None:
        lines = self._plan_lines()
        totals = plan_totals(self._total_cost, lines)
        for key in ("requested", "granted", "paid", "own_funds"):
            self.total_labels[key].setText(format_money(getattr(totals, key)))
        restyle(self.total_labels["own_funds"],
                "font-weight: bold; color: #c0392b;" if totals.own_funds < 0 else "font-weight: bold")
        funders = [line.funder for line in lines]
        problems = check_plan(self._total_cost, lines)
        doubles = sorted({name for name in funders if funders.count(name) > 1})
        problems += [f"Le financeur {name} figure deux fois dans le plan." for name in doubles]
        self.warning_label.setText("\n".join(problems))
        self.warning_label.setVisible(bool(problems))
