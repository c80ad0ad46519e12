"""The funders' envelopes per year (optionally per orientation), each with what is requested and granted against it."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from cvdesk.services import choices
from cvdesk.ui.record_tab import RecordTab, years_newest_first

if TYPE_CHECKING:
    from cvdesk.services.envelopes import EnvelopeConsumption
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.form_widgets import RecordForm


class ConsumptionPanel(QWidget):
    """The envelope's amount, what its lines request, grant and pay, the shares of the amount, and what is left."""

    ROWS = (("amount", "Montant de l'enveloppe"), ("requested", "Demandé"), ("granted", "Accordé"),
            ("paid", "Versé"), ("remaining", "Reste à accorder"), ("actions", "Actions concernées"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Consommation de l'enveloppe")
        title.setStyleSheet("font-weight: bold")
        grid = QGridLayout()
        self.values: dict[str, QLabel] = {}
        for row, (key, label) in enumerate(self.ROWS):
            grid.addWidget(QLabel(f"{label} :"), row, 0)
            value = QLabel("—")
            value.setAccessibleName(label)
            value.setStyleSheet("font-family: monospace;" if key != "actions" else "")
            grid.addWidget(value, row, 1)
            self.values[key] = value
        grid.setColumnStretch(2, 1)
        self.note = QLabel()
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 0)
        layout.addWidget(title)
        layout.addLayout(grid)
        layout.addWidget(self.note)

    def show_consumption(self, use: EnvelopeConsumption | None) -> None:
        from cvdesk.domain.money import format_money, format_share

        if use is None:
            for value in self.values.values():
                value.setText("—")
            self.note.setText("Enregistrez l'enveloppe pour voir sa consommation.")
            return

        def with_share(cents: int) -> str:
            # Rounded once from the cents (format_percent of rounded basis points would round twice).
            share = format_share(cents, use.amount)
            return format_money(cents) + (f" ({share})" if share is not None else "")

        self.values["amount"].setText(format_money(use.amount))
        self.values["requested"].setText(with_share(use.requested))
        self.values["granted"].setText(with_share(use.granted))
        self.values["paid"].setText(with_share(use.paid))
        self.values["remaining"].setText(format_money(use.remaining))
        self.values["actions"].setText(str(use.actions))
        over = use.granted > use.amount
        self.values["remaining"].setStyleSheet("font-family: monospace;" + (" color: #c0392b;" if over else ""))
        self.note.setText("Attention : les montants accordés dépassent l'enveloppe." if over else "")

    def texts(self) -> dict[str, str]:
        return {key: label.text() for key, label in self.values.items()}


class EnvelopesTab(RecordTab):
    kind = "envelope"
    list_name = "envelopes"
    noun = "l'enveloppe"
    new_title = "Nouvelle enveloppe"

    def build_filters(self, bar: QGridLayout) -> None:
        self.add_filter(bar, "year", "Année", "toutes")
        self.add_filter(bar, "funder", "Financeur", "tous")

    def load_filter_choices(self) -> None:
        self.set_filter_loader("year", self._envelope_years)
        self.set_filter_loader("funder", choices.funders)

    @staticmethod
    def _envelope_years() -> list[tuple[int, str]]:
        from cvdesk.services.reference_order import envelope_years

        return [(year, str(year)) for year in envelope_years()] or years_newest_first()

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo
        from cvdesk.ui.form_widgets import IntEdit, MoneyEdit

        self.funder_combo = ChoiceCombo("Financeur de l'enveloppe")
        form.add_field("funder", "Fi&nanceur :", self.funder_combo)
        self.year_edit = IntEdit("Année de l'enveloppe", "L'année", grouped=False)
        self.year_edit.setMaximumWidth(80)
        form.add_field("year", "Anné&e :", self.year_edit)
        self.orientation_combo = ChoiceCombo("Orientation de l'enveloppe")
        form.add_field("orientation", "Or&ientation :", self.orientation_combo)
        self.amount_edit = MoneyEdit("Montant de l'enveloppe", optional=False)
        form.add_field("amount", "Mon&tant :", self.amount_edit)
        self.label_edit = QLineEdit()
        self.label_edit.setAccessibleName("Libellé de l'enveloppe")
        self.label_edit.setPlaceholderText("par exemple « Crédits politique de la ville 2015 »")
        form.add_field("label", "&Libellé :", self.label_edit)
        self.watch(self.funder_combo, self.year_edit, self.orientation_combo, self.amount_edit, self.label_edit)

    def build_panels(self, layout: QVBoxLayout) -> None:
        self.consumption = ConsumptionPanel()
        layout.addWidget(self.consumption)

    def load_form_choices(self) -> None:
        self.funder_combo.set_items([(None, "— choisir —"), *((c.id, c.label) for c in choices.funders())])
        self.orientation_combo.set_items([(None, "Toutes les orientations"),
                                          *((c.id, c.label) for c in choices.orientations())])

    def clear_form(self) -> None:
        self.funder_combo.setCurrentIndex(0)
        self.year_edit.clear()
        self.orientation_combo.setCurrentIndex(0)
        self.amount_edit.clear()
        self.label_edit.clear()
        self.consumption.show_consumption(None)

    def load_record(self, record_id: int) -> bool:
        from cvdesk.services.envelopes import envelope_consumption_of
        from cvdesk.store.models import Envelope

        record = Envelope.get_or_none((Envelope.id == record_id) & (Envelope.deleted == False))  # noqa: E712
        if record is None:
            return False
        self.heading.setText(f"{record.funder.name} – {record.year}"
                             + (f" – orientation {record.orientation.number}" if record.orientation_id else ""))
        self.funder_combo.set_value(record.funder_id)
        self.year_edit.set_number(record.year)
        self.orientation_combo.set_value(record.orientation_id)
        self.amount_edit.set_cents(record.amount)
        self.label_edit.setText(record.label or "")
        self.consumption.show_consumption(envelope_consumption_of(record_id))
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        errors: dict[str, str] = {}
        for name, edit in (("year", self.year_edit), ("amount", self.amount_edit)):
            problem = edit.problem()
            if problem:
                errors[name] = problem
        values = {"funder": self.funder_combo.value(), "year": self.year_edit.number(),
                  "orientation": self.orientation_combo.value(), "amount": self.amount_edit.cents(),
                  "label": self.label_edit.text().strip()}
        if "amount" not in errors and values["amount"] is None:
            errors["amount"] = "Le montant de l'enveloppe est obligatoire."
        return values, errors

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.reference import save_envelope

        return save_envelope(values, self.record_id)

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.reference import delete_envelope

        return delete_envelope(record_id)

    def describe(self) -> str:
        funder, year = self.funder_combo.currentText(), self.year_edit.text().strip()
        return f"l'enveloppe {funder} {year}" if self.funder_combo.value() is not None else self.noun
