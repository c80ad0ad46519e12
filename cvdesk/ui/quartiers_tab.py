"""The Quartiers tab: priority neighbourhoods with communes, population, indicators, their actions and funding."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from cvdesk.domain.indicators import INDICATORS, MONEY_INDICATORS, format_indicator, parse_indicator
from cvdesk.services import choices
from cvdesk.ui.record_tab import RecordTab

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.form_widgets import RecordForm

# The form's modules, its panels' queries and the save path are imported where they are used: the list comes first.


class IndicatorInput(QWidget):
    """One indicator: its value ("10 450 €", "42,5 %") and the year of its source."""

    def __init__(self, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from cvdesk.ui.form_widgets import IntEdit

        self.code = code
        label = INDICATORS[code]
        self.value_edit = QLineEdit()
        self.value_edit.setAccessibleName(label)
        self.value_edit.setPlaceholderText("10 450 €" if code in MONEY_INDICATORS else "42,5 %")
        self.year_edit = IntEdit(f"{label} : année de la source", "L'année de la source", grouped=False)
        self.year_edit.setPlaceholderText("année")
        self.year_edit.setMaximumWidth(70)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.value_edit, 1)
        layout.addWidget(QLabel("source :"))
        layout.addWidget(self.year_edit)

    def entry(self) -> tuple[tuple[int, int | None] | None, str | None]:
        """(value, source year) or None when empty, and the French reason when unreadable."""
        text = self.value_edit.text().strip()
        if not text:
            return None, None
        try:
            value = parse_indicator(self.code, text)
        except ValueError as exc:
            return None, str(exc)
        problem = self.year_edit.problem()
        if problem:
            return None, problem
        year = self.year_edit.number()
        if year is not None and not 1990 <= year <= 2100:
            return None, f"{INDICATORS[self.code]} : l'année de la source doit être entre 1990 et 2100."
        return (value, year), None

    def set_entry(self, entry: tuple[int, int | None] | None) -> None:
        self.value_edit.setText("" if entry is None else format_indicator(self.code, entry[0]))
        self.year_edit.set_number(None if entry is None else entry[1])


class QuartiersTab(RecordTab):
    kind = "quartier"
    list_name = "quartiers"
    noun = "le quartier"
    new_title = "Nouveau quartier"

    def build_filters(self, bar: QGridLayout) -> None:
        self.add_filter(bar, "commune", "Commune", "toutes")

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.form_widgets import CheckList, IntEdit

        self.code_edit = QLineEdit()
        self.code_edit.setAccessibleName("Code du quartier")
        self.code_edit.setPlaceholderText("QP059001 ou QN05901A")
        form.add_field("code", "&Code :", self.code_edit)
        self.name_edit = QLineEdit()
        self.name_edit.setAccessibleName("Nom du quartier")
        form.add_field("name", "&Nom :", self.name_edit)
        self.communes_list = CheckList("Communes du quartier")
        self.communes_list.setFixedHeight(110)
        form.add_field("communes", "Co&mmunes :", self.communes_list)
        self.population_edit = IntEdit("Population", "La population")
        form.add_field("population", "&Population :", self.population_edit)
        self.indicator_inputs: dict[str, IndicatorInput] = {}
        for code, label in INDICATORS.items():
            widget = IndicatorInput(code)
            self.indicator_inputs[code] = widget
            form.add_field(f"indicator.{code}", f"{label} :", widget)
            self.watch(widget.value_edit, widget.year_edit)
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setAccessibleName("Notes sur le quartier")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(70)
        form.add_field("notes", "No&tes :", self.notes_edit)
        self.watch(self.code_edit, self.name_edit, self.communes_list, self.population_edit, self.notes_edit)

    def build_panels(self, layout: QVBoxLayout) -> None:
        from cvdesk.ui.related_panels import ActionsPanel, TotalsPanel

        self.actions_panel = ActionsPanel("Actions dans ce quartier")
        self.actions_panel.action_activated.connect(lambda action_id: self.open_record.emit("action", action_id))
        self.orientation_panel = TotalsPanel("Financements par orientation", "Orientation")
        self.funder_panel = TotalsPanel("Financements par financeur", "Financeur")
        for panel in (self.actions_panel, self.orientation_panel, self.funder_panel):
            layout.addWidget(panel)

    def load_filter_choices(self) -> None:
        self.set_filter_loader("commune", choices.communes)

    def load_form_choices(self) -> None:
        checked = self.communes_list.checked_keys()
        self.communes_list.set_choices(choices.communes())
        self.communes_list.set_checked(checked)

    def clear_form(self) -> None:
        self.code_edit.clear()
        self.name_edit.clear()
        self.communes_list.set_checked([])
        self.population_edit.clear()
        for widget in self.indicator_inputs.values():
            widget.set_entry(None)
        self.notes_edit.clear()
        self.actions_panel.show_actions([])
        self.orientation_panel.show_totals([])
        self.funder_panel.show_totals([])

    def load_record(self, record_id: int) -> bool:
        from cvdesk.services import panels
        from cvdesk.services.quartiers import indicators_of
        from cvdesk.services.totals import totals_by_funder, totals_by_orientation

        record = choices.quartier_of(record_id)
        if record is None:
            return False
        self.heading.setText(f"{record.code} – {record.name}")
        self.code_edit.setText(record.code)
        self.name_edit.setText(record.name)
        self.communes_list.set_checked(choices.commune_ids_of(record_id))
        self.population_edit.set_number(record.population)
        stored = indicators_of(record_id)
        for code, widget in self.indicator_inputs.items():
            widget.set_entry(stored.get(code))
        self.notes_edit.setPlainText(record.notes or "")
        self.actions_panel.show_actions(panels.actions_of_quartier(record_id))
        self.orientation_panel.show_totals(totals_by_orientation(quartier_id=record_id))
        self.funder_panel.show_totals(totals_by_funder(quartier_id=record_id))
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        problem = self.population_edit.problem()
        if problem:
            errors["population"] = problem
        indicators: dict[str, tuple[int, int | None] | None] = {}
        for code, widget in self.indicator_inputs.items():
            entry, problem = widget.entry()
            if problem:
                errors[f"indicator.{code}"] = problem
            indicators[code] = entry
        values = {"code": self.code_edit.text(), "name": self.name_edit.text().strip(),
                  "population": self.population_edit.number() or 0, "notes": self.notes_edit.toPlainText()}
        return {"values": values, "communes": self.communes_list.checked_keys(), "indicators": indicators}, errors

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.quartiers import save_quartier

        return save_quartier(values["values"], self.record_id, values["communes"], values["indicators"])

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.quartiers import delete_quartier

        return delete_quartier(record_id)

    def describe(self) -> str:
        code, name = self.code_edit.text().strip(), self.name_edit.text().strip()
        return f"le quartier {code} « {name} »" if code or name else self.noun
