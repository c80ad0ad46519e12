"""The contract's communes, picked from the official reference: a name, postcode or INSEE code typed finds them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit

from cvdesk.ui.field_checks import line_field
from cvdesk.ui.record_tab import RecordTab

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.territory.lookup import CommuneRef
    from cvdesk.ui.form_widgets import RecordForm

MATCHES_SHOWN = 15


def commune_caption(commune: CommuneRef) -> str:
    """« Valenciennes (59606) – 59300, dép. 59 », as the completer lists it."""
    postcodes = ", ".join(commune.postcodes[:3]) + ("…" if len(commune.postcodes) > 3 else "")
    return f"{commune.name} ({commune.insee}) – {postcodes}, dép. {commune.departement}"


class CommunesTab(RecordTab):
    kind = "commune"
    list_name = "communes"
    noun = "la commune"
    new_title = "Nouvelle commune"

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.form_widgets import IntEdit

        self._matches: list[CommuneRef] = []
        self.reference_edit = QLineEdit()
        self.reference_edit.setAccessibleName("Chercher la commune dans le référentiel officiel")
        self.reference_edit.setPlaceholderText("Nom, code postal ou code INSEE, puis choisir")
        self.reference_edit.setClearButtonEnabled(True)
        # The completer is driven by hand: its list is the reference's answer to what is typed (accents, hyphens
        # and word order aside), not Qt's prefix match over a fixed list.
        self._completions = QStringListModel(self)
        self.completer = QCompleter(self._completions, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(10)
        self.completer.setWidget(self.reference_edit)
        self.completer.activated[QModelIndex].connect(lambda index: self.pick(index.row()))
        self.reference_edit.textEdited.connect(self._look_up)
        self.reference_edit.returnPressed.connect(self._pick_first)
        form.add_field("reference", "Référen&tiel :", self.reference_edit)
        self.reference_note = QLabel("Tapez le nom, le code postal ou le code INSEE : les champs se remplissent "
                                     "depuis le référentiel officiel (découpage administratif).")
        self.reference_note.setWordWrap(True)
        self.reference_note.setStyleSheet("color: #555;")
        form.addRow("", self.reference_note)

        def line(name: str, label: str, accessible: str) -> QLineEdit:
            return line_field(form, name, label, accessible)

        self.name_edit = line("name", "&Nom :", "Nom de la commune")
        self.insee_edit = line("insee_code", "Code &INSEE :", "Code INSEE")
        self.insee_edit.setPlaceholderText("5 caractères, comme 59606 ou 2A004")
        self.postcode_edit = line("postcode", "Code &postal :", "Code postal")
        self.departement_edit = line("departement", "Départem&ent :", "Département")
        self.siren_edit = line("siren", "SIREN :", "SIREN de la commune")
        self.population_edit = IntEdit("Population municipale", "La population")
        form.add_field("population", "Pop&ulation municipale :", self.population_edit)
        self.watch(self.name_edit, self.insee_edit, self.postcode_edit, self.departement_edit, self.siren_edit,
                   self.population_edit)

    # -- the reference ---------------------------------------------------------------------------------------------
    def _look_up(self, text: str) -> None:
        from cvdesk.territory.lookup import ReferenceUnavailable, shared_reference

        if len(text.strip()) < 2:
            self._matches = []
            self._completions.setStringList([])
            self.completer.popup().hide()
            return
        try:
            self._matches = shared_reference().find_communes(text, MATCHES_SHOWN)
        except ReferenceUnavailable as exc:
            self._matches = []
            self.form.rows["reference"].set_error(str(exc))
            return
        self._completions.setStringList([commune_caption(c) for c in self._matches])
        if self._matches:
            self.form.rows["reference"].set_error(None)
            self.completer.complete()
        else:
            self.completer.popup().hide()
            self.form.rows["reference"].set_error(f"Aucune commune du référentiel ne répond à « {text.strip()} ».")

    def _pick_first(self) -> None:
        """Entrée in the search without choosing: the first match, when the text typed found any."""
        if self._matches and not self.completer.popup().isVisible():
            self.pick(0)

    def pick(self, row: int) -> None:
        """Fill the form from the row-th match of the reference (the name stays editable)."""
        if not 0 <= row < len(self._matches):
            return
        commune = self._matches[row]
        from cvdesk.store.models import Commune

        present = Commune.get_or_none((Commune.insee_code == commune.insee) & (Commune.deleted == False))  # noqa: E712
        if present is not None and present.id != self.record_id:
            # Already one of the contract's communes: shown rather than entered twice (the quartiers and
            # associations would be split between two records of one commune).
            self.completer.popup().hide()
            if self.maybe_keep_edits():
                self.go_to(present.id)
                self.form.rows["reference"].set_error(
                    f"{commune.name} ({commune.insee}) est déjà une commune du contrat : la voici.")
            return
        typed = self.reference_edit.text().strip()
        postcode = typed if typed in commune.postcodes else (commune.postcodes[0] if commune.postcodes else "")
        self.name_edit.setText(commune.name)
        self.insee_edit.setText(commune.insee)
        self.postcode_edit.setText(postcode)
        self.departement_edit.setText(commune.departement)
        self.siren_edit.setText(commune.siren or "")
        self.population_edit.set_number(commune.population_municipale)
        self.reference_edit.setText(commune_caption(commune))
        self.form.rows["reference"].set_note("Rempli depuis le référentiel officiel : vérifiez, puis enregistrez.")
        self.completer.popup().hide()
        self.name_edit.setFocus()

    # -- the record ------------------------------------------------------------------------------------------------
    def clear_form(self) -> None:
        for edit in (self.reference_edit, self.name_edit, self.insee_edit, self.postcode_edit, self.departement_edit,
                     self.siren_edit):
            edit.clear()
        self.population_edit.clear()
        self._matches = []
        self.form.rows["reference"].set_error(None)

    def focus_first_field(self) -> None:
        self.ensure_form()
        self.reference_edit.setFocus()

    def load_record(self, record_id: int) -> bool:
        from cvdesk.store.models import Commune

        record = Commune.get_or_none((Commune.id == record_id) & (Commune.deleted == False))  # noqa: E712
        if record is None:
            return False
        self.heading.setText(f"{record.name}" + (f" ({record.insee_code})" if record.insee_code else ""))
        self.reference_edit.clear()
        self.form.rows["reference"].set_error(None)
        self.name_edit.setText(record.name)
        self.insee_edit.setText(record.insee_code or "")
        self.postcode_edit.setText(record.postcode or "")
        self.departement_edit.setText(record.departement or "")
        self.siren_edit.setText(record.siren or "")
        self.population_edit.set_number(record.population)
        return True

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        from cvdesk.domain.identifiers import digits_only

        errors: dict[str, str] = {}
        problem = self.population_edit.problem()
        if problem:
            errors["population"] = problem
        values: dict[str, Any] = {"name": self.name_edit.text().strip(), "insee_code": self.insee_edit.text().strip(),
                                  "postcode": self.postcode_edit.text().strip(),
                                  "departement": self.departement_edit.text().strip(),
                                  "siren": digits_only(self.siren_edit.text()),
                                  "population": self.population_edit.number()}
        return values, errors

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.reference import save_commune

        return save_commune(values, self.record_id)

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.reference import delete_commune

        return delete_commune(record_id)

    def describe(self) -> str:
        name = self.name_edit.text().strip()
        return f"la commune « {name} »" if name else self.noun
