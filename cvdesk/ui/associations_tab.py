"""The Associations tab: porteurs with their identifiers checked as you type, their actions and yearly funding."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLineEdit, QPlainTextEdit, QVBoxLayout

from cvdesk.domain.identifiers import check_rna, check_siren, check_siret, digits_only
from cvdesk.services import choices
from cvdesk.ui.field_checks import line_field, live_check
from cvdesk.ui.record_tab import RecordTab, years_newest_first

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.form_widgets import RecordForm

# The form's modules, its panels' queries and the save path are imported where they are used: the list comes first.

LEGAL_FORMS = ("Association loi 1901", "Commune", "CCAS", "Établissement public", "Bailleur social", "Entreprise",
               "Société coopérative (SCIC, SCOP)", "Autre")


class AssociationsTab(RecordTab):
    kind = "association"
    list_name = "associations"
    noun = "l'association"
    new_title = "Nouvelle association"

    def build_filters(self, bar: QGridLayout) -> None:
        self.add_filter(bar, "active", "État", "actives et inactives")
        self.set_filter_choices("active", [(1, "Actives"), (0, "Inactives")])
        self.add_filter(bar, "commune", "Commune", "toutes")
        self.add_filter(bar, "year", "Année d'action", "toutes")

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo

        def line(name: str, label: str, accessible: str) -> QLineEdit:
            return line_field(form, name, label, accessible)

        self.name_edit = line("name", "&Nom :", "Nom de l'association")
        self.acronym_edit = line("acronym", "Si&gle :", "Sigle")
        self.siret_edit = line("siret", "SIRE&T :", "SIRET (14 chiffres)")
        self.siret_edit.setPlaceholderText("14 chiffres")
        self.siren_edit = line("siren", "SIRE&N :", "SIREN (9 chiffres)")
        self.siren_edit.setPlaceholderText("9 chiffres, déduit du SIRET")
        self.rna_edit = line("rna", "N° &RNA :", "Numéro RNA")
        self.rna_edit.setPlaceholderText("W suivi de 9 caractères")
        self.legal_form = QComboBox()
        self.legal_form.setEditable(True)
        self.legal_form.addItems(LEGAL_FORMS)
        self.legal_form.setAccessibleName("Forme juridique")
        form.add_field("legal_form", "&Forme juridique :", self.legal_form)
        self.address_edit = QPlainTextEdit()
        self.address_edit.setAccessibleName("Adresse")
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(60)
        form.add_field("address", "&Adresse :", self.address_edit)
        self.postcode_edit = line("postcode", "Code &postal :", "Code postal")
        self.city_edit = line("city", "&Ville :", "Ville")
        self.commune_combo = ChoiceCombo("Commune du contrat")
        form.add_field("commune", "&Commune du contrat :", self.commune_combo)
        self.phone_edit = line("phone", "Télé&phone :", "Téléphone")
        self.email_edit = line("email", "Courri&el :", "Courriel")
        self.website_edit = line("website", "Site &web :", "Site web")
        self.president_edit = line("president", "Présiden&t(e) :", "Président ou présidente")
        self.contact_edit = line("contact_name", "Personne à c&ontacter :", "Personne à contacter")
        self.notes_edit = QPlainTextEdit()
        self.notes_edit.setAccessibleName("Notes sur l'association")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setFixedHeight(70)
        form.add_field("notes", "No&tes :", self.notes_edit)
        self.active_check = QCheckBox("Association active")
        self.active_check.setAccessibleName("Association active")
        form.add_field("active", "", self.active_check)
        self.watch(self.name_edit, self.acronym_edit, self.siret_edit, self.siren_edit, self.rna_edit, self.legal_form,
                   self.address_edit, self.postcode_edit, self.city_edit, self.commune_combo, self.phone_edit,
                   self.email_edit, self.website_edit, self.president_edit, self.contact_edit, self.notes_edit,
                   self.active_check)
        for edit, name, checker, label in ((self.siret_edit, "siret", check_siret, "SIRET valide."),
                                           (self.siren_edit, "siren", check_siren, "SIREN valide."),
                                           (self.rna_edit, "rna", lambda v: check_rna(v.strip()), "Numéro RNA valide.")):
            edit.textChanged.connect(live_check(form, name, checker, label))

    def build_panels(self, layout: QVBoxLayout) -> None:
        from cvdesk.ui.related_panels import ActionsPanel, TotalsPanel

        self.actions_panel = ActionsPanel("Actions portées")
        self.actions_panel.action_activated.connect(lambda action_id: self.open_record.emit("action", action_id))
        self.years_panel = TotalsPanel("Financements par année", "Année")
        layout.addWidget(self.actions_panel)
        layout.addWidget(self.years_panel)

    def load_filter_choices(self) -> None:
        self.set_filter_loader("commune", choices.communes)
        self.set_filter_loader("year", years_newest_first)

    def load_form_choices(self) -> None:
        self.commune_combo.set_items([(None, "—"), *((c.id, c.label) for c in choices.communes())])

    def clear_form(self) -> None:
        for edit in (self.name_edit, self.acronym_edit, self.siret_edit, self.siren_edit, self.rna_edit,
                     self.postcode_edit, self.city_edit, self.phone_edit, self.email_edit, self.website_edit,
                     self.president_edit, self.contact_edit):
            edit.clear()
        self.address_edit.clear()
        self.notes_edit.clear()
        self.legal_form.setCurrentText(LEGAL_FORMS[0])
        self.commune_combo.setCurrentIndex(0)
        self.active_check.setChecked(True)
        self.form.show_errors({})
        self.actions_panel.show_actions([])
        self.years_panel.show_totals([])

    def load_record(self, record_id: int) -> bool:
        from cvdesk.services import panels
        from cvdesk.services.totals import totals_by_year

        record = choices.association_of(record_id)
        if record is None:
            return False
        self.heading.setText(record.name + (f" ({record.acronym})" if record.acronym else ""))
        for edit, value in ((self.name_edit, record.name), (self.acronym_edit, record.acronym),
                            (self.siret_edit, record.siret), (self.siren_edit, record.siren), (self.rna_edit, record.rna),
                            (self.postcode_edit, record.postcode), (self.city_edit, record.city),
                            (self.phone_edit, record.phone), (self.email_edit, record.email),
                            (self.website_edit, record.website), (self.president_edit, record.president),
                            (self.contact_edit, record.contact_name)):
            edit.setText(value or "")
        self.address_edit.setPlainText(record.address or "")
        self.notes_edit.setPlainText(record.notes or "")
        self.legal_form.setCurrentText(record.legal_form or "")
        self.commune_combo.set_value(record.commune_id)
        self.active_check.setChecked(bool(record.active))
        self.actions_panel.show_actions(panels.actions_of_porteur(record_id))
        self.years_panel.show_totals(totals_by_year(porteur_id=record_id))
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        values: dict[str, Any] = {
            "name": self.name_edit.text(), "acronym": self.acronym_edit.text(),
            "siret": digits_only(self.siret_edit.text()), "siren": digits_only(self.siren_edit.text()),
            "rna": self.rna_edit.text(), "legal_form": self.legal_form.currentText(),
            "address": self.address_edit.toPlainText(), "postcode": self.postcode_edit.text(),
            "city": self.city_edit.text(), "commune": self.commune_combo.value(),
            "phone": self.phone_edit.text(), "email": self.email_edit.text(), "website": self.website_edit.text(),
            "president": self.president_edit.text(), "contact_name": self.contact_edit.text(),
            "notes": self.notes_edit.toPlainText(), "active": self.active_check.isChecked(),
        }
        return values, {}

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.associations import save_association

        return save_association(values, self.record_id)

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.associations import delete_association

        return delete_association(record_id)

    def describe(self) -> str:
        name = self.name_edit.text().strip()
        return f"l'association « {name} »" if name else self.noun
