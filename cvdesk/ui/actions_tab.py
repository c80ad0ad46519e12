"""The Actions tab: each funded action with its porteur, quartiers, financing plan, status and renewal."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from cvdesk.domain.axes import AXES, decode_axes, encode_axes
from cvdesk.domain.status import BROUILLON, STATUS_LABELS, STATUSES, allowed_transitions, status_label
from cvdesk.services import choices
from cvdesk.ui.record_tab import RecordTab, years_newest_first

if TYPE_CHECKING:
    from cvdesk.services.actions import FundingInput
    from cvdesk.services.records import SaveResult
    from cvdesk.store.models import Action
    from cvdesk.ui.form_widgets import RecordForm

# The form's modules (its widgets, the financing plan, the porteur's completion) and the save path
# (cvdesk.services.actions: validation, financing rules, records) are imported where they are used: the list
# comes up without them, the form right after the first paint.


def _this_year() -> int:
    from cvdesk.store.models import utcnow  # the models load after the first paint, with the form

    return utcnow().year


def _text_box(accessible_name: str, height: int = 60) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setAccessibleName(accessible_name)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class ActionsTab(RecordTab):
    kind = "action"
    list_name = "actions"
    noun = "l'action"
    new_title = "Nouvelle action"
    version_with_values = True  # read with the action's row in load_record: a round trip fewer per save
    history_from_save = True  # save_action gives back the action's history row: the panel does not read it
    _saved_plan_warnings: list[str] | None = None  # of the last save's warnings, the plan's own (SaveResult)

    def build_filters(self, bar: QGridLayout) -> None:
        self.add_filter(bar, "year", "Année", "toutes")
        self.add_filter(bar, "orientation", "Orientation", "toutes")
        self.add_filter(bar, "status", "Statut")
        self.set_filter_choices("status", [(code, STATUS_LABELS[code]) for code in STATUSES])
        self.add_filter(bar, "commune", "Commune", "toutes")
        self.add_filter(bar, "quartier", "Quartier")
        self.add_filter(bar, "funder", "Financeur")
        self._status = BROUILLON
        self._previous_label = ""
        self._proposed_reference = ""  # what the form proposed; while the reference still reads it, a new year re-proposes

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo
        from cvdesk.ui.financing_plan_editor import FinancingPlanEditor
        from cvdesk.ui.form_widgets import CheckList, DateEdit, IntEdit, MoneyEdit
        from cvdesk.ui.porteur_combo import DoubleClickFilter, PorteurCombo

        self.reference_edit = QLineEdit()
        self.reference_edit.setAccessibleName("Référence de l'action")
        self.reference_edit.setPlaceholderText("2015-VM-012")
        form.add_field("reference", "&Référence :", self.reference_edit)
        self.title_edit = QLineEdit()
        self.title_edit.setAccessibleName("Intitulé de l'action")
        form.add_field("title", "&Intitulé :", self.title_edit)
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(_this_year())
        self.year_spin.setAccessibleName("Année de programmation")
        self.year_spin.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a click or Tab, never the wheel (see wheel_guard)
        form.add_field("year", "&Année :", self.year_spin)
        self.year_spin.valueChanged.connect(self._year_changed)
        self.orientation_combo = ChoiceCombo("Orientation stratégique")
        self.orientation_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.orientation_combo.setMinimumContentsLength(20)
        form.add_field("orientation", "&Orientation :", self.orientation_combo)
        self.porteur_combo = PorteurCombo()
        self.porteur_button = QPushButton("Ouvrir")
        self.porteur_button.setAccessibleName("Ouvrir la fiche du porteur")
        self.porteur_button.setToolTip("Ouvrir la fiche du porteur (ou double-cliquez sur son nom)")
        self.porteur_button.clicked.connect(self.open_porteur)
        self._porteur_filter = DoubleClickFilter(self.open_porteur, self)
        self.porteur_combo.lineEdit().installEventFilter(self._porteur_filter)
        porteur_row = QWidget()
        porteur_layout = QHBoxLayout(porteur_row)
        porteur_layout.setContentsMargins(0, 0, 0, 0)
        porteur_layout.addWidget(self.porteur_combo, 1)
        porteur_layout.addWidget(self.porteur_button)
        form.add_field("porteur", "&Porteur :", porteur_row)
        self.quartiers_list = CheckList("Quartiers ciblés")
        self.quartiers_list.setFixedHeight(110)
        form.add_field("quartiers", "&Quartiers ciblés :", self.quartiers_list)
        self.axes_list = CheckList("Axes transversaux")
        self.axes_list.set_choices(list(AXES.items()))
        self.axes_list.setFixedHeight(self.axes_list.sizeHintForRow(0) * len(AXES) + 6)
        form.add_field("axes", "A&xes transversaux :", self.axes_list)
        self.start_date = DateEdit("Date de début")
        self.end_date = DateEdit("Date de fin")
        self.start_date.default_date = self._day_in_action_year
        self.end_date.default_date = lambda: self.start_date.date_value() or self._day_in_action_year()
        dates = QWidget()
        dates_layout = QHBoxLayout(dates)
        dates_layout.setContentsMargins(0, 0, 0, 0)
        dates_layout.addWidget(self.start_date)
        dates_layout.addWidget(QLabel("au"))
        dates_layout.addWidget(self.end_date)
        dates_layout.addStretch(1)
        form.add_field("start_date", "&Du :", dates)
        self.form.rows["end_date"] = self.form.rows["start_date"]
        self.description_edit = _text_box("Description de l'action", 70)
        form.add_field("description", "&Description :", self.description_edit)
        self.objectives_edit = _text_box("Objectifs de l'action")
        form.add_field("objectives", "O&bjectifs :", self.objectives_edit)
        self.public_edit = _text_box("Public visé", 45)
        form.add_field("public", "Public &visé :", self.public_edit)
        self.total_cost_edit = MoneyEdit("Coût total de l'action", optional=True)
        self.total_cost_edit.setMaximumWidth(180)
        form.add_field("total_cost", "&Coût total :", self.total_cost_edit)
        self.planned_edit = IntEdit("Bénéficiaires prévus", "Le nombre de bénéficiaires prévus")
        self.reached_edit = IntEdit("Bénéficiaires touchés", "Le nombre de bénéficiaires touchés")
        for edit in (self.planned_edit, self.reached_edit):
            edit.setMaximumWidth(120)
        form.add_field("beneficiaries_planned", "Bénéficiaires &prévus :", self.planned_edit)
        form.add_field("beneficiaries_reached", "Bénéficiaires &touchés :", self.reached_edit)
        self.status_combo = ChoiceCombo("Statut de l'action")
        self.status_combo.setToolTip("Seuls les changements de statut permis sont proposés.")
        form.add_field("status", "&Statut :", self.status_combo)
        self.plan_editor = FinancingPlanEditor()
        form.add_wide_field("funding", "Plan de &financement", self.plan_editor)
        self.total_cost_edit.textChanged.connect(
            lambda _text: self.plan_editor.set_total_cost(self.total_cost_edit.cents() or 0))
        self.renewal_label = QLabel()
        self.renewal_label.setWordWrap(True)
        self.renew_button = QPushButton("Reconduire l'action")
        self.renew_button.setAccessibleName("Reconduire l'action l'année suivante")
        self.renew_button.setToolTip("Crée l'action de l'année suivante, liée à celle-ci, en brouillon.")
        self.renew_button.clicked.connect(self.renew)
        renew_row = QWidget()
        renew_layout = QHBoxLayout(renew_row)
        renew_layout.setContentsMargins(0, 0, 0, 0)
        renew_layout.addWidget(self.renew_button)
        renew_layout.addWidget(self.renewal_label, 1)
        form.add_field("previous", "Reconduction :", renew_row)
        # The empty form a tab opens on is a new action's: its reference proposed at once, as « Nouveau » does.
        self._propose_reference()
        self.watch(self.reference_edit, self.title_edit, self.year_spin, self.orientation_combo, self.porteur_combo,
                   self.quartiers_list, self.axes_list, self.start_date, self.end_date, self.description_edit,
                   self.objectives_edit, self.public_edit, self.total_cost_edit, self.planned_edit, self.reached_edit,
                   self.status_combo, self.plan_editor)

    def _propose_reference(self) -> None:
        """Fill the reference with the next one of the year's series (the person may type another)."""
        from cvdesk.services.actions import propose_reference

        self._proposed_reference = propose_reference(self.year_spin.value())
        self.reference_edit.setText(self._proposed_reference)

    def focus_first_field(self) -> None:
        """The proposed reference is selected: typing replaces it, Tab accepts it."""
        super().focus_first_field()
        if self.record_id is None:
            self.reference_edit.selectAll()

    def _year_changed(self, _year: int) -> None:
        """A new action's year changed: its proposed reference follows, unless the person typed their own."""
        if self._loading:  # a record being shown, or the form being emptied (clear_form proposes itself)
            return
        if self.record_id is None and self.reference_edit.text().strip() == self._proposed_reference:
            self._propose_reference()

    def _day_in_action_year(self) -> date:
        """Where an empty date's calendar opens: today, or 1 January of the action's year when it is another one."""
        today, year = date.today(), self.year_spin.value()
        return today if today.year == year else date(year, 1, 1)

    def load_filter_choices(self) -> None:
        self.set_filter_choices("orientation", choices.orientations())  # plain SQL, as the loaders below
        self.set_filter_loader("year", years_newest_first)
        self.set_filter_loader("commune", choices.communes)
        self.set_filter_loader("quartier", choices.quartiers)
        self.set_filter_loader("funder", choices.funders)

    def load_form_choices(self) -> None:
        orientations = choices.orientations()
        self.orientation_combo.set_items([(None, "—"), *((c.id, c.label) for c in orientations)])
        for index, choice in enumerate(orientations, start=1):
            self.orientation_combo.setItemData(index, choice.label, Qt.ItemDataRole.ToolTipRole)
        checked = self.quartiers_list.checked_keys()
        self.quartiers_list.set_choices(choices.quartiers())
        self.quartiers_list.set_checked(checked)
        self.plan_editor.set_funders(choices.funders())
        # Thousands of associations: loaded when a form first needs them, not at start-up.
        self.porteur_combo.set_choices(choices.porteurs())

    def _set_statuses(self, current: str) -> None:
        if current == self._status and self.status_combo.currentIndex() == 0 and self.status_combo.value() == current:
            return  # the same choices (a save that kept the status): not emptied and refilled
        self._status = current
        self.status_combo.set_items([(current, status_label(current)),
                                     *((code, f"→ {status_label(code)}") for code in allowed_transitions(current))],
                                    keep=False)

    def clear_form(self) -> None:
        for edit in (self.reference_edit, self.title_edit, self.total_cost_edit, self.planned_edit, self.reached_edit):
            edit.clear()
        for box in (self.description_edit, self.objectives_edit, self.public_edit):
            box.clear()
        self._proposed_reference = ""
        self.year_spin.setValue(_this_year())
        if not self.reference_edit.text():  # the year did not change, so _year_changed proposed nothing
            self._propose_reference()
        self.orientation_combo.setCurrentIndex(0)
        self.porteur_combo.set_porteur(None)
        self.quartiers_list.set_checked([])
        self.axes_list.set_checked([])
        self.start_date.set_date_value(None)
        self.end_date.set_date_value(None)
        self._set_statuses(BROUILLON)
        self.plan_editor.set_total_cost(0)
        self.plan_editor.set_lines([])
        self.plan_editor.show_errors({})
        self.renewal_label.setText("")
        self.renew_button.setEnabled(False)

    def load_record(self, record_id: int) -> bool:
        from cvdesk.services.actions import action_with_version

        # version_with_values: the action, its version and its quartiers in one query.
        action, self.read_version, quartiers = action_with_version(record_id)
        if action is None:
            return False
        self._fill(action, quartiers, choices.fundings_of(record_id))
        previous = choices.action_of(action.previous_id) if action.previous_id else None
        self.renewal_label.setText(f"Reconduction de {previous.reference} ({previous.year})." if previous else "")
        return True

    def load_saved(self, result: SaveResult) -> bool:
        """After a save that wrote only the action's own row: the action as saved, its version, quartiers and plan
        as the save left and read them, shown without reading them again (two round trips to a server); the
        renewal line stays (the form never changes it). A save that wrote a plan line or a quartier link: False."""
        if result.version is None or result.quartiers is None or result.plan is None:
            return False
        self.read_version = result.version
        self._fill(result.record, result.quartiers, result.plan)
        return True

    def _fill(self, action: Action, quartiers: list[int], plan: list[FundingInput]) -> None:
        """The form shows this action (a record with its stored values), its quartiers and its plan's lines."""
        self.heading.setText(f"{action.reference} – {action.title}")
        self.reference_edit.setText(action.reference)
        self.title_edit.setText(action.title)
        self.title_edit.setCursorPosition(0)
        self.year_spin.setValue(action.year)
        self.orientation_combo.set_value(action.orientation_id)
        self.porteur_combo.set_porteur(action.porteur_id)
        self.quartiers_list.set_checked(quartiers)
        self.axes_list.set_checked(decode_axes(action.axes or ""))
        self.start_date.set_date_value(action.start_date)
        self.end_date.set_date_value(action.end_date)
        self.description_edit.setPlainText(action.description or "")
        self.objectives_edit.setPlainText(action.objectives or "")
        self.public_edit.setPlainText(action.public or "")
        self.total_cost_edit.set_cents(action.total_cost)
        self.planned_edit.set_number(action.beneficiaries_planned)
        self.reached_edit.set_number(action.beneficiaries_reached)
        self._set_statuses(action.status)
        self.plan_editor.set_total_cost(action.total_cost)
        self.plan_editor.set_lines(plan)
        self.plan_editor.show_errors({})
        self.renew_button.setEnabled(True)

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        porteur_text = self.porteur_combo.currentText().strip()
        porteur_id = self.porteur_combo.porteur_id()
        if porteur_text and porteur_id is None:
            errors["porteur"] = f"Aucune association ne s'appelle « {porteur_text} » : choisissez-la dans la liste."
        for edit, name in ((self.total_cost_edit, "total_cost"), (self.planned_edit, "beneficiaries_planned"),
                           (self.reached_edit, "beneficiaries_reached")):
            problem = edit.problem()
            if problem:
                errors[name] = problem
        date_problems = [problem for problem in (self.start_date.problem(), self.end_date.problem()) if problem]
        if date_problems:  # both dates share one row of the form: one line says what is wrong with either
            errors["start_date"] = " ".join(date_problems)
        fundings, plan_errors = self.plan_editor.lines()
        errors.update(plan_errors)
        values = {
            "reference": self.reference_edit.text().strip(), "title": self.title_edit.text().strip(),
            "year": self.year_spin.value(), "orientation": self.orientation_combo.value(),
            "porteur": porteur_id, "axes": encode_axes(self.axes_list.checked_keys()),
            "start_date": self.start_date.date_value(), "end_date": self.end_date.date_value(),
            "description": self.description_edit.toPlainText(), "objectives": self.objectives_edit.toPlainText(),
            "public": self.public_edit.toPlainText(), "total_cost": self.total_cost_edit.cents() or 0,
            "beneficiaries_planned": self.planned_edit.number(), "beneficiaries_reached": self.reached_edit.number(),
            "status": self.status_combo.value() or self._status,
        }
        self.plan_editor.show_errors(errors)
        return {"values": values, "quartiers": self.quartiers_list.checked_keys(), "fundings": fundings}, errors

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.actions import save_action

        result = save_action(values["values"], self.record_id, values["quartiers"], values["fundings"])
        if not result.ok:
            self.plan_editor.show_errors(result.errors)
        self._saved_plan_warnings = result.plan_warnings  # for show_warnings, right after
        return result

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.actions import delete_action

        return delete_action(record_id)

    def describe(self) -> str:
        reference, title = self.reference_edit.text().strip(), self.title_edit.text().strip()
        if reference or title:
            return f"l'action {reference} « {title} »"
        return self.noun

    def show_warnings(self, warnings: list[str]) -> None:
        """The plan editor shows the plan's own warnings live, under the plan: only the others (a « Soldée » action
        with nothing paid, a grant outside any envelope) go under the form, without a second copy of those."""
        from cvdesk.services.actions import plan_warnings

        own: set[str] = set()
        if warnings:  # a save's (the form emptied with [] first, in show_record)
            # The save just made told which are the plan's: no read of the action and its plan (two round trips).
            told, self._saved_plan_warnings = self._saved_plan_warnings, None
            if told is not None:
                own = set(told)
            elif self.record_id is not None:
                own = set(plan_warnings(self.record_id))
        super().show_warnings([warning for warning in warnings if warning not in own])

    # -- jumps and renewal -------------------------------------------------------------------------------------------
    def open_porteur(self) -> None:
        porteur_id = self.porteur_combo.porteur_id()
        if porteur_id is not None:
            self.open_record.emit("association", porteur_id)

    def renew(self) -> None:
        """Renew the action into the next year, once asked; a second renewal into that year is refused."""
        from PySide6.QtWidgets import QMessageBox

        from cvdesk.services.actions import renew_action, renewal_refusal

        source = choices.action_of(self.record_id) if self.record_id is not None else None
        if source is None:
            return
        refusal = renewal_refusal(source.id)
        if refusal:  # said before any question: there is nothing to confirm
            QMessageBox.warning(self, "Reconduction impossible", refusal)
            return
        answer = QMessageBox.question(
            self, "Reconduire l'action",
            f"Reconduire l'action {source.reference} « {source.title} » en {source.year + 1} ? Une nouvelle action, "
            "en brouillon, liée à celle-ci, reprendra ses quartiers et ses financeurs.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes or not self.maybe_keep_edits():
            return
        result = renew_action(self.record_id)
        if not result.ok:
            QMessageBox.warning(self, "Reconduction impossible", " ".join(result.errors.values()))
            return
        self.model.reload()
        self.go_to(result.record.id)
        self.message.emit(f"Action reconduite : {result.record.reference} ({result.record.year}).")
        self.changed.emit()

    # -- a selection from the dashboard -------------------------------------------------------------------------------
    _selection: dict[str, Any] = {}  # always replaced, never changed in place
    _selection_banner: QWidget | None = None

    def show_selection(self, filters: dict[str, Any], label: str) -> None:
        """List exactly the records behind a dashboard figure (its filters, which may name selections no combo
        offers), under a banner that says so and removes it; the search and the combos start from « tous »."""
        self._selection = dict(filters)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        searched, before = bool(self.model.search), dict(self.model.filters)
        self.model.search = ""
        for combo in self.filter_combos.values():
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        banner = self._banner()
        banner.findChild(QLabel, "selection_text").setText(f"Sélection du tableau de bord : {label}")
        banner.show()
        self.apply_filters()
        if searched and self.model.filters == before:  # the same filters: set_filters did not query the list again
            self.model.reload()

    def clear_selection(self) -> None:
        """Back to the whole list (as the combos and the search say)."""
        self._selection = {}
        if self._selection_banner is not None:
            self._selection_banner.hide()
        self.apply_filters()

    def selection_label(self) -> str:
        """The banner's text while a dashboard selection is shown, else ""."""
        banner = self._selection_banner
        return banner.findChild(QLabel, "selection_text").text() if banner is not None and self._selection else ""

    def _banner(self) -> QWidget:
        if self._selection_banner is None:
            banner = QWidget()
            banner.setObjectName("selection_banner")
            banner.setStyleSheet("#selection_banner { background: #fff4c2; border: 1px solid #e0c050; }")
            row = QHBoxLayout(banner)
            row.setContentsMargins(6, 3, 6, 3)
            text = QLabel()
            text.setObjectName("selection_text")
            text.setWordWrap(True)
            row.addWidget(text, 1)
            clear = QPushButton("Retirer la sélection")
            clear.setAccessibleName("Retirer la sélection du tableau de bord")
            clear.setToolTip("Revenir à la liste entière")
            clear.clicked.connect(self.clear_selection)
            row.addWidget(clear)
            self.search.parentWidget().layout().insertWidget(0, banner)  # above the search, over the list
            self._selection_banner = banner
        return self._selection_banner

    def apply_filters(self) -> None:
        """The combos' values narrow a dashboard selection further (a combo's value wins over the selection's)."""
        chosen = {key: combo.value() for key, combo in self.filter_combos.items() if combo.value() is not None}
        self.model.set_filters({**self._selection, **chosen})

    def go_to(self, record_id: int) -> None:
        """A record the selection hides (opened from another tab) ends the selection first."""
        if self._selection and self.model.row_of(record_id) is None:
            self.clear_selection()
        super().go_to(record_id)
