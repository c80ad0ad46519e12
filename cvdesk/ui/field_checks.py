"""One-line fields added to a form by name, and the identifier checks that judge them as they are typed."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtWidgets import QLineEdit

if TYPE_CHECKING:  # the form's module is loaded with the form, not with the list
    from cvdesk.ui.form_widgets import RecordForm


def line_field(form: RecordForm, name: str, label: str, accessible: str) -> QLineEdit:
    """A one-line field in the form under its name, with its label and the name a screen reader says."""
    edit = QLineEdit()
    edit.setAccessibleName(accessible)
    form.add_field(name, label, edit)
    return edit


def live_check(form: RecordForm, name: str, checker: Callable[[str], str | None],
               ok_text: str) -> Callable[[str], None]:
    """What to call with the field's text: its row shows the checker's sentence, or ok_text, or nothing when empty."""
    def check(text: str) -> None:
        row = form.rows[name]
        if not text.strip():
            row.set_error(None)
        elif (problem := checker(text)) is not None:
            row.set_error(problem)
        else:
            row.set_note(ok_text)
    return check
