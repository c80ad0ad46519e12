"""The column-mapping step of a spreadsheet import: each column of the file, the field it feeds, and the first rows
as they would read, with their errors, updated as the user chooses."""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cvdesk.exchange.sheet_fields import IMPORTS, fold
from cvdesk.exchange.sheet_preview import SheetPreview, sample_errors
from cvdesk.ui.screen_fit import fit_to_screen

IGNORED_TEXT = "(ignorée)"
ERROR_BRUSH = QBrush(QColor("#f8d7da"))
CELL_WIDTH_MAX = 220
CAPTION_CHARS = 32  # a column's name beside its list, cut (whole in its tooltip) so that the list stays in view


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


class ColumnMappingDialog(QDialog):
    """Which field each column of the file feeds. « Continuer » stays off while a required field has no column;
    choosing a field for one column takes it from the column that had it (a field is fed by one column)."""

    def __init__(self, preview: SheetPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = preview.kind
        self.header = list(preview.header)
        self.sample = list(preview.sample)
        label, self.fields = IMPORTS[self.kind]
        self.setWindowTitle("Correspondance des colonnes")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Import « {label} » depuis {preview.path.name} : dites pour chaque colonne du fichier quel "
                       "champ de cvdesk elle remplit (les champs marqués * sont obligatoires). cvdesk retiendra ce "
                       "choix pour les prochains fichiers qui ont les mêmes colonnes.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        bold = QFont(self.verdict.font())
        bold.setBold(True)
        self.verdict.setFont(bold)
        layout.addWidget(self.verdict)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.combos: list[QComboBox] = []
        form_holder = QWidget()
        form = QFormLayout(form_holder)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        seen: set[str] = set()
        for index, name in enumerate(self.header):
            combo = QComboBox()
            combo.addItem(IGNORED_TEXT, "")
            for f in self.fields:
                combo.addItem(f.label + (" *" if f.required else ""), f.key)
            shown_name = name or f"(colonne {index + 1} sans titre)"
            example = next((_cell(cells[index]) for _, cells in self.sample
                            if index < len(cells) and _cell(cells[index]).strip()), "")
            combo.setAccessibleName(f"Champ de la colonne « {shown_name} »")
            combo.setToolTip(f"Exemple : {example}" if example else "Colonne vide dans les premières lignes")
            if not name or fold(name) in seen:
                # Columns are remembered by name: one without a name, or named like an earlier one, cannot be told apart.
                combo.setEnabled(False)
                combo.setToolTip("Colonne sans titre, ou de même nom qu'une précédente : cvdesk l'ignore.")
            else:
                combo.setCurrentIndex(max(0, combo.findData(preview.columns.get(name, ""))))
            seen.add(fold(name))
            caption = QLabel(shown_name if len(shown_name) <= CAPTION_CHARS else shown_name[:CAPTION_CHARS - 1] + "…")
            caption.setToolTip(shown_name)
            caption.setBuddy(combo)
            form.addRow(caption, combo)
            combo.currentIndexChanged.connect(lambda _i, c=combo: self._chosen(c))
            self.combos.append(combo)
        scroll = QScrollArea()
        scroll.setWidget(form_holder)
        scroll.setWidgetResizable(True)
        # Only up and down: a sideways scroll to reach a list would hide the column names.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(form_holder.sizeHint().width() + scroll.verticalScrollBar().sizeHint().width() + 4)
        splitter.addWidget(scroll)

        right = QSplitter(Qt.Orientation.Vertical)
        self.rows = QTableWidget(len(self.sample), len(self.header))
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setVerticalHeaderLabels([str(line) for line, _ in self.sample])
        self.rows.verticalHeader().setDefaultSectionSize(24)
        self.rows.setAccessibleName("Premières lignes du fichier")
        for r, (_, cells) in enumerate(self.sample):
            for c in range(len(self.header)):
                text = _cell(cells[c]) if c < len(cells) else ""
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.rows.setItem(r, c, item)
        right.addWidget(self.rows)
        self.errors = QTableWidget(0, 4)
        self.errors.setHorizontalHeaderLabels(["Ligne", "Colonne", "Valeur", "Problème"])
        self.errors.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.errors.verticalHeader().setVisible(False)
        self.errors.verticalHeader().setDefaultSectionSize(24)
        self.errors.setAccessibleName("Erreurs des premières lignes")
        self.errors.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        right.addWidget(self.errors)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(0, False)
        layout.addWidget(splitter, 1)

        buttons = QDialogButtonBox()
        self.continue_button = buttons.addButton("&Continuer", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Annuler", QDialogButtonBox.ButtonRole.RejectRole)
        self.continue_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update()
        fit_to_screen(self, QSize(1240, 700))
        first = next((c for c in self.combos if c.isEnabled()), None)
        if first is not None:
            first.setFocus()

    def columns(self) -> dict[str, str]:
        """The mapping chosen: each named column and its field key ("" when ignored)."""
        return {name: combo.currentData() for name, combo in zip(self.header, self.combos) if combo.isEnabled()}

    def choose(self, header: str, label: str) -> None:
        """Pick a field for a column by its French label, as a user would in the list (for scripts and tests)."""
        combo = self.combos[self.header.index(header)]
        combo.setCurrentIndex(combo.findText(label, Qt.MatchFlag.MatchStartsWith))

    def _chosen(self, combo: QComboBox) -> None:
        key = combo.currentData()
        if key:
            for other in self.combos:
                if other is not combo and other.currentData() == key:
                    other.blockSignals(True)
                    other.setCurrentIndex(0)
                    other.blockSignals(False)
        self._update()

    def _update(self) -> None:
        columns = self.columns()
        missing, errors = sample_errors(self.header, self.sample, self.fields, columns)
        labels = {f.key: f.label for f in self.fields}
        for c, name in enumerate(self.header):
            target = labels[columns[name]] if columns.get(name) else IGNORED_TEXT
            shown = name or "(sans titre)"
            cut = shown if len(shown) <= CAPTION_CHARS else shown[:CAPTION_CHARS - 1] + "…"
            item = QTableWidgetItem(f"{cut}\n→ {target}")
            item.setToolTip(f"{shown} → {target}")
            self.rows.setHorizontalHeaderItem(c, item)
        self.rows.resizeColumnsToContents()
        for c in range(self.rows.columnCount()):
            self.rows.setColumnWidth(c, min(self.rows.columnWidth(c), CELL_WIDTH_MAX))
        faulty = {(e.line, e.column): e.reason for e in errors}
        bold = QFont(self.rows.font())
        for r, (line, _) in enumerate(self.sample):
            for c, name in enumerate(self.header):
                item = self.rows.item(r, c)
                reason = faulty.get((line, name))
                item.setBackground(ERROR_BRUSH if reason else QBrush())
                item.setToolTip(f"{item.text()}\n{reason}" if reason else item.text())
                bold.setBold(bool(columns.get(name)))
                item.setFont(bold)
        self.errors.setRowCount(len(errors))
        for r, e in enumerate(errors):
            for c, text in enumerate((str(e.line), e.column, e.value, e.reason)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.errors.setItem(r, c, item)
        for c in range(3):  # the reason takes the width left
            self.errors.resizeColumnToContents(c)
            self.errors.setColumnWidth(c, min(self.errors.columnWidth(c), CELL_WIDTH_MAX))
        shown = len(self.sample)
        first = "la première ligne" if shown == 1 else f"les {shown} premières lignes"
        if missing:
            verdict = (f"Champ{'s' if len(missing) > 1 else ''} obligatoire{'s' if len(missing) > 1 else ''} sans "
                       f"colonne : {', '.join(missing)}. Choisissez la colonne qui le contient.")
        elif not shown:
            verdict = "Le fichier n'a aucune ligne de données sous ses titres de colonnes."
        elif errors:
            verdict = (f"{len(errors)} erreur(s) dans {first} (en rouge) : vérifiez que chaque colonne va au bon "
                       "champ. L'aperçu complet suit.")
        else:
            reads = "se lit" if shown == 1 else "se lisent"
            verdict = f"{first[0].upper()}{first[1:]} {reads} sans erreur. L'aperçu complet suit."
        self.verdict.setText(verdict)
        self.continue_button.setEnabled(not missing)
