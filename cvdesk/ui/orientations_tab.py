"""The contract's strategic orientations, in their order: a title, an optional pillar, « Monter » and « Descendre »."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QWidget

from cvdesk.domain.axes import PILLARS
from cvdesk.ui.record_tab import RecordTab

if TYPE_CHECKING:
    from cvdesk.services.records import SaveResult
    from cvdesk.ui.form_widgets import RecordForm

NO_CONTRACT = ("Enregistrez d'abord le contrat (sous-onglet « Contrat et signataires ») : une orientation en fait "
               "partie ; rien n'a été enregistré.")


class OrientationsTab(RecordTab):
    kind = "orientation"
    list_name = "orientations"
    noun = "l'orientation"
    new_title = "Nouvelle orientation"

    def build_form(self, form: RecordForm) -> None:
        from cvdesk.ui.choice_combo import ChoiceCombo

        self.title_edit = QPlainTextEdit()
        self.title_edit.setAccessibleName("Intitulé de l'orientation")
        self.title_edit.setTabChangesFocus(True)
        self.title_edit.setFixedHeight(60)
        form.add_field("title", "&Intitulé :", self.title_edit)
        self.pillar_combo = ChoiceCombo("Pilier de l'orientation")
        self.pillar_combo.set_items([(None, "— (aucun pilier)"), *PILLARS.items()])
        form.add_field("pillar", "&Pilier :", self.pillar_combo)
        # The number is the orientation's place: it changes only by « Monter » and « Descendre », which renumber
        # them all 1..n (two orientations never share a number, and none is skipped).
        order = QWidget()
        row = QHBoxLayout(order)
        row.setContentsMargins(0, 0, 0, 0)
        self.number_label = QLabel("—")
        self.number_label.setAccessibleName("Numéro de l'orientation")
        self.number_label.setMinimumWidth(self.number_label.fontMetrics().horizontalAdvance("(à la suite)") + 6)
        self.up_button = QPushButton("Mon&ter")
        self.up_button.setToolTip("Placer l'orientation avant la précédente (les numéros suivent)")
        self.down_button = QPushButton("Desce&ndre")
        self.down_button.setToolTip("Placer l'orientation après la suivante (les numéros suivent)")
        self.up_button.setAccessibleName("Monter l'orientation")
        self.down_button.setAccessibleName("Descendre l'orientation")
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button.clicked.connect(lambda: self.move(1))
        row.addWidget(self.number_label)
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        row.addStretch(1)
        form.add_field("number", "N° :", order)
        self.watch(self.title_edit, self.pillar_combo)

    def clear_form(self) -> None:
        self.title_edit.clear()
        self.pillar_combo.setCurrentIndex(0)
        self.number_label.setText("(à la suite)")
        self._update_move_buttons(None)

    def load_record(self, record_id: int) -> bool:
        from cvdesk.store.models import Orientation

        record = Orientation.get_or_none((Orientation.id == record_id) & (Orientation.deleted == False))  # noqa: E712
        if record is None:
            return False
        self.heading.setText(f"Orientation {record.number}")
        self.title_edit.setPlainText(record.title)
        self.pillar_combo.set_value(record.pillar or None)
        self.number_label.setText(str(record.number))
        self._update_move_buttons(record.number)
        return True

    def _update_move_buttons(self, number: int | None) -> None:
        last = self.model.total() or self.model.rowCount()
        self.up_button.setEnabled(number is not None and number > 1)
        self.down_button.setEnabled(number is not None and number < last)

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        return {"title": self.title_edit.toPlainText().strip(), "pillar": self.pillar_combo.value()}, {}

    def write(self, values: dict[str, Any]) -> SaveResult:
        from cvdesk.services.reference import current_contract, save_orientation
        from cvdesk.services.reference_order import next_orientation_number
        from cvdesk.services.records import SaveResult

        if self.record_id is not None:
            return save_orientation(values, self.record_id)
        contract = current_contract()
        if contract is None:
            return SaveResult(errors={"": NO_CONTRACT})
        return save_orientation({**values, "contract": contract.id, "number": next_orientation_number(contract.id)})

    def remove(self, record_id: int) -> bool:
        from cvdesk.services.reference import delete_orientation

        return delete_orientation(record_id)

    def move(self, delta: int) -> None:
        """Move the shown orientation up (-1) or down (+1); its unsaved edits are saved or dropped first."""
        if self.record_id is None or not self.maybe_keep_edits():
            return
        from cvdesk.services.reference import move_orientation
        from cvdesk.store.errors import StoreError

        record_id = self.record_id
        try:
            move_orientation(record_id, delta)
        except (StoreError, ValueError) as exc:
            self.show_errors({"number": str(exc)})
            return
        self.model.reload()
        self.go_to(record_id)
        self.show_record(record_id)
        self.message.emit("Orientations renumérotées.")
        self.changed.emit()
        (self.up_button if delta < 0 and self.up_button.isEnabled() else self.down_button
         if self.down_button.isEnabled() else self.title_edit).setFocus()

    def describe(self) -> str:
        number = self.number_label.text()
        return f"l'orientation {number}" if number.isdigit() else self.noun
