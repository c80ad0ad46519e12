"""The « Tableau de bord » tab: where the money is for a year, and what waits for the coordinator; every figure opens
the Actions tab on the records behind it (a click, or Tab then Entrée or Espace)."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.dates import format_date
from cvdesk.domain.money import format_money, format_share
from cvdesk.domain.numbers import grouped
from cvdesk.services.dashboard import (
    AreaTotal,
    Dashboard,
    EnvelopeBar,
    Selection,
    YearTotals,
    build_dashboard,
    kept_quartier_totals,
    kept_year_totals,
    read_year_totals,
    with_totals,
)
from cvdesk.ui.bar_gauge import BarGauge
from cvdesk.ui.qt_numbers import NO_FOCUS, SCROLL_BAR_ALWAYS_OFF, STRONG_FOCUS

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QPaintEvent

EMPTY_TEXT = (
    "<p><b>Aucune action n'est encore saisie dans cette base.</b></p>"
    "<p>Le tableau de bord montrera ici, pour l'année choisie, les enveloppes des financeurs (demandé, accordé et "
    "versé), les totaux par orientation et par quartier, les actions par statut et celles qui attendent une "
    "décision ou un versement.</p>"
    "<p>Pour commencer : complétez le contrat (onglet <b>Contrat</b>, Alt+C : financeurs, orientations et "
    "enveloppes de l'année), les quartiers prioritaires et leur population (onglet <b>Quartiers</b>, Alt+Q), puis "
    "saisissez les actions (onglet <b>Actions</b>, Alt+A, puis Ctrl+N).</p>"
)


def _share(part: int, whole: int) -> str:
    # Rounded once from the cents, as the PDFs print it (format_percent of rounded basis points rounds twice).
    share = format_share(part, whole)
    return "" if share is None else f" ({share})"


def envelope_figures(bar: EnvelopeBar) -> str:
    """The two lines under an envelope's bar: the amount, the three sums with their shares, the excess."""
    use = bar.use
    first = f"Enveloppe {format_money(use.amount)} · accordé {format_money(use.granted)}{_share(use.granted, use.amount)}"
    if use.granted > use.amount:
        first += f" · dépassement de {format_money(use.granted - use.amount)}"
    second = (f"demandé {format_money(use.requested)}{_share(use.requested, use.amount)} · versé "
              f"{format_money(use.paid)}{_share(use.paid, use.amount)} · {grouped(bar.actions.count)} actions")
    return f"{first}\n{second}"


class FigureButton(QPushButton):
    """A count and what it counts; pressed (click, Entrée, Espace) it asks for its selection in the Actions tab."""

    chosen = Signal(object)  # the Selection

    def __init__(self, selection: Selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setText(f"{grouped(selection.count)}  {selection.label}")  # (text, parent) made PySide build QIcon first
        self.selection = selection
        self.setAutoDefault(True)  # Entrée presses it too, as Espace does
        self.setAccessibleName(f"{selection.label} : {selection.count}")
        self.setToolTip((selection.help + " " if selection.help else "")
                        + "Cliquez pour voir ces actions dans l'onglet Actions.")
        self.setStyleSheet("QPushButton { text-align: left; padding: 4px 8px; }")
        self.clicked.connect(lambda _checked=False: self.chosen.emit(self.selection))


def _section(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


class DashboardTab(QWidget):
    """The year's figures, read-only. It answers the window as the other tabs do (nothing to edit, save or delete);
    its figures ask the window, through open_selection, to show their actions in the Actions tab."""

    kind = "dashboard"
    open_record = Signal(str, int)
    changed = Signal()
    message = Signal(str)
    open_selection = Signal(object, str)  # (the Actions list's filters, what they select in words)
    totals_shown = Signal()  # the money totals (envelopes, orientations, quartiers) are on screen

    def __init__(self, parent: QWidget | None = None, form_later: bool = False) -> None:
        super().__init__(parent)
        self.record_id: int | None = None
        self.dashboard: Dashboard | None = None
        self.search = QLineEdit()  # Ctrl+F asks every tab for its search box: this one has none to show
        self.search.hide()
        self.year_combo = QComboBox()
        self.year_combo.setAccessibleName("Année du tableau de bord")
        # By its number (cvdesk.ui.qt_numbers says why): the wheel never turns the year, from the first paint on.
        self.year_combo.setProperty("focusPolicy", STRONG_FOCUS)
        self.year_combo.activated.connect(self._year_chosen)
        year_label = QLabel("A&nnée :")
        year_label.setBuddy(self.year_combo)
        self.year_label = year_label
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(year_label)
        top.addWidget(self.year_combo)

        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setProperty("horizontalScrollBarPolicy", SCROLL_BAR_ALWAYS_OFF)
        self.scroll.setProperty("focusPolicy", NO_FOCUS)
        self.scroll.setWidget(self.body)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self.figures: list[Any] = []  # every clickable figure shown (buttons, bars, tables), in Tab order
        self.loading = False  # the money totals are being read (in the background)
        self.quartiers_pending = False  # the totals by quartier, kept in the base, come right after the first paint
        # So do the totals by orientation at the window's first paint only: a table view would make PySide build the
        # Qt namespace before it (cvdesk.ui.area_table). Later (a year chosen, a refresh) they come with the rest.
        self.orientations_pending = False
        self._before_first_paint = form_later
        self.quartier_box: QGroupBox | None = None
        self.orientation_box: QGroupBox | None = None
        self.failure = ""  # why they could not be, in French
        self._generation = 0
        self._totals_wanted = False

    @property
    def data_pending(self) -> bool:
        """Whether money totals on screen are still to come (the start-up benchmark waits for them: benchmarks/
        start_window.py): all of them while they are read in the background; the totals by quartier, filled right
        after the first paint from the sums kept in the base, and those by orientation at the window's first paint,
        only when their section shows in the scroll area."""
        return self.loading or (self.quartiers_pending and self._on_screen(self.quartier_box)) \
            or (self.orientations_pending and self._on_screen(self.orientation_box))

    @property
    def figures_pending(self) -> bool:
        """Whether any money total, on screen or below it, is still to come."""
        return self.loading or self.quartiers_pending or self.orientations_pending

    def _on_screen(self, box: QGroupBox | None) -> bool:
        if box is None or not self.isVisible():
            return False
        top = box.mapTo(self.scroll.viewport(), box.rect().topLeft()).y()
        return top < self.scroll.viewport().height()

    # -- the figures -------------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the figures again (for the year shown, or the default one) and lay them out."""
        year = self.dashboard.year if self.dashboard is not None else None
        self.show_year(year)

    def show_year(self, year: int | None) -> None:
        """The counts and lists at once (indexed queries); the money totals at once too when the sums kept in the
        base are still those of the data (figure_cache), else from a background operation, which fills their
        sections when it ends (seconds on a national base: the tab is not held up by them) and keeps its sums."""
        self._generation += 1
        self.dashboard = build_dashboard(year, date.today(), totals=False)
        kept = kept_year_totals(self.dashboard.year) if self.dashboard.year is not None else None
        if kept is not None:
            self.dashboard = with_totals(self.dashboard, kept)
        self.failure = ""
        self.loading = not self.dashboard.empty and kept is None
        self.quartiers_pending = kept is not None
        self.orientations_pending = kept is not None and self._before_first_paint
        self._fill_years()
        self._lay_out()
        # Read once the tab has painted (the operation's thread loads the models: not on the way to the first
        # paint; and 1,600 quartiers' lines are below the fold), and only for a tab on screen.
        self._totals_wanted = self.loading or self.quartiers_pending
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        super().paintEvent(event)
        if self._totals_wanted:
            self._totals_wanted = False
            generation = self._generation
            QTimer.singleShot(0, self, lambda: self._after_paint(generation))

    def _after_paint(self, generation: int) -> None:
        """The totals by quartier from the sums kept in the base; or every money total read in the background (also
        when the data changed since the kept sums were read for the rest)."""
        if generation != self._generation or self.dashboard is None:  # another year (or a refresh) since
            return
        self._before_first_paint = False
        if self.orientations_pending:
            self.orientations_pending = False
            self.orientation_box = self._replace_box(self.orientation_box, self._orientations_box) \
                or self.orientation_box
        if self.quartiers_pending and self.dashboard.year is not None:
            quartiers = kept_quartier_totals(self.dashboard.year)
            if quartiers is not None:
                self.dashboard = self.dashboard.but(quartiers=quartiers)
                self.quartiers_pending = False
                self.quartier_box = self._replace_box(self.quartier_box, self._quartiers_box) or self.quartier_box
                self.totals_shown.emit()
                return
        self._read_totals(generation)

    def _read_totals(self, generation: int) -> None:
        from cvdesk.services.figure_cache import KeptRows, keep_rows
        from cvdesk.ui.operations import Operation

        if generation != self._generation or self.dashboard is None:  # another year (or a refresh) since
            return
        year = self.dashboard.year

        def work(_progress: Any, _cancelled: Any) -> tuple[YearTotals, KeptRows | None]:
            return read_year_totals(year) if year is not None else (YearTotals([], [], []), None)

        def done(found: tuple[YearTotals, KeptRows | None]) -> None:
            totals, kept = found
            if kept is not None:
                keep_rows(kept)  # here, in the window's thread: the next start paints them at once
            if generation != self._generation or self.dashboard is None:  # another year (or a refresh) since
                return
            self.dashboard = with_totals(self.dashboard, totals)
            self.loading = self.quartiers_pending = self.orientations_pending = False
            self._lay_out()
            self.totals_shown.emit()

        def failed(text: str) -> None:
            if generation == self._generation:
                self.loading = self.quartiers_pending = self.orientations_pending = False
                self.failure = text
                self._lay_out()
                self.totals_shown.emit()

        self.failure = ""
        Operation(self, work, title="Tableau de bord", label="Calcul des totaux…", on_success=done,
                  on_failure=failed, show_progress=False).start()

    def _fill_years(self) -> None:
        assert self.dashboard is not None
        blocked = self.year_combo.blockSignals(True)
        try:
            self.year_combo.clear()
            for year in reversed(self.dashboard.years):
                self.year_combo.addItem(str(year), year)
            if self.dashboard.year is not None:
                self.year_combo.setCurrentIndex(self.year_combo.findData(self.dashboard.year))
        finally:
            self.year_combo.blockSignals(blocked)
        self.year_combo.setVisible(bool(self.dashboard.years))  # a base without actions has no year to choose
        self.year_label.setVisible(bool(self.dashboard.years))

    def _year_chosen(self, index: int) -> None:
        year = self.year_combo.itemData(index)
        if self.dashboard is None or year != self.dashboard.year:
            self.show_year(year)

    def _clear_body(self) -> None:
        while self.body_layout.count():
            item = self.body_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.figures = []
        self.quartier_box = self.orientation_box = None

    def _lay_out(self) -> None:
        focused = self.focusWidget()
        key = focused.selection.key if isinstance(focused, FigureButton) else None
        self._lay_out_body()
        for index in range(self.body_layout.count()):
            widget = self.body_layout.itemAt(index).widget()
            if widget is not None:
                widget.show()  # at once, in a tab already on screen (Qt would show it at the next turn of the loop)
        self.body_layout.activate()  # and in place at once: until then the new sections lie on one another
        if key is not None:  # the totals came in while the person was on a figure: it keeps the focus
            for widget in self.figures:
                if isinstance(widget, FigureButton) and widget.selection.key == key:
                    widget.setFocus()

    def _lay_out_body(self) -> None:
        board = self.dashboard
        assert board is not None
        self._clear_body()
        contract = f" — {board.contract}" if board.contract else ""
        if board.empty:
            self.heading.setText(f"Tableau de bord{contract}")
            empty = QLabel(EMPTY_TEXT)
            empty.setObjectName("etat_vide")
            empty.setWordWrap(True)
            from PySide6.QtCore import Qt  # an empty base: no figure to hurry for

            empty.setTextFormat(Qt.TextFormat.RichText)
            self.body_layout.addWidget(empty)
            if board.meeting is not None:
                self.body_layout.addWidget(self._meeting_box())
            self.body_layout.addStretch(1)
            return
        self.heading.setText(f"Tableau de bord {board.year}{contract}")
        columns = QHBoxLayout()
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        holder = QWidget()
        holder.setLayout(columns)
        columns.setContentsMargins(0, 0, 0, 0)
        left.addWidget(self._envelopes_box())
        right.addWidget(self._to_act_on_box())
        right.addWidget(self._statuses_box())
        right.addWidget(self._meeting_box())
        right.addStretch(1)
        left.addStretch(1)
        self.body_layout.addWidget(holder)
        self.orientation_box = self._orientations_box()
        self.body_layout.addWidget(self.orientation_box)
        self.quartier_box = self._quartiers_box()
        self.body_layout.addWidget(self.quartier_box)
        self.body_layout.addStretch(1)
        # Tab walks the figures in reading order: the year, the envelopes, the lists, the statuses, the tables.
        chain: list[QWidget] = [self.year_combo, *self.figures]
        for before, after in zip(chain, chain[1:]):
            self.setTabOrder(before, after)

    def _orientations_box(self) -> QGroupBox:
        assert self.dashboard is not None
        return self._area_box("Par orientation", "Totaux par orientation", self.dashboard.orientations, False,
                              pending=self.orientations_pending)

    def _quartiers_box(self) -> QGroupBox:
        assert self.dashboard is not None
        return self._area_box("Par quartier (montant accordé par habitant)", "Totaux par quartier",
                              self.dashboard.quartiers, True, pending=self.quartiers_pending)

    def _replace_box(self, old: QGroupBox | None, build: Callable[[], QGroupBox]) -> QGroupBox | None:
        """A section's totals in place of its pending box, the rest left as it is (the focus with it)."""
        if old is None:
            self._lay_out()
            return None  # every section laid out anew: _lay_out_body has set the boxes
        known = len(self.figures)
        new = build()
        self.body_layout.replaceWidget(old, new)
        old.hide()
        old.deleteLater()
        new.show()
        self.body_layout.activate()
        if known and len(self.figures) > known:  # its table comes last in Tab order, as _lay_out_body chains them
            self.setTabOrder(self.figures[known - 1], self.figures[known])
        return new

    def _pending_label(self) -> QLabel:
        label = QLabel(self.failure or "Calcul des totaux en cours…")
        label.setWordWrap(True)
        return label

    def _button(self, selection: Selection, opens: Selection | None = None) -> FigureButton:
        """A figure's button; opens is the selection it opens when it reads otherwise (the agenda's)."""
        button = FigureButton(selection)
        button.chosen.connect(lambda shown: self._open(opens or shown))
        self.figures.append(button)
        return button

    def _envelopes_box(self) -> QGroupBox:
        board = self.dashboard
        assert board is not None
        box, layout = _section(f"Enveloppes {board.year} : demandé, accordé et versé")
        if self.loading or self.failure:
            layout.addWidget(self._pending_label())
            return box
        if not board.envelopes:
            note = QLabel(f"Aucune enveloppe n'est saisie pour {board.year} : ajoutez-les dans l'onglet Contrat, "
                          "partie « Enveloppes », pour suivre ici leur consommation.")
            note.setWordWrap(True)
            layout.addWidget(note)
            return box
        legend = QLabel("Barre bleue : accordé (foncé : versé) ; trait fin : demandé ; repère noir : montant de "
                        "l'enveloppe ; rouge : dépassement.")
        legend.setWordWrap(True)
        layout.addWidget(legend)
        for bar in board.envelopes:
            use = bar.use
            title = use.funder + (f" — {use.orientation}" if getattr(use, "orientation", "") else "")
            gauge = BarGauge(title, envelope_figures(bar), use.amount, use.requested, use.granted, use.paid)
            gauge.activated.connect(lambda selection=bar.actions: self._open(selection))
            self.figures.append(gauge)
            layout.addWidget(gauge)
        return box

    def _to_act_on_box(self) -> QGroupBox:
        board = self.dashboard
        assert board is not None
        box, layout = _section("À traiter")
        for selection in board.to_act_on:
            layout.addWidget(self._button(selection))
        return box

    def _statuses_box(self) -> QGroupBox:
        board = self.dashboard
        assert board is not None
        box, _layout = _section(f"Actions {board.year} par statut")
        grid = QGridLayout()
        box.layout().addLayout(grid)  # type: ignore[union-attr]
        for position, selection in enumerate(board.statuses):
            grid.addWidget(self._button(selection), position // 2, position % 2)
        return box

    def _meeting_box(self) -> QGroupBox:
        board = self.dashboard
        assert board is not None
        box, layout = _section("Prochaine réunion")
        meeting = board.meeting
        if meeting is None:
            layout.addWidget(QLabel("Aucune réunion n'est prévue."))
            return box
        from cvdesk.services.report_data import meeting_kind_label

        place = f", {meeting.place}" if meeting.place else ""
        label = QLabel(f"{meeting_kind_label(meeting.kind)} du {format_date(meeting.day)}{place}")
        label.setWordWrap(True)
        layout.addWidget(label)
        agenda = Selection(meeting.agenda.key, "actions à l'ordre du jour", meeting.agenda.count,
                           meeting.agenda.filters, meeting.agenda.label)
        layout.addWidget(self._button(agenda, opens=meeting.agenda))
        if self._has_meetings_tab():
            open_button = QPushButton("Ouvrir la réunion")
            open_button.setAutoDefault(True)
            open_button.clicked.connect(lambda _checked=False: self.open_record.emit("meeting", meeting.id))
            self.figures.append(open_button)
            layout.addWidget(open_button)
        return box

    @staticmethod
    def _has_meetings_tab() -> bool:
        from cvdesk.ui.main_window import TABS

        return any(kind == "meeting" for kind, _title, _name in TABS)

    def _area_box(self, title: str, name: str, rows: list[AreaTotal], with_population: bool,
                  pending: bool = False) -> QGroupBox:
        box, layout = _section(title)
        if self.loading or self.failure or pending:
            layout.addWidget(self._pending_label())
            return box
        if not rows:
            layout.addWidget(QLabel("Aucune action de l'année n'y est rattachée."))
            return box
        from cvdesk.ui.area_table import AreaTable

        table = AreaTable(name, with_population)
        table.set_rows(rows)
        table.chosen.connect(self._open)
        self.figures.append(table)
        layout.addWidget(table)
        return box

    def _open(self, selection: Selection) -> None:
        label = selection.label if self.dashboard is None or self.dashboard.year is None \
            or "meeting" in selection.filters else f"{selection.label} ({self.dashboard.year})"
        self.open_selection.emit(dict(selection.filters), label)

    # -- what the window asks of a tab (nothing here is edited) -----------------------------------------------------
    def reload_choices(self) -> None:
        """Nothing to pick from: the next refresh reads the years again."""

    def is_dirty(self) -> bool:
        return False

    def maybe_keep_edits(self) -> bool:
        return True

    def current_record_id(self) -> int | None:
        return None

    def new_record(self) -> None:
        self.message.emit("Le tableau de bord ne se modifie pas : créez les actions dans l'onglet Actions.")

    def save(self) -> bool:
        return True

    def revert(self) -> None:
        """Nothing typed here to drop."""

    def delete_current(self) -> None:
        """Nothing here to delete."""

    def show_record(self, record_id: int) -> None:
        """No record of its own."""

    def go_to(self, record_id: int) -> None:
        """No record of its own."""

    def focus_first_field(self) -> None:
        self.year_combo.setFocus()

    def save_settings(self, settings: QSettings) -> None:
        """The year shown is chosen anew at each start (this year, or the latest with actions)."""

    def load_settings(self, settings: QSettings) -> None:
        """Nothing remembered."""
