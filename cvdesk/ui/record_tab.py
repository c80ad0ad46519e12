"""What the three tabs share: the list with its search and filters beside a detail form, and the editing cycle."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.numbers import grouped
from cvdesk.services.choices import Choice
from cvdesk.store.errors import StoreError
from cvdesk.ui.choice_combo import ChoiceCombo
from cvdesk.ui.record_table_model import RecordTableModel
from cvdesk.ui.totals_row import install_totals_row
from cvdesk.ui.wheel_guard import install_wheel_guard_soon

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

    from cvdesk.services.records import SaveResult
    from cvdesk.store.models import Record
    from cvdesk.ui.form_widgets import RecordForm

SEARCH_DELAY_MS = 150
FILTERS_PER_ROW = 3
# First-run column widths (the user's own widths are remembered); never ResizeToContents on large lists.
KIND_WIDTHS = {"money": 115, "year": 55, "int": 90, "status": 105, "bool": 60}
# Actions: 1,195 px in all, so that the money columns show whole beside the form on a 1920×1080 screen.
COLUMN_WIDTHS = {"reference": 115, "title": 210, "porteur": 170, "orientation": 80, "name": 230, "code": 95,
                 "communes": 200, "siret": 125, "rna": 95, "legal_form": 150, "email": 180}


def history_model(kind: str) -> type[Record] | None:
    """The model whose history a tab of this kind shows (the models load with the form, after the first paint)."""
    from cvdesk.store.models import Action, Association, Commune, Envelope, Funder, Meeting, Orientation, Quartier

    models: dict[str, type[Record]] = {"quartier": Quartier, "action": Action, "association": Association}
    models.update(orientation=Orientation, commune=Commune, funder=Funder, envelope=Envelope)  # the Contrat tab
    models["meeting"] = Meeting  # the Réunions tab
    return models.get(kind)


def years_newest_first() -> list[tuple[int, str]]:
    """The years of the programme, newest first, for a year filter (its module is loaded when the list opens)."""
    from cvdesk.services.totals import years

    return [(year, str(year)) for year in reversed(years())]


class RecordTab(QWidget):
    """A list beside a form; subclasses build the form and say how a record loads, saves and deletes.

    With form_later, the tab shows its list first and builds the form (with its panels, its history and its buttons)
    when ensure_form() is called: the window does so just after its first paint. Whoever needs the form before that
    gets it built first: the public methods, Tab out of the list, or any of the form's attributes (__getattr__)."""

    kind = ""  # "quartier" | "action" | "association"
    list_name = ""
    noun = "l'enregistrement"  # as in « Supprimer l'action … ? »
    new_title = "Nouvel enregistrement"

    counts_changed = True  # whether the last `changed` may have changed how many records there are
    version_with_values = False  # load_record sets read_version from the row it reads the values from
    history_from_save = False  # after a save, the history panel adds the row the save gave back (SaveResult.history)
    open_record = Signal(str, int)  # another tab's record to show (kind, id)
    changed = Signal()  # records were added, changed or deleted: counts and other lists may need a refresh
    message = Signal(str)  # a short note for the status bar

    def __init__(self, parent: QWidget | None = None, form_later: bool = False) -> None:
        super().__init__(parent)
        self._form_pending = False  # set below: until then a missing attribute is simply missing
        self.record_id: int | None = None
        self.read_version: int | None = None  # the shown record's version when the form read it (concurrency)
        self._saved_uuid: tuple[Any, ...] | None = None  # (model, id, uuid) of the record save() just wrote
        self._form_choices_loaded = False
        self._dirty = False
        self._loading = False
        self._moving = False
        self.model = RecordTableModel(self.list_name, self)
        self.filter_combos: dict[str, ChoiceCombo] = {}

        self.search = QLineEdit()
        self.search.setPlaceholderText("Rechercher…")
        self.search.setAccessibleName(f"Rechercher dans la liste des {self.list_name}")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.apply_search)

        self.view = QTableView()
        # PySide finds the Python class of the widget view.viewport() returns by creating every QWidget subclass of
        # QtWidgets with its enums (about 25 ms, in the first paint of the totals row); found by its Qt name, the
        # same widget comes back as a QWidget at once, and viewport() then returns this wrapper.
        self._viewport = self.view.findChild(QWidget, "qt_scrollarea_viewport")
        self.view.setAccessibleName(f"Liste des {self.list_name}")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list for the form; the arrows move between rows
        vertical = self.view.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # never ResizeToContents on 100,000 rows
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        header.setSectionsClickable(True)
        for position, column in enumerate(self.model.columns):
            self.view.setColumnWidth(position, COLUMN_WIDTHS.get(column.key, KIND_WIDTHS.get(column.kind, 110)))
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.model.modelReset.connect(self._reselect_after_reset)
        self.model.modelReset.connect(self._show_count)
        self.model.completed.connect(lambda _n: self._show_count())
        # A saved record may leave (or join) a list not wholly loaded: its count is then read again.
        self.model.record_refreshed.connect(lambda _id: self._show_count())

        self.count_label = QLabel()
        filters = QGridLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        self.build_filters(filters)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.count_label)
        self.totals_row = install_totals_row(self)  # « Total (N) » and the money sums, when it has money columns
        if self.totals_row is not None:
            self.count_label.hide()  # the totals row says how many: no second count, no second query

        # The detail pane: empty until ensure_form() fills it (at once, unless form_later).
        right = QWidget()
        self._right_layout = QVBoxLayout(right)
        self._right_layout.setContentsMargins(0, 0, 0, 0)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        # A larger screen widens the list, not the form: at 1920×1080 its money columns need no sideways scroll.
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([720, 620])
        layout = QVBoxLayout(self)
        layout.addWidget(self.splitter)
        self.reload_choices()
        # Every form: also when a test or a script builds the window without make_application (see wheel_guard).
        install_wheel_guard_soon()
        self._form_pending = True
        if not form_later:
            self.ensure_form()

    def ensure_form(self) -> None:
        """Build the form, its panels, its history and its buttons, once (their modules are imported here)."""
        if not self._form_pending:
            return
        self._form_pending = False
        from PySide6.QtWidgets import QScrollArea

        from cvdesk.ui.form_widgets import ERROR_TEXT_STYLE, WARNING_TEXT_STYLE, RecordForm
        from cvdesk.ui.history_panel import HistoryPanel

        self.heading = QLabel(self.new_title)
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        self.form = RecordForm(model=history_model(self.kind))  # its text fields' caps
        form_widget = QWidget()
        form_layout = QVBoxLayout(form_widget)
        form_layout.addWidget(self.heading)
        form_layout.addLayout(self.form)
        self.build_form(self.form)
        self.build_panels(form_layout)
        self.history = HistoryPanel()
        self.history.setMinimumHeight(180)
        form_layout.addWidget(self.history)
        form_layout.addStretch(1)
        for table in form_widget.findChildren(QAbstractItemView):
            # Tab walks on to the next input instead of from cell to cell of the panels (history, actions, totals).
            table.setTabKeyNavigation(False)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        # Not a Tab stop of its own: Tab after the first field went to this invisible frame, not the second field.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        scroll.setWidget(form_widget)
        self.form_scroll = scroll

        self.error_label = QLabel()
        self.error_label.setStyleSheet(ERROR_TEXT_STYLE)
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.warning_label = QLabel()
        self.warning_label.setStyleSheet(WARNING_TEXT_STYLE)
        self.warning_label.setWordWrap(True)
        self.warning_label.hide()
        self.new_button = QPushButton("Nouveau")
        self.save_button = QPushButton("Enregistrer")
        self.revert_button = QPushButton("Annuler les modifications")
        self.delete_button = QPushButton("Supprimer")
        for button, slot, help_text in (
            (self.new_button, self.new_record, "Nouvel enregistrement (Ctrl+N)"),
            (self.save_button, self._save_clicked, "Enregistrer (Ctrl+S)"),
            (self.revert_button, self.revert, "Annuler les modifications non enregistrées (Échap)"),
            (self.delete_button, self.delete_current, "Supprimer l'enregistrement (Suppr)"),
        ):
            button.clicked.connect(slot)
            button.setToolTip(help_text)
            button.setAccessibleName(button.text())
        buttons = QHBoxLayout()
        for button in (self.new_button, self.save_button, self.revert_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        pane = QWidget()
        right_layout = QVBoxLayout(pane)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(scroll, 1)
        right_layout.addWidget(self.warning_label)
        right_layout.addWidget(self.error_label)
        right_layout.addLayout(buttons)
        self._right_layout.addWidget(pane)
        pane.show()  # at once, in a tab already on screen (Qt would show it at the next turn of the event loop)

        chain: list[QWidget] = [self.search, *self.filter_combos.values(), self.view]
        if self.form.rows:
            chain.append(next(iter(self.form.rows.values())).field)
        for before, after in zip(chain, chain[1:]):  # search, filters, list, then the form in reading order
            self.setTabOrder(before, after)
        self._update_buttons()
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._show_focused_input)

    @property
    def form_pending(self) -> bool:
        """Whether the form is still to be built (by ensure_form, or by its first use)."""
        return bool(self.__dict__.get("_form_pending"))

    def __getattr__(self, name: str) -> Any:
        """Only for an attribute not found: a form widget asked for before the form was built builds it first."""
        if name.startswith("__") or not self.__dict__.get("_form_pending"):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self.ensure_form()
        return object.__getattribute__(self, name)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802, A002 (Qt's names)
        """Tab out of the list goes on to the form's first field: the form is built for it if need be."""
        self.ensure_form()
        return super().focusNextPrevChild(next)

    def _show_focused_input(self, _old: QWidget | None, new: QWidget | None) -> None:
        """Scroll the form to the input that takes the focus: the scroll area does it for Tab inside the form, not
        for Tab from the list or a click on a label's shortcut, which left the first field out of sight."""
        form = self.form_scroll.widget()
        if new is not None and form is not None and form.isAncestorOf(new):
            self.form_scroll.ensureWidgetVisible(new, 10, 10)

    # -- what subclasses provide ---------------------------------------------------------------------------------
    def build_filters(self, bar: QGridLayout) -> None:
        """Add the filter combos of this list to bar (see add_filter)."""

    def build_form(self, form: RecordForm) -> None:
        raise NotImplementedError

    def build_panels(self, layout: QVBoxLayout) -> None:
        """Add read-only panels under the form."""

    def reload_choices(self) -> None:
        """Reload the pick lists the filters offer, and the form's once it has used them (after an import)."""
        self.load_filter_choices()
        # A filter whose value is no longer offered (its only year's action deleted) reads « toutes » again: the
        # list and its totals follow what the filters show, not the value they had.
        self.apply_filters()
        if self._form_choices_loaded:
            self.load_form_choices()

    def load_filter_choices(self) -> None:
        """Fill (or give loaders to) the filter combos."""

    def load_form_choices(self) -> None:
        """Fill the form's pick lists; called before the form first shows a record, not at start-up."""

    def _ensure_form_choices(self) -> None:
        if not self._form_choices_loaded:
            self._form_choices_loaded = True
            self.load_form_choices()

    def clear_form(self) -> None:
        raise NotImplementedError

    def load_record(self, record_id: int) -> bool:
        """Fill the form with the record; False when it no longer exists."""
        raise NotImplementedError

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The form's values for the service, and the errors found while reading the inputs."""
        raise NotImplementedError

    def write(self, values: dict[str, Any]) -> SaveResult:
        raise NotImplementedError

    def remove(self, record_id: int) -> bool:
        raise NotImplementedError

    def describe(self) -> str:
        """The record as a sentence names it, e.g. « l'action 2015-VM-012 (Atelier santé) »."""
        return self.noun

    # -- helpers for subclasses ----------------------------------------------------------------------------------
    def watch(self, *widgets: QWidget) -> None:
        """Mark the form dirty when any of these inputs changes."""
        for widget in widgets:
            if isinstance(widget, QComboBox) and widget.isEditable():
                widget.editTextChanged.connect(self.mark_dirty)
            for name in ("textChanged", "currentIndexChanged", "dateChanged", "checked_changed", "toggled",
                         "plan_changed"):
                signal = getattr(widget, name, None)
                if signal is not None and hasattr(signal, "connect"):
                    signal.connect(self.mark_dirty)
                    break

    def add_filter(self, bar: QGridLayout, key: str, label: str, everything: str = "tous") -> ChoiceCombo:
        """A filter combo; its first entry (« Année : toutes ») lists everything."""
        combo = ChoiceCombo(f"Filtrer par {label.lower()}")
        combo.setToolTip(f"Filtrer par {label.lower()}")
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.set_items([(None, f"{label} : {everything}")])
        combo.setProperty("all_label", f"{label} : {everything}")
        combo.currentIndexChanged.connect(lambda _index: self.apply_filters())
        position = len(self.filter_combos)
        bar.addWidget(combo, position // FILTERS_PER_ROW, position % FILTERS_PER_ROW)
        self.filter_combos[key] = combo
        return combo

    def set_filter_loader(self, key: str, loader: Callable[[], list[Choice] | list[tuple[Any, str]]]) -> None:
        """Offer these choices once the filter is opened (long lists stay out of the start-up)."""
        def items() -> list[tuple[Any, str]]:
            return [(c.id, c.label) if isinstance(c, Choice) else c for c in loader()]
        self.filter_combos[key].set_loader(items)

    def set_filter_choices(self, key: str, choices: list[Choice] | list[tuple[Any, str]]) -> None:
        combo = self.filter_combos[key]
        items: list[tuple[Any, str]] = [(None, str(combo.property("all_label")))]
        for choice in choices:
            items.append((choice.id, choice.label) if isinstance(choice, Choice) else choice)
        combo.set_items(items)

    # -- the list ------------------------------------------------------------------------------------------------
    def apply_search(self) -> None:
        self._search_timer.stop()
        if self.search.text().strip() != self.model.search:
            self.model.set_search(self.search.text())

    def apply_filters(self) -> None:
        self.model.set_filters({key: combo.value() for key, combo in self.filter_combos.items()})

    def refresh(self) -> None:
        """Query the list again, keeping the current record selected when it is still listed."""
        self.model.reload()

    def _show_count(self) -> None:
        if self.totals_row is not None:
            return
        total = self.model.total()
        if total is not None:
            self.count_label.setText(f"{grouped(total)} dans la liste")
        elif not self.model.search.split():
            self.count_label.setText(f"{grouped(self.model.matching_count())} dans la liste")
        else:
            self.count_label.setText(f"Plus de {grouped(self.model.rowCount())} résultats : faites défiler "
                                     "pour les voir tous")

    def _reselect_after_reset(self) -> None:
        if self.record_id is None:
            return
        for row in range(self.model.rowCount()):
            if self.model.record_id(row) == self.record_id:
                self._select_row(row)
                return

    def _select_row(self, row: int) -> None:
        self._moving = True
        try:
            index = self.model.index(row, 0)
            self.view.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            self.view.scrollTo(index)
        finally:
            self._moving = False

    def _current_row_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self._moving or not current.isValid():
            return
        record_id = self.model.record_id(current.row())
        if record_id is None or record_id == self.record_id:
            return
        asked = self._dirty
        if not self.maybe_keep_edits():
            QTimer.singleShot(0, lambda: self._select_row(previous.row()) if previous.isValid() else None)
            return
        self.show_record(record_id)
        if asked:
            # A new record saved on the way (« Enregistrer ») reloaded the list under the click and selected itself:
            # once the click is over, the row of the record shown is selected again (list and form agree).
            QTimer.singleShot(0, self._reselect_shown_record)

    def _reselect_shown_record(self) -> None:
        if self.record_id is not None and self.model.record_id(self.view.currentIndex().row()) != self.record_id:
            self._reselect_after_reset()

    # -- the editing cycle ---------------------------------------------------------------------------------------
    def current_record_id(self) -> int | None:
        return self.record_id

    def is_dirty(self) -> bool:
        return self._dirty

    def mark_dirty(self, *_args: object) -> None:
        if not self._loading and not self._dirty:
            self._dirty = True
            self._update_buttons()
            self.heading.setText(self.heading.text() + " (modifié)")

    def _set_clean(self) -> None:
        self._dirty = False
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.revert_button.setEnabled(self._dirty)
        self.delete_button.setEnabled(self.record_id is not None)

    def _clear_messages(self) -> None:
        self.form.show_errors({})
        self.error_label.hide()

    def show_errors(self, errors: dict[str, str]) -> None:
        self.ensure_form()
        unplaced = self.form.show_errors(errors)
        self.error_label.setText("L'enregistrement est refusé : " + " ".join(errors.values()) if errors else "")
        self.error_label.setVisible(bool(errors))
        if unplaced:
            self.error_label.setText("L'enregistrement est refusé : " + " ".join(errors.values()))

    def show_warnings(self, warnings: list[str]) -> None:
        self.ensure_form()
        self.warning_label.setText("\n".join(f"Attention : {w}" for w in warnings))
        self.warning_label.setVisible(bool(warnings))

    def show_record(self, record_id: int, saved: bool = False, result: SaveResult | None = None) -> None:
        """Load the record into the form (no question asked: see maybe_keep_edits); saved: it was just saved from
        this form, and only its new history entries are added to those shown; result: that save's, from which the
        form may be filled without reading the record again (load_saved)."""
        self.ensure_form()
        self._loading = True
        try:
            self._clear_messages()
            self.show_warnings([])  # the previous record's; a save shows its own after this
            self._ensure_form_choices()
            # Read before the values: a save between the two can only make the next save ask, never be overwritten.
            # A tab that reads it in the same row as the values (version_with_values) sets it in load_record.
            if result is not None and result.record is not None and result.record.id == record_id and \
                    self.load_saved(result):
                found = True
            else:
                self.read_version = None if self.version_with_values else self.stored_version(record_id)
                found = self.load_record(record_id)
            self.record_id = record_id if found else None
            if not found:
                self.clear_form()
            self._show_history(newer=saved, result=result if self.history_from_save else None)
        finally:
            self._loading = False
        self._set_clean()

    def stored_version(self, record_id: int | None) -> int | None:
        """The record's version as stored now (None for no record): the window's refresh compares it with
        read_version to tell whether someone else saved the record shown."""
        model = history_model(self.kind)
        if model is None or record_id is None:
            return None
        from cvdesk.services.concurrency import version_of

        return version_of(model, record_id)

    def load_saved(self, result: SaveResult) -> bool:
        """Fill the form with the record a save of it has just written, from what the save gave back, and set
        read_version; False (the default) when it cannot, and the record is read again."""
        return False

    def _show_history(self, newer: bool = False, result: SaveResult | None = None) -> None:
        model = history_model(self.kind)
        saved, self._saved_uuid = self._saved_uuid, None
        if saved is not None and model is not None and saved[:2] == (model, self.record_id):
            row: tuple[Any, ...] | None = saved[2:]  # the record just saved: its uuid known, not read again
        else:
            row = (model.select(model.uuid).where(model.id == self.record_id).tuples().first()
                   if model and self.record_id is not None else None)
        uuid = row[0] if row else None
        if newer and result is not None:
            self.history.add_written(model, uuid, result.history)  # the row it wrote, not read again
        else:
            (self.history.show_newer if newer else self.history.show_record)(model, uuid)

    def _ask_about_edits(self, question: str, default: QMessageBox.StandardButton) -> bool:
        """Save / Discard / Cancel about the unsaved edits: True once they are saved or dropped, False to stay."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self, "Modifications non enregistrées",
            f"Les modifications de {self.describe()} ne sont pas enregistrées. {question}",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            default)
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        if answer == QMessageBox.StandardButton.Discard:
            self.discard_edits()
            return True
        return False

    def maybe_keep_edits(self) -> bool:
        """Before leaving a record with unsaved edits: True to go on (saved or dropped), False to stay."""
        if not self._dirty:
            return True
        from PySide6.QtWidgets import QMessageBox  # its class (and enums) are built on first use: not at start-up

        return self._ask_about_edits("Les enregistrer ?", QMessageBox.StandardButton.Save)

    def new_record(self) -> None:
        self.ensure_form()
        if not self.maybe_keep_edits():
            return
        self._loading = True
        try:
            self._clear_messages()
            self.show_warnings([])
            self.record_id = None
            self._ensure_form_choices()
            self.clear_form()
            self.heading.setText(self.new_title)
            self._show_history()
        finally:
            self._loading = False
        self._moving = True
        self.view.selectionModel().clearSelection()
        self.view.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        self._moving = False
        self._set_clean()
        self.focus_first_field()

    def focus_first_field(self) -> None:
        self.ensure_form()
        if self.form.rows:
            next(iter(self.form.rows.values())).field.setFocus()

    def save(self) -> bool:
        """Save the form through the services; on refusal the fields say why and nothing is written."""
        self.ensure_form()
        values, errors = self.collect()
        if errors:
            self.show_errors(errors)
            self.message.emit("Enregistrement refusé : corrigez les champs signalés.")
            return False
        from cvdesk.services.concurrency import ConcurrentEdit, read_at

        try:
            with read_at(history_model(self.kind), self.record_id, self.read_version):
                result = self.write(values)
        except ConcurrentEdit as conflict:  # saved by someone else since the form read it: compare and choose
            from cvdesk.ui.conflict_dialog import settle_conflict

            return settle_conflict(self, values, conflict)
        if not result.ok:
            self.show_errors(result.errors)
            self.message.emit("Enregistrement refusé : corrigez les champs signalés.")
            return False
        created = self.record_id is None
        self.record_id = result.record.id
        # Its uuid (a record's identity, never changed) for the history shown: one round trip less per save.
        self._saved_uuid = (type(result.record), result.record.id, result.record.uuid)
        self.show_record(self.record_id, saved=not created, result=None if created else result)
        self.show_warnings(result.warnings)
        if created:
            self.model.reload()
            self.go_to(self.record_id)
        else:
            self._show_saved_row(self.record_id)
        self.message.emit("Enregistré.")
        # Read by the window while it hears `changed`: a modification leaves the status bar's counts as they are.
        self.counts_changed = created
        try:
            self.changed.emit()
        finally:
            self.counts_changed = True
        return True

    def _show_saved_row(self, record_id: int) -> None:
        """The saved record's row as the list now stands: changed in place, gone (it no longer matches the search
        or a filter: the form keeps it, no other record is opened), or moved by its new sort value (still selected)."""
        self._moving = True  # the row removed or the list reloaded under the selection opens no other record
        try:
            outcome = self.model.refresh_record(record_id)
            if outcome == "hidden":
                self.view.selectionModel().clearSelection()
                self.view.selectionModel().setCurrentIndex(QModelIndex(), QItemSelectionModel.SelectionFlag.Clear)
        finally:
            self._moving = False
        if outcome == "reloaded" and self.model.record_id(self.view.currentIndex().row()) != record_id:
            row = self.model.row_of(record_id)  # moved past the first page: the list follows it
            if row is not None:
                self._select_row(row)

    def _save_clicked(self) -> None:
        self.save()

    def revert(self) -> None:
        """« Annuler les modifications » (Échap, or its button): asks before dropping what was typed; on an
        unchanged form it does nothing, so a stray Échap never reloads or empties anything."""
        self.ensure_form()
        if self._dirty:
            from PySide6.QtWidgets import QMessageBox

            # Cancel by default: Échap pressed twice, or Entrée by reflex, keeps the typing.
            self._ask_about_edits("Les enregistrer, ou les abandonner ?", QMessageBox.StandardButton.Cancel)

    def discard_edits(self) -> None:
        """Drop unsaved edits without asking: the form shows the record as saved (or empty for a new one)."""
        self.ensure_form()
        if self.record_id is not None:
            self.show_record(self.record_id)
        else:
            self._loading = True
            try:
                self._clear_messages()
                self.clear_form()
                self.heading.setText(self.new_title)  # without « (modifié) »
            finally:
                self._loading = False
            self._set_clean()

    def delete_current(self) -> None:
        if self.record_id is None:
            return
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(
            self, "Supprimer", f"Supprimer {self.describe()} ? La suppression sera transmise au siège.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        from cvdesk.services.records import DeletionRefused

        described = self.describe()
        try:
            removed = self.remove(self.record_id)
        except DeletionRefused as exc:  # still in use (an association's actions): the record stays, and why
            self.message.emit("Suppression refusée.")
            QMessageBox.warning(self, "Suppression refusée", str(exc))
            return
        except StoreError as exc:  # a full disk, an I/O error: the record stays, and the user is told why
            QMessageBox.warning(self, "Suppression impossible", str(exc))
            return
        if removed:
            self.message.emit(f"Supprimé : {described}.")
        self.record_id = None
        self._dirty = False
        self.new_record()
        self.model.reload()
        self.changed.emit()

    def go_to(self, record_id: int) -> None:
        """Show this record and select it in the list (clearing the search and filters when they hide it)."""
        row = self.model.row_of(record_id)
        if row is None and (self.model.search or self.model.filters):
            self.search.blockSignals(True)
            self.search.clear()
            self.search.blockSignals(False)
            for combo in self.filter_combos.values():
                combo.blockSignals(True)
                combo.setCurrentIndex(0)
                combo.blockSignals(False)
            self.model.search, self.model.filters = "", {}
            self.model.reload()
            row = self.model.row_of(record_id)
        # The record being edited, asked for again (from another tab's panel): its unsaved edits stay. Whoever
        # goes to another record has asked first (maybe_keep_edits).
        if record_id != self.record_id:
            self.show_record(record_id)
        if row is not None:
            self._select_row(row)

    # -- remembered between sessions -----------------------------------------------------------------------------
    def save_settings(self, settings: QSettings) -> None:
        settings.setValue(f"{self.kind}/splitter", self.splitter.saveState())
        settings.setValue(f"{self.kind}/header", self.view.horizontalHeader().saveState())

    def load_settings(self, settings: QSettings) -> None:
        splitter = settings.value(f"{self.kind}/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)
        header = settings.value(f"{self.kind}/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)
            self.view.horizontalHeader().setSortIndicator(self.model.sort_column(),
                                                          Qt.SortOrder.DescendingOrder if self.model.descending
                                                          else Qt.SortOrder.AscendingOrder)
