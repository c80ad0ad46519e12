"""The funders of the contract: kind, short name, SIREN and SIRET checked as you type (the SIRET feeds the SCDL)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtWidgets import QLabel, QLineEdit

from cvdesk.domain.funders import FUNDER_KINDS
from cvdesk.domain.identifiers import check_siren, check_siret, digits_only
from cvdesk.ui.field_checks import line_field, live_check
from cvdesk.ui.record_tab import RecordTab

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.form_widgets import RecordForm

SIRET_HINT = ("Le SIRET est l'identifiant du financeur (idAttribuant) dans l'export open data des subventions "
              "(SCDL) : sans lui, ses subventions ne peuvent pas y figurer.")


class FundersTab(RecordTab):
    kind = "funder"
    list_name = "funders"
    noun = "le financeur"
    new_title = "Nouveau financeur"

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo

        def line(name: str, label: str, accessible: str) -> QLineEdit:
            return line_field(form, name, label, accessible)

        self.name_edit = line("name", "&Nom :", "Nom du financeur")
        self.short_edit = line("short_name", "Nom co&urt :", "Nom court du financeur")
        self.short_edit.setPlaceholderText("dans les tableaux, par exemple « État »")
        self.kind_combo = ChoiceCombo("Catégorie de financeur")
        self.kind_combo.set_items(FUNDER_KINDS.items())
        form.add_field("kind", "Ca&tégorie :", self.kind_combo)
        self.siren_edit = line("siren", "S&IREN :", "SIREN du financeur (9 chiffres)")
        self.siren_edit.setPlaceholderText("9 chiffres, déduit du SIRET")
        self.siret_edit = line("siret", "SIR&ET :", "SIRET du financeur (14 chiffres)")
        self.siret_edit.setPlaceholderText("14 chiffres")
        self.siret_hint = QLabel(SIRET_HINT)
        self.siret_hint.setWordWrap(True)
        self.siret_hint.setStyleSheet("color: #555;")
        form.addRow("", self.siret_hint)
        self.watch(self.name_edit, self.short_edit, self.kind_combo, self.siren_edit, self.siret_edit)
        self._identifier_checks: list[tuple[QLineEdit, Callable[[str], None]]] = []
        for edit, name, checker, ok_text in ((self.siret_edit, "siret", check_siret, "SIRET valide."),
                                             (self.siren_edit, "siren", check_siren, "SIREN valide.")):
            check = live_check(form, name, checker, ok_text)
            edit.textChanged.connect(check)
            self._identifier_checks.append((edit, check))

    def clear_form(self) -> None:
        for edit in (self.name_edit, self.short_edit, self.siren_edit, self.siret_edit):
            edit.clear()
        self.kind_combo.set_value("autre")

    def load_record(self, record_id: int) -> bool:
        from cvdesk.store.models import Funder

        record = Funder.get_or_none((Funder.id == record_id) & (Funder.deleted == False))  # noqa: E712
        if record is None:
            return False
        self.heading.setText(record.name)
        self.name_edit.setText(record.name)
        self.short_edit.setText(record.short_name or "")
        self.kind_combo.set_value(record.kind)
        self.siren_edit.setText(record.siren or "")
        self.siret_edit.setText(record.siret or "")
        for edit, check in self._identifier_checks:  # also when the text is as before (no textChanged)
            check(edit.text())
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {"name": self.name_edit.text().strip(), "short_name": self.short_edit.text().strip(),
                                  "kind": self.kind_combo.value()}
        # A valid SIRET alone gives its SIREN in save_funder (normalise_funder); a wrong one must not give a SIREN.
        values.update(siren=digits_only(self.siren_edit.text()), siret=digits_only(self.siret_edit.text()))
        return values, {}

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.reference import save_funder

        if self.record_id is None:
            from cvdesk.services.reference_order import next_funder_position

            values = {**values, "position": next_funder_position()}
        return save_funder(values, self.record_id)

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.reference import delete_funder

        return delete_funder(record_id)

    def describe(self) -> str:
        name = self.name_edit.text().strip()
        return f"le financeur « {name} »" if name else self.noun
