"""The exchange's dialogs: a summary to read, a spreadsheet preview (mapping and rows in error), the conflicts."""
from __future__ import annotations

from typing import Sequence

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.numbers import grouped
from cvdesk.exchange.conflicts import ConflictView, field_label, resolve_conflict, shown_value
from cvdesk.exchange.sheet_import import SheetPreview
from cvdesk.ui.screen_fit import fit_to_screen


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], parent: QWidget) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(24)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(str(text))
            item.setToolTip(str(text))
            table.setItem(r, c, item)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.resizeColumnsToContents()
    return table


CELL_WIDTH_MAX = 220  # a line's column or value cut beyond (whole in its tooltip): the reason needs the width


def _wrapped(table: QTableWidget) -> QTableWidget:
    """A table of lines and their reasons: the reason, last, takes the width left and wraps, each row as tall as
    its reason, so that a long « à vérifier » reads whole without a mouse."""
    for c in range(table.columnCount() - 1):
        table.setColumnWidth(c, min(table.columnWidth(c), CELL_WIDTH_MAX))
    table.horizontalHeader().setSectionResizeMode(table.columnCount() - 1, QHeaderView.ResizeMode.Stretch)
    table.setWordWrap(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


class SummaryDialog(QDialog):
    """A text to read once the work is done (the merge's table of counts, in a fixed-width font)."""

    def __init__(self, title: str, lines: Sequence[str], parent: QWidget | None = None,
                 accept_text: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit("\n".join(lines))
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox()
        if accept_text:
            self.accept_button = buttons.addButton(accept_text, QDialogButtonBox.ButtonRole.AcceptRole)
            buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        else:
            buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(820, 480))


SHOWN_ROWS = 1000  # rows in error listed in the preview (a table of 100,000 would take seconds to fill)


class SheetPreviewDialog(QDialog):
    """What a spreadsheet import would do: each column and the field it feeds, then each line in error (line, column,
    the cell, the reason) and the points to check. Importing is offered only when there is no error; the columns can
    be mapped again (done(REMAP))."""

    REMAP = 2

    def __init__(self, preview: SheetPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle("Aperçu de l'import du tableur")
        layout = QVBoxLayout(self)
        if preview.ok:
            verdict = (f"{grouped(preview.rows)} ligne(s) lue(s) : {grouped(preview.created)} enregistrement(s) à "
                       f"créer, {grouped(preview.updated)} à mettre à jour. Rien n'est encore écrit.")
        elif preview.missing:
            verdict = preview.first_error()
        else:
            lines = len({e.line for e in preview.errors})
            verdict = (f"{grouped(len(preview.errors))} erreur(s) sur {grouped(lines)} ligne(s) : corrigez le tableur (ou la "
                       "correspondance des colonnes), rien ne sera écrit.")
        self.verdict = QLabel(verdict)
        self.verdict.setWordWrap(True)
        if not preview.ok:
            bold = QFont(self.verdict.font())
            bold.setBold(True)
            self.verdict.setFont(bold)
        layout.addWidget(self.verdict)
        layout.addWidget(QLabel(f"Colonnes de {preview.path.name} ({preview.encoding}) :"))
        self.mapping = _table(("Colonne du tableur", "Champ de cvdesk"),
                              [(h or "(sans titre)", target or "ignorée") for h, target in preview.mapping], self)
        layout.addWidget(self.mapping)
        self.errors = _wrapped(_table(("Ligne", "Colonne", "Valeur", "Problème"),
                                      [(str(e.line), e.column, e.value, e.reason) for e in preview.errors[:SHOWN_ROWS]],
                                      self))
        self.errors.setAccessibleName("Lignes en erreur")
        if preview.errors:
            more = f" (les {SHOWN_ROWS} premières)" if len(preview.errors) > SHOWN_ROWS else ""
            layout.addWidget(QLabel(f"Lignes en erreur{more} :"))
            layout.addWidget(self.errors, 2)
        else:
            self.errors.hide()  # kept for whoever reads it, but out of the layout: it would float over the verdict
        self.warnings = _wrapped(_table(("Ligne", "Colonne", "Valeur", "À vérifier"),
                                        [(str(w.line), w.column, w.value, w.reason)
                                         for w in preview.warnings[:SHOWN_ROWS]], self))
        self.warnings.setAccessibleName("Points à vérifier")
        if preview.warnings:
            layout.addWidget(QLabel(f"{len(preview.warnings)} point(s) à vérifier (ils n'empêchent pas l'import) :"))
            layout.addWidget(self.warnings, 1)
        else:
            self.warnings.hide()
        buttons = QDialogButtonBox()
        self.import_button = buttons.addButton("&Importer", QDialogButtonBox.ButtonRole.AcceptRole)
        self.remap_button = buttons.addButton("Changer les &colonnes…", QDialogButtonBox.ButtonRole.ActionRole)
        self.remap_button.setToolTip("Dire quel champ remplit chaque colonne du fichier")
        self.remap_button.setVisible(bool(preview.header))
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.import_button.setEnabled(preview.ok and bool(preview.items))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.remap_button.clicked.connect(lambda: self.done(self.REMAP))
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(1240, 700))  # as wide as the mapping step: the reasons are long sentences


KEEP_LOCAL, TAKE_INCOMING = "local", "incoming"
NAME_COLUMN_MAX = 380


class ConflictsDialog(QDialog):
    """Each record changed here and in another office: the fields that differ, and which version stays."""

    def __init__(self, conflicts: Sequence[ConflictView], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.conflicts = list(conflicts)
        self.setWindowTitle("Conflits à examiner")
        layout = QVBoxLayout(self)
        intro = QLabel(f"{grouped(len(self.conflicts))} enregistrement(s) ont été modifiés ici et dans un autre bureau depuis "
                       "le dernier échange. La version de ce bureau a été gardée ; choisissez pour chacun la "
                       "version qui reste.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.list = QTableWidget(len(self.conflicts), 4)
        self.list.setHorizontalHeaderLabels(["Type", "Enregistrement", "Reçu de", "Version qui reste"])
        self.list.verticalHeader().setVisible(False)
        self.list.verticalHeader().setDefaultSectionSize(28)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.choices: list[QComboBox] = []
        for row, conflict in enumerate(self.conflicts):
            for column, text in enumerate((conflict.type_label, conflict.label, conflict.from_office)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.list.setItem(row, column, item)
            combo = QComboBox()
            combo.addItem("Celle de ce bureau", KEEP_LOCAL)
            combo.addItem(f"Celle de « {conflict.from_office} »", TAKE_INCOMING)
            combo.setAccessibleName(f"Version qui reste pour {conflict.label}")
            self.list.setCellWidget(row, 3, combo)
            self.choices.append(combo)
        self.list.horizontalHeader().setStretchLastSection(True)
        self.list.resizeColumnsToContents()
        # A long title must not push the choice out of sight: the record's name is cut (whole in its tooltip).
        for column in range(3):
            self.list.setColumnWidth(column, min(self.list.columnWidth(column), NAME_COLUMN_MAX))
        self.list.currentCellChanged.connect(lambda row, *_: self._show(row))
        splitter.addWidget(self.list)
        self.details = QTableWidget(0, 3)
        self.details.setHorizontalHeaderLabels(["Champ", "Version de ce bureau", "Version reçue"])
        self.details.verticalHeader().setVisible(False)
        self.details.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Both versions share the width side by side, whatever their length (whole in their tooltips).
        for column, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents, QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.Stretch)):
            self.details.horizontalHeader().setSectionResizeMode(column, mode)
        splitter.addWidget(self.details)
        layout.addWidget(splitter, 1)
        buttons = QDialogButtonBox()
        self.apply_button = buttons.addButton("Appliquer ces choix", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Plus tard", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.apply)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        fit_to_screen(self, QSize(900, 560))
        if self.conflicts:
            self.list.setCurrentCell(0, 0)
            self._show(0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.conflicts):
            return
        differences = self.conflicts[row].differences
        self.details.setRowCount(len(differences))
        for r, difference in enumerate(differences):
            for c, text in enumerate((field_label(difference.field), shown_value(difference.field, difference.local),
                                      shown_value(difference.field, difference.incoming))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.details.setItem(r, c, item)

    def choose(self, row: int, keep: str) -> None:
        self.choices[row].setCurrentIndex(self.choices[row].findData(keep))

    def apply(self) -> None:
        """Record every choice (the conflicts stay listed until a choice is applied)."""
        for conflict, combo in zip(self.conflicts, self.choices):
            resolve_conflict(conflict.id, combo.currentData())
        self.accept()
