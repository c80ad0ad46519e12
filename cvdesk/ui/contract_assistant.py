"""The new-contract assistant: the EPCI picked from the official reference, then its communes, the period, the
signatories, the orientations and the funders, each page editable; it hands back a ContractPlan to create."""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from cvdesk.domain.numbers import grouped
from cvdesk.ui.screen_fit import fit_to_screen

if TYPE_CHECKING:
    from cvdesk.services.contract_setup import ContractPlan
    from cvdesk.territory.lookup import EpciRef

WANTED_SIZE = QSize(940, 660)  # cut down to the screen: a 1366×768 laptop keeps every page and its buttons in sight
FIRST_YEAR, LAST_YEAR = 2000, 2100  # as the contract setup accepts them
DEFAULT_PERIOD = (2024, 2030)  # the « Engagements Quartiers 2030 »
SUGGESTIONS = 12
NO_PILLAR = "— sans pilier —"


def _row_item(text: str, editable: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
    if editable:
        flags |= Qt.ItemFlag.ItemIsEditable
    item.setFlags(flags)
    return item


def _table(headers: list[str], accessible_name: str) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setAccessibleName(accessible_name)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(26)  # fixed row heights: no resize to contents
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    # Tab leaves the table for the next field, as everywhere else in the forms; the arrows move inside it.
    table.setTabKeyNavigation(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                          | QAbstractItemView.EditTrigger.AnyKeyPressed)
    return table


def _button(text: str, accessible_name: str = "") -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)  # Enter in the page goes to the wizard's « Suivant », never to a side button
    if accessible_name:
        button.setAccessibleName(accessible_name)
    return button


def _move_row(table: QTableWidget, delta: int) -> None:
    """Swap the current row with its neighbour, keeping every cell and cell widget's value."""
    row = table.currentRow()
    other = row + delta
    if row < 0 or not 0 <= other < table.rowCount():
        return
    for column in range(table.columnCount()):
        mine, theirs = table.takeItem(row, column), table.takeItem(other, column)
        table.setItem(row, column, theirs)
        table.setItem(other, column, mine)
        widgets = table.cellWidget(row, column), table.cellWidget(other, column)
        if isinstance(widgets[0], QComboBox) and isinstance(widgets[1], QComboBox):
            first, second = widgets[0].currentIndex(), widgets[1].currentIndex()
            widgets[0].setCurrentIndex(second)
            widgets[1].setCurrentIndex(first)
    table.setCurrentCell(other, table.currentColumn())


class _PlanPage(QWizardPage):
    """A page showing part of the wizard's plan; it reloads when the plan was proposed anew (another EPCI)."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self._loaded = -1
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setAccessibleName("Erreur")
        self.error_label.hide()

    def assistant(self) -> ContractAssistant:
        return self.wizard()  # type: ignore[return-value]

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        assistant = self.assistant()
        if assistant.plan is not None and self._loaded != assistant.generation:
            self._loaded = assistant.generation
            self.load(assistant.plan)

    def load(self, plan: ContractPlan) -> None:
        raise NotImplementedError

    def show_error(self, message: str | None) -> bool:
        self.error_label.setText(message or "")
        self.error_label.setVisible(bool(message))
        return not message


class TerritoryPage(_PlanPage):
    """The EPCI, typed by name or SIREN and picked in the reference's suggestions; the period and the name."""

    def __init__(self) -> None:
        super().__init__("Territoire et période",
                         "Tapez le nom de l'EPCI signataire ou son SIREN, puis choisissez-le dans la liste ; "
                         "indiquez les années du contrat.")
        self.epci: EpciRef | None = None
        self._found: dict[str, EpciRef] = {}
        self._name_typed = False
        self.epci_edit = QLineEdit()
        self.epci_edit.setAccessibleName("EPCI du contrat")
        self.epci_edit.setPlaceholderText("par exemple « Grand Besançon » ou « 242500361 »")
        self.suggestions = QStringListModel(self)
        self.completer = QCompleter(self.suggestions, self)
        # The reference already chose and ranked the matches (accents, word order, SIREN): show them as they are.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(SUGGESTIONS)
        self.epci_edit.setCompleter(self.completer)
        self.epci_edit.textEdited.connect(self._typed)
        # Enter reaches the field two ways: from the suggestions' list (forwarded to the field alone) and typed in
        # the field itself (which the filter keeps from the wizard's « Suivant » until an EPCI is chosen).
        self.epci_edit.returnPressed.connect(self._take_single)
        self.epci_edit.installEventFilter(self)
        self.completer.activated[str].connect(self._picked)
        self.epci_label = QLabel("Aucun EPCI choisi.")
        self.epci_label.setWordWrap(True)
        self.epci_label.setAccessibleName("EPCI choisi")

        self.start_spin = QSpinBox()
        self.end_spin = QSpinBox()
        for spin, name, year in ((self.start_spin, "Première année du contrat", DEFAULT_PERIOD[0]),
                                 (self.end_spin, "Dernière année du contrat", DEFAULT_PERIOD[1])):
            spin.setRange(FIRST_YEAR, LAST_YEAR)
            spin.setValue(year)
            spin.setAccessibleName(name)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self._period_changed)
        period = QHBoxLayout()
        period.addWidget(QLabel("de"))
        period.addWidget(self.start_spin)
        period.addWidget(QLabel("à"))
        period.addWidget(self.end_spin)
        period.addStretch(1)
        self.period_hint = QLabel("Par exemple 2015 à 2022 pour un contrat de ville, 2024 à 2030 pour un "
                                  "engagement Quartiers 2030.")
        self.period_hint.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Nom du contrat")
        self.name_edit.textEdited.connect(self._name_edited)

        form = QFormLayout()
        form.addRow("&EPCI :", self.epci_edit)
        form.addRow("", self.epci_label)
        period_label = QLabel("&Période :")
        period_label.setBuddy(self.start_spin)
        form.addRow(period_label, period)
        form.addRow("", self.period_hint)
        form.addRow("&Nom du contrat :", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        self.setTabOrder(self.epci_edit, self.start_spin)
        self.setTabOrder(self.start_spin, self.end_spin)
        self.setTabOrder(self.end_spin, self.name_edit)

    # -- the EPCI ------------------------------------------------------------------------------------------------------
    def _typed(self, text: str) -> None:
        from cvdesk.territory.lookup import ReferenceUnavailable, shared_reference

        try:
            found = shared_reference().find_epcis(text, SUGGESTIONS) if text.strip() else []
        except ReferenceUnavailable as exc:
            self.show_error(str(exc))
            return
        self._found = {self.label_of(epci): epci for epci in found}
        self.suggestions.setStringList(list(self._found))
        if self.epci is not None and text != self.label_of(self.epci):
            self._choose(None)
        if found:
            self.completer.complete()

    @staticmethod
    def label_of(epci: EpciRef) -> str:
        return f"{epci.name} — SIREN {epci.siren} — {len(epci.members)} communes"

    def _picked(self, label: str) -> None:
        epci = self._found.get(label)
        if epci is not None:
            self._choose(epci)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Enter in the EPCI field before an EPCI is chosen takes the single match (a SIREN typed whole) and stays
        on the page, so that the period can be set; once chosen, Enter goes on to « Suivant »."""
        if (watched is self.epci_edit and event.type() == QEvent.Type.KeyPress and self.epci is None
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)):
            self._take_single()
            return True
        return super().eventFilter(watched, event)

    def _take_single(self) -> None:
        if self.epci is None and len(self._found) == 1:
            label, epci = next(iter(self._found.items()))
            self.epci_edit.setText(label)
            self._choose(epci)

    def _choose(self, epci: EpciRef | None) -> None:
        self.epci = epci
        if epci is None:
            self.epci_label.setText("Aucun EPCI choisi : choisissez-le dans la liste des suggestions.")
        else:
            people = epci.population_municipale if epci.population_municipale is not None else epci.population
            inhabitants = f" · {grouped(people)} habitants" if people is not None else ""
            self.epci_label.setText(f"{epci.name} ({epci.kind_label}), SIREN {epci.siren} · "
                                    f"{len(epci.members)} communes membres{inhabitants}")
        self.show_error(None)
        self._propose_name()
        self.completeChanged.emit()

    # -- the period and the name ---------------------------------------------------------------------------------------
    def _period_changed(self) -> None:
        self._propose_name()
        self.completeChanged.emit()

    def _name_edited(self, text: str) -> None:
        self._name_typed = bool(text.strip())  # emptied: the proposed name comes back

    def _propose_name(self) -> None:
        if self._name_typed or self.epci is None:
            return
        from cvdesk.services.contract_setup import ContractSetupError, propose_plan

        try:
            plan = propose_plan(self.epci.siren, self.start_spin.value(), self.end_spin.value())
        except ContractSetupError:
            return  # the years are being typed; Suivant says what is wrong
        self.name_edit.setText(plan.name)

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return self.epci is not None and self.start_spin.value() <= self.end_spin.value()

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        from cvdesk.services.contract_setup import ContractSetupError, propose_plan

        if self.epci is None:
            return self.show_error("Choisissez l'EPCI dans la liste des suggestions.")
        start, end = self.start_spin.value(), self.end_spin.value()
        name = self.name_edit.text().strip()
        assistant = self.assistant()
        try:
            if assistant.plan is None or assistant.plan.epci_siren != self.epci.siren:
                assistant.set_plan(propose_plan(self.epci.siren, start, end, name))
            else:
                # Same EPCI: what the user changed on the next pages stays; the period and the name follow.
                fresh = propose_plan(self.epci.siren, start, end, name)
                assistant.plan.start_year, assistant.plan.end_year, assistant.plan.name = start, end, fresh.name
        except ContractSetupError as exc:
            return self.show_error(str(exc))
        return self.show_error(None)


class CommunesPage(_PlanPage):
    """The EPCI's member communes, each with a tick: the user unticks those without a quartier."""

    def __init__(self) -> None:
        super().__init__("Communes du contrat",
                         "Les communes membres de l'EPCI, d'après le référentiel officiel. Décochez celles qui "
                         "n'ont pas de quartier prioritaire (Espace coche ou décoche la commune choisie).")
        self.table = _table(["Commune", "Code INSEE", "Département", "Population"], "Communes du contrat")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 100), (2, 110), (3, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.itemChanged.connect(self._ticked)
        self.all_button = _button("&Tout cocher")
        self.none_button = _button("Tout &décocher")
        self.all_button.clicked.connect(lambda: self.tick_all(True))
        self.none_button.clicked.connect(lambda: self.tick_all(False))
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Communes cochées")
        bar = QHBoxLayout()
        bar.addWidget(self.all_button)
        bar.addWidget(self.none_button)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(bar)
        layout.addWidget(self.error_label)

    def load(self, plan: ContractPlan) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(plan.communes))
        for row, commune in enumerate(plan.communes):
            name = QTableWidgetItem(commune.name)
            name.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            name.setCheckState(Qt.CheckState.Checked if commune.kept else Qt.CheckState.Unchecked)
            self.table.setItem(row, 0, name)
            self.table.setItem(row, 1, _row_item(commune.insee_code))
            self.table.setItem(row, 2, _row_item(commune.departement))
            population = _row_item("" if commune.population is None else grouped(commune.population))
            population.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(row, 3, population)
        self.table.blockSignals(False)
        if plan.communes:
            self.table.setCurrentCell(0, 0)
        self._ticked()

    def row_of(self, name: str) -> int:
        """The row of the commune of this name (-1 when absent)."""
        return next((row for row in range(self.table.rowCount()) if self.table.item(row, 0).text() == name), -1)

    def is_ticked(self, row: int) -> bool:
        return self.table.item(row, 0).checkState() == Qt.CheckState.Checked

    def tick_all(self, ticked: bool) -> None:
        self.table.blockSignals(True)
        for row in range(self.table.rowCount()):
            self.table.item(row, 0).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.table.blockSignals(False)
        self._ticked()

    def _ticked(self, _item: QTableWidgetItem | None = None) -> None:
        plan = self.assistant().plan if self.wizard() is not None else None
        kept = [row for row in range(self.table.rowCount()) if self.is_ticked(row)]
        people = 0
        if plan is not None:
            people = sum(plan.communes[row].population or 0 for row in kept if row < len(plan.communes))
        self.count_label.setText(f"{len(kept)} commune{'s' if len(kept) > 1 else ''} cochée"
                                 f"{'s' if len(kept) > 1 else ''} sur {self.table.rowCount()} · "
                                 f"{grouped(people)} habitants")
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt's name)
        return any(self.is_ticked(row) for row in range(self.table.rowCount()))

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        plan = self.assistant().plan
        if plan is None:
            return False
        for row, commune in enumerate(plan.communes):
            commune.kept = self.is_ticked(row)
        if not any(commune.kept for commune in plan.communes):
            return self.show_error("Cochez au moins une commune : celle où se trouve un quartier prioritaire.")
        return self.show_error(None)


def _kept_codes(plan: ContractPlan) -> tuple[str, ...]:
    return tuple(commune.insee_code for commune in plan.communes if commune.kept)


class SignatoriesPage(_PlanPage):
    """The signatories, proposed from the EPCI and its communes, in order; each editable."""

    def __init__(self) -> None:
        super().__init__("Signataires",
                         "Les signataires habituels sont proposés ; modifiez-les (F2 ou double-clic), ajoutez-en, "
                         "retirez ceux qui ne signent pas.")
        self._communes: tuple[str, ...] | None = None
        self.list = QListWidget()
        self.list.setAccessibleName("Signataires du contrat")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.add_button = _button("&Ajouter", "Ajouter un signataire")
        self.remove_button = _button("&Retirer", "Retirer le signataire choisi")
        self.up_button = _button("&Monter")
        self.down_button = _button("Desce&ndre")
        self.add_button.clicked.connect(self.add)
        self.remove_button.clicked.connect(lambda: self.list.takeItem(self.list.currentRow()))
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button.clicked.connect(lambda: self._move(1))
        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.error_label)

    def _item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        return item

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        from cvdesk.services.contract_setup import signatories_for

        plan = self.assistant().plan
        # The communes that sign are the kept ones: proposed anew when the ticks changed, else the user's list stays.
        if plan is not None and self._communes != _kept_codes(plan):
            self._communes = _kept_codes(plan)
            plan.signatories = signatories_for(plan.epci_name, plan.communes)
            self.load(plan)

    def load(self, plan: ContractPlan) -> None:
        self.list.clear()
        for name in plan.signatories:
            self.list.addItem(self._item(name))
        if self.list.count():
            self.list.setCurrentRow(0)

    def names(self) -> list[str]:
        return [self.list.item(row).text().strip() for row in range(self.list.count())]

    def add(self) -> None:
        item = self._item("Nouveau signataire")
        self.list.addItem(item)
        self.list.setCurrentItem(item)
        self.list.setFocus()
        self.list.editItem(item)

    def _move(self, delta: int) -> None:
        row = self.list.currentRow()
        other = row + delta
        if row < 0 or not 0 <= other < self.list.count():
            return
        item = self.list.takeItem(row)
        self.list.insertItem(other, item)
        self.list.setCurrentRow(other)

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        plan = self.assistant().plan
        if plan is None:
            return False
        names = [name for name in self.names() if name]
        if not names:
            return self.show_error("Indiquez au moins un signataire (l'État, l'EPCI…).")
        plan.signatories = names
        return self.show_error(None)


class OrientationsPage(_PlanPage):
    """The strategic orientations, in order, from a preset (none, the demo's six, the three pillars), editable."""

    def __init__(self) -> None:
        super().__init__("Orientations stratégiques",
                         "Partez d'un modèle, puis modifiez les titres (F2 ou en tapant), les piliers et l'ordre. "
                         "Vous pourrez aussi les saisir plus tard.")
        from cvdesk.domain.axes import PILLARS
        from cvdesk.services.contract_setup import ORIENTATION_PRESETS

        self.pillars = PILLARS
        self.presets = ORIENTATION_PRESETS
        self.preset_box = QComboBox()
        self.preset_box.setAccessibleName("Modèle d'orientations")
        for key, (label, _orientations) in ORIENTATION_PRESETS.items():
            self.preset_box.addItem(label, key)
        self.preset_box.activated.connect(lambda _index: self.apply_preset(self.preset_box.currentData()))
        self.table = _table(["Titre de l'orientation", "Pilier"], "Orientations du contrat")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(1, 290)
        self.add_button = _button("&Ajouter", "Ajouter une orientation")
        self.remove_button = _button("&Retirer", "Retirer l'orientation choisie")
        self.up_button = _button("&Monter")
        self.down_button = _button("Desce&ndre")
        self.add_button.clicked.connect(lambda: self.add_row("Nouvelle orientation", None, edit=True))
        self.remove_button.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        self.up_button.clicked.connect(lambda: _move_row(self.table, -1))
        self.down_button.clicked.connect(lambda: _move_row(self.table, 1))
        form = QFormLayout()
        form.addRow("&Modèle :", self.preset_box)
        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.table, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(row, 1)
        layout.addWidget(self.error_label)

    def load(self, plan: ContractPlan) -> None:
        self._fill(plan.orientations)

    def apply_preset(self, key: str) -> None:
        self.preset_box.setCurrentIndex(self.preset_box.findData(key))
        self._fill(self.presets[key][1])

    def _fill(self, orientations: list[tuple[str, str | None]]) -> None:
        self.table.setRowCount(0)
        for title, pillar in orientations:
            self.add_row(title, pillar)
        if orientations:
            self.table.setCurrentCell(0, 0)

    def add_row(self, title: str, pillar: str | None, edit: bool = False) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        item = _row_item(title, editable=True)
        item.setToolTip(title)  # the demo's long titles are cut in the cell
        self.table.setItem(row, 0, item)
        box = QComboBox()
        box.setAccessibleName(f"Pilier de l'orientation {row + 1}")
        box.addItem(NO_PILLAR, None)
        for key, label in self.pillars.items():
            box.addItem(label, key)
        box.setCurrentIndex(max(0, box.findData(pillar)))
        self.table.setCellWidget(row, 1, box)
        if edit:
            self.table.setCurrentCell(row, 0)
            self.table.setFocus()
            self.table.editItem(self.table.item(row, 0))

    def orientations(self) -> list[tuple[str, str | None]]:
        rows = []
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 1)
            rows.append((self.table.item(row, 0).text().strip(), box.currentData() if box is not None else None))
        return rows

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        plan = self.assistant().plan
        if plan is None:
            return False
        rows = self.orientations()
        empty = [number for number, (title, _pillar) in enumerate(rows, 1) if not title]
        if empty:
            return self.show_error(f"L'orientation n° {empty[0]} n'a pas de titre : donnez-lui un titre ou "
                                   "retirez-la.")
        plan.orientations = rows
        return self.show_error(None)


FUNDER_COLUMNS = ["Financeur", "Nom court", "Type", "SIREN", "SIRET"]


class FundersPage(_PlanPage):
    """The usual partners proposed, each with a tick, and every field editable; SIREN and SIRET checked."""

    def __init__(self) -> None:
        super().__init__("Financeurs",
                         "Les partenaires habituels sont proposés : cochez ceux qui financent des actions et "
                         "complétez-les. Le SIRET est celui que demande l'export national des subventions (SCDL).")
        from cvdesk.domain.funders import FUNDER_KINDS

        self.kinds = FUNDER_KINDS
        self.table = _table(FUNDER_COLUMNS, "Financeurs du contrat")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 110), (2, 235), (3, 100), (4, 135)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.add_button = _button("&Ajouter", "Ajouter un financeur")
        self.remove_button = _button("&Retirer", "Retirer le financeur choisi")
        self.add_button.clicked.connect(self.add_new)
        self.remove_button.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        super().initializePage()
        plan = self.assistant().plan
        if plan is None:
            return
        # A commune that is not in the contract is not offered as a funder (the plan lists every member commune):
        # its row is hidden, and comes back if the commune is ticked again.
        kept = {commune.siren for commune in plan.communes if commune.kept and commune.siren}
        for row in range(self.table.rowCount()):
            box = self.table.cellWidget(row, 2)
            siren = self.table.item(row, 3).text().strip()
            is_commune = box is not None and box.currentData() == "commune" and bool(siren)
            self.table.setRowHidden(row, is_commune and siren not in kept)

    def load(self, plan: ContractPlan) -> None:
        self.table.setRowCount(0)
        for funder in plan.funders:
            self.add_row(funder.name, funder.short_name, funder.kind, funder.siren, funder.siret, funder.kept)
        if plan.funders:
            self.table.setCurrentCell(0, 0)

    def add_row(self, name: str, short_name: str, kind: str, siren: str = "", siret: str = "",
                kept: bool = True) -> int:
        row = self.table.rowCount()
        self.table.insertRow(row)
        first = _row_item(name, editable=True)
        first.setFlags(first.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        first.setCheckState(Qt.CheckState.Checked if kept else Qt.CheckState.Unchecked)
        self.table.setItem(row, 0, first)
        self.table.setItem(row, 1, _row_item(short_name, editable=True))
        box = QComboBox()
        box.setAccessibleName(f"Type du financeur {row + 1}")
        for key, label in self.kinds.items():
            box.addItem(label, key)
        box.setCurrentIndex(max(0, box.findData(kind)))
        box.view().setMinimumWidth(box.view().sizeHintForColumn(0) + 24)  # the long kinds read whole when open
        self.table.setCellWidget(row, 2, box)
        self.table.setItem(row, 3, _row_item(siren, editable=True))
        self.table.setItem(row, 4, _row_item(siret, editable=True))
        return row

    def add_new(self) -> None:
        row = self.add_row("Nouveau financeur", "", "autre")
        self.table.setCurrentCell(row, 0)
        self.table.setFocus()
        self.table.editItem(self.table.item(row, 0))

    def row_of(self, name: str) -> int:
        return next((row for row in range(self.table.rowCount()) if self.table.item(row, 0).text() == name), -1)

    def funders(self) -> list[tuple[bool, str, str, str, str, str]]:
        """(kept, name, short name, kind, SIREN, SIRET) per row shown, as typed."""
        rows = []
        for row in range(self.table.rowCount()):
            if self.table.isRowHidden(row):
                continue
            box = self.table.cellWidget(row, 2)
            rows.append((self.table.item(row, 0).checkState() == Qt.CheckState.Checked,
                         self.table.item(row, 0).text().strip(), self.table.item(row, 1).text().strip(),
                         box.currentData() if box is not None else "autre",
                         self.table.item(row, 3).text().strip(), self.table.item(row, 4).text().strip()))
        return rows

    def problem(self) -> str | None:
        """The first kept funder whose name, SIREN or SIRET is wrong, as one sentence naming it."""
        from cvdesk.domain.identifiers import check_siren, check_siret, digits_only

        for number, (kept, name, _short, _kind, siren, siret) in enumerate(self.funders(), 1):
            if not kept:
                continue
            where = f"Financeur « {name} » (ligne {number})" if name else f"Financeur de la ligne {number}"
            if not name:
                return f"{where} : le nom est vide."
            for value, check in ((siren, check_siren), (siret, check_siret)):
                problem = check(value) if value else None
                if problem:
                    return f"{where} : {problem[0].lower()}{problem[1:]}"
            if siren and siret and digits_only(siret)[:9] != digits_only(siren):
                return f"{where} : le SIRET {digits_only(siret)} n'appartient pas au SIREN {digits_only(siren)}."
        return None

    def validatePage(self) -> bool:  # noqa: N802 (Qt's name)
        from cvdesk.domain.identifiers import digits_only
        from cvdesk.services.contract_setup import FunderChoice

        plan = self.assistant().plan
        if plan is None:
            return False
        problem = self.problem()
        if problem:
            return self.show_error(problem)
        plan.funders = [FunderChoice(name=name, short_name=short, kind=kind, siren=digits_only(siren),
                                     siret=digits_only(siret), kept=kept)
                        for kept, name, short, kind, siren, siret in self.funders()]
        return self.show_error(None)


class SummaryPage(_PlanPage):
    """What Terminer will create, in a few lines."""

    def __init__(self) -> None:
        super().__init__("Récapitulatif", "Vérifiez le contrat, puis cliquez sur « Créer le contrat ».")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setAccessibleName("Récapitulatif du contrat")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        layout.addWidget(self.error_label)
        self.setFinalPage(True)

    def initializePage(self) -> None:  # noqa: N802 (Qt's name)
        plan = self.assistant().plan
        if plan is None:
            return
        kept = [c for c in plan.communes if c.kept]
        people = sum(c.population or 0 for c in kept)
        funders = [f for f in plan.funders if f.kept]
        names = ", ".join(c.name for c in kept[:8]) + (f" et {len(kept) - 8} autres" if len(kept) > 8 else "")
        lines = [
            f"Contrat : {plan.name}",
            f"EPCI : {plan.epci_name} (SIREN {plan.epci_siren})",
            f"Période : {plan.start_year} à {plan.end_year}",
            f"Communes : {len(kept)} ({grouped(people)} habitants) — {names}",
            f"Signataires : {len(plan.signatories)} — {', '.join(plan.signatories)}",
            f"Orientations : {len(plan.orientations)}"
            + (" — " + " ; ".join(title for title, _p in plan.orientations) if plan.orientations else
               " (à saisir plus tard)"),
            f"Financeurs : {len(funders)} — {', '.join(f.name for f in funders)}",
        ]
        self.summary.setText("\n\n".join(lines))


class ContractAssistant(QWizard):
    """The pages of a new contract; plan holds what the user chose once Terminer is pressed (exec() accepted)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nouveau contrat")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        # Qt's French translation is loaded; the texts are set here too so that they read the same everywhere.
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Précédent")
        self.setButtonText(QWizard.WizardButton.NextButton, "&Suivant >")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Créer le contrat")
        self.setButtonText(QWizard.WizardButton.CancelButton, "Annuler")
        self.plan: ContractPlan | None = None
        self.generation = 0
        self.territory_page = TerritoryPage()
        self.communes_page = CommunesPage()
        self.signatories_page = SignatoriesPage()
        self.orientations_page = OrientationsPage()
        self.funders_page = FundersPage()
        self.summary_page = SummaryPage()
        for page in (self.territory_page, self.communes_page, self.signatories_page, self.orientations_page,
                     self.funders_page, self.summary_page):
            self.addPage(page)
        fit_to_screen(self, WANTED_SIZE)

    def set_plan(self, plan: ContractPlan) -> None:
        """A plan proposed anew (another EPCI): every page reloads from it when shown."""
        self.plan = plan
        self.generation += 1

    def reject(self) -> None:
        """Annuler, Échap or the window's cross: nothing to create. Once an EPCI was chosen the user has made choices
        (communes ticked, signatories, funders): a key pressed by mistake must not drop them without asking."""
        if self.plan is not None and self.isVisible():
            answer = QMessageBox.question(
                self, "Nouveau contrat", "Abandonner la création du contrat ? Les choix faits jusqu'ici seront perdus.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.plan = None
        super().reject()


def ask_contract_plan(parent: QWidget | None = None) -> ContractPlan | None:
    """Run the assistant; the plan the user finished, or None when cancelled. Nothing is written here."""
    assistant = ContractAssistant(parent)
    try:
        accepted = assistant.exec() == QWizard.DialogCode.Accepted
        return assistant.plan if accepted else None
    finally:
        assistant.deleteLater()


def create_planned_contract(parent: QWidget | None, plan: ContractPlan) -> bool:
    """Create the plan's contract in the open base, as an Operation (a metropolis of 130 communes takes about half a
    second); a refusal is shown as its French sentence. True when created."""
    from cvdesk.services.contract_setup import ContractSetupError, create_contract
    from cvdesk.ui.operations import DONE, Operation

    def work(_progress: object, _cancelled: object) -> str | None:
        try:
            create_contract(plan)
        except ContractSetupError as exc:
            return str(exc)  # the refusal is an answer to show, not a failure of the work
        return None

    status, refusal = Operation(parent, work, title="Nouveau contrat", label="Création du contrat…",
                                on_failure=lambda _message: None).run_and_wait()
    if status != DONE or refusal:
        QMessageBox.warning(parent, "Nouveau contrat", str(refusal or "Le contrat n'a pas été créé."))
        return False
    return True


def offer_contract_assistant(window: QWidget) -> bool:
    """After « Nouvelle base » opened an empty base: the assistant, then the contract created in it. Cancelled, the
    base stays empty (headquarters merge packages into such a base). True when a contract was created."""
    plan = ask_contract_plan(window)
    if plan is None:
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage("Base vide : aucun contrat n'a été créé.", 8000)
        return False
    created = create_planned_contract(window, plan)
    if created:
        refresh = getattr(window, "refresh_all", None)
        if callable(refresh):
            refresh()  # the pick lists (orientations, funders, communes) and the lists read the new contract
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(f"Contrat créé : {plan.name}", 8000)
    return created
