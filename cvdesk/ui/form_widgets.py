"""Form inputs shared by the tabs: amounts typed the French way, whole numbers, optional dates, checkable lists."""
from __future__ import annotations

import re
from datetime import date
from typing import Callable, Iterable, Sequence

from PySide6.QtCore import QDate, QLocale, QPoint, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from cvdesk.domain.money import MoneyError, format_money, parse_money
from cvdesk.domain.numbers import grouped
from cvdesk.services.choices import Choice
from cvdesk.services.validation import length_problem, max_length
from cvdesk.store.models import Record
from cvdesk.ui.choice_combo import ChoiceCombo  # noqa: F401 (where the tabs and the plan editor found it)
from cvdesk.ui.wheel_guard import install_wheel_guard_soon

ERROR_STYLE = "border: 2px solid #c0392b;"
ERROR_TEXT_STYLE = "color: #c0392b;"
OK_TEXT_STYLE = "color: #1e7d32;"


def restyle(widget: QWidget, style: str, tip: str | None = None) -> None:
    """Set a widget's style sheet (and tooltip) only when they change: each setStyleSheet polishes the widget again,
    and clearing the marks of every field and plan cell cost about 8 ms at each save."""
    if widget.styleSheet() != style:
        widget.setStyleSheet(style)
    if tip is not None and widget.toolTip() != tip:
        widget.setToolTip(tip)
WARNING_TEXT_STYLE = "color: #a04000; font-weight: bold;"


class MoneyEdit(QLineEdit):
    """An amount typed as people do ("12 500", "12 500,50 €"), shown formatted and right-aligned; cents inside."""

    def __init__(self, accessible_name: str, optional: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.optional = optional
        self.setAccessibleName(accessible_name)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("0,00 €")
        self.editingFinished.connect(self._reformat)

    def problem(self) -> str | None:
        """None when the text is a valid amount (or empty and optional), else a French sentence."""
        text = self.text().strip()
        if not text:
            return None if self.optional else "Le montant est obligatoire."
        try:
            cents = parse_money(text)
        except MoneyError as exc:
            return str(exc)
        if cents < 0:
            return "Le montant ne peut pas être négatif."
        return None

    def cents(self) -> int | None:
        """The amount in cents; None when empty or unreadable (see problem())."""
        if self.problem() is not None or not self.text().strip():
            return None
        return parse_money(self.text())

    def set_cents(self, cents: int | None) -> None:
        self.setText("" if cents is None else format_money(cents))

    def _reformat(self) -> None:
        cents = self.cents()
        if cents is not None:
            formatted = format_money(cents)
            if formatted != self.text():
                self.setText(formatted)


class IntEdit(QLineEdit):
    """A whole number (population, beneficiaries), spaces between thousands allowed; None when empty."""

    def __init__(self, accessible_name: str, label: str, grouped: bool = True, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.grouped = grouped  # thousands apart ("12 500"), except for years
        self.setAccessibleName(accessible_name)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    def _compact(self) -> str:
        return self.text().replace(" ", "").replace("\u00a0", "").replace("\u202f", "")

    def problem(self) -> str | None:
        compact = self._compact()
        if compact and not (compact.isascii() and compact.isdigit()):
            return f"{self.label} doit être un nombre entier positif (« {self.text().strip()} »)."
        return None

    def number(self) -> int | None:
        compact = self._compact()
        return int(compact) if compact.isascii() and compact.isdigit() else None

    def set_number(self, value: int | None) -> None:
        if value is None:
            self.setText("")
        else:
            self.setText(grouped(value) if self.grouped else str(value))


def parse_date(text: str) -> date | None:
    """A date typed as people do: « 01/03/2016 », « 1/3/2016 », « 1.3.16 », « 01032016 »; None when empty.

    Raises ValueError with a French sentence when the text is not a date of the calendar."""
    compact = text.strip()
    if not compact:
        return None
    parts = re.split(r"\s*[/.\-\s]\s*", compact)
    if len(parts) == 1 and compact.isascii() and compact.isdigit() and len(compact) in (6, 8):
        parts = [compact[:2], compact[2:4], compact[4:]]
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts) or len(parts[2]) not in (2, 4):
        raise ValueError(f"« {compact} » n'est pas une date : tapez-la sous la forme jj/mm/aaaa.")
    day, month, year = (int(part) for part in parts)
    if len(parts[2]) == 2:
        year += 2000  # « 16 » is 2016: a contrat de ville never files an action in the 1900s
    if not 1900 <= year <= 2100:
        raise ValueError(f"L'année de « {compact} » doit être entre 1900 et 2100.")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"Le {compact} n'existe pas dans le calendrier.") from None


def format_date(value: date | None) -> str:
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


class DateEdit(QLineEdit):
    """A date typed dd/mm/yyyy or picked in a calendar, that may stay empty (then shows « jj/mm/aaaa » in grey).

    A text field rather than Qt's QDateEdit: that one could not be empty (a hidden 01/01/1900 stood for « no
    date »), so typing started from 1900, Tab walked through its day, month and year instead of leaving, and the
    calendar opened on January 1900."""

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText("jj/mm/aaaa")
        self.setMaxLength(20)
        self.setMaximumWidth(max(140, self.fontMetrics().horizontalAdvance("00/00/00000") + 48))
        self.default_date: Callable[[], date] = date.today  # where an empty field's calendar opens
        self.calendar_action = self.addAction(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
                                              QLineEdit.ActionPosition.TrailingPosition)
        self.calendar_action.setToolTip("Choisir dans le calendrier (Alt+Bas)")
        self.calendar_action.triggered.connect(self.show_calendar)
        self.calendar: QCalendarWidget | None = None
        self.editingFinished.connect(self._reformat)

    def problem(self) -> str | None:
        try:
            parse_date(self.text())
        except ValueError as exc:
            return str(exc)
        return None

    def date_value(self) -> date | None:
        """The date shown; None when empty or unreadable (see problem())."""
        try:
            return parse_date(self.text())
        except ValueError:
            return None

    def set_date_value(self, value: date | None) -> None:
        self.setText(format_date(value))

    def _reformat(self) -> None:
        value = self.date_value()
        if value is not None and format_date(value) != self.text():
            self.setText(format_date(value))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Down and event.modifiers() & Qt.KeyboardModifier.AltModifier:
            self.show_calendar()
            return
        super().keyPressEvent(event)

    def show_calendar(self) -> None:
        """The calendar under the field, on the date shown, else on the default date (today, or the action's year)."""
        if self.calendar is None:
            self.calendar = QCalendarWidget(self)
            self.calendar.setWindowFlags(Qt.WindowType.Popup)
            self.calendar.setLocale(QLocale(QLocale.Language.French, QLocale.Country.France))  # « mars », Monday first
            self.calendar.setAccessibleName(f"Calendrier : {self.accessibleName()}")
            self.calendar.setGridVisible(True)
            self.calendar.setDateRange(QDate(1900, 1, 1), QDate(2100, 12, 31))
            self.calendar.clicked.connect(self._picked)
            self.calendar.activated.connect(self._picked)
        shown = self.date_value() or self.default_date()
        self.calendar.setSelectedDate(QDate(shown.year, shown.month, shown.day))
        self.calendar.setCurrentPage(shown.year, shown.month)
        self.calendar.adjustSize()
        self.calendar.move(self.mapToGlobal(QPoint(0, self.height())))
        self.calendar.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _picked(self, value: QDate) -> None:
        self.set_date_value(date(value.year(), value.month(), value.day()))
        if self.calendar is not None:
            self.calendar.hide()
        self.setFocus(Qt.FocusReason.PopupFocusReason)


class CheckList(QListWidget):
    """A list of choices with a check box each (communes of a quartier, quartiers of an action, axes)."""

    checked_changed = Signal()

    def __init__(self, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setUniformItemSizes(True)
        self._keys = []
        self._rows = {}
        # The checked rows, kept as they change: reading 1,600 check boxes cost 9 ms at each save of an action.
        self._checked: set[int] = set()
        self.itemChanged.connect(self._item_changed)

    def _item_changed(self, item: QListWidgetItem) -> None:
        row = self.row(item)
        if item.checkState() == Qt.CheckState.Checked:
            self._checked.add(row)
        else:
            self._checked.discard(row)
        self.checked_changed.emit()

    def set_choices(self, choices: Sequence[Choice] | Iterable[tuple[object, str]]) -> None:
        self.blockSignals(True)
        self.clear()
        self._keys: list[object] = []
        self._rows: dict[object, int] = {}
        self._checked = set()
        for choice in choices:
            key, label = (choice.id, choice.label) if isinstance(choice, Choice) else choice
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self._rows[key] = len(self._keys)
            self._keys.append(key)
            self.addItem(item)
        self.blockSignals(False)

    def checked_keys(self) -> list:
        return [self._keys[row] for row in sorted(self._checked)]

    def set_checked(self, keys: Iterable[object]) -> None:
        """Check exactly these keys, and scroll to the first checked one (lists can hold 1,600 quartiers)."""
        wanted = {self._rows[key] for key in keys if key in self._rows}
        self.blockSignals(True)
        for row in self._checked ^ wanted:  # only the rows that change: a save reloads the form in a few milliseconds
            self.item(row).setCheckState(Qt.CheckState.Checked if row in wanted else Qt.CheckState.Unchecked)
        self.blockSignals(False)
        self._checked = wanted
        if wanted:
            self.scrollToItem(self.item(min(wanted)), QListWidget.ScrollHint.PositionAtTop)
        elif self.count():
            self.scrollToTop()

    def item_for(self, key: object) -> QListWidgetItem | None:
        row = self._rows.get(key)
        return self.item(row) if row is not None else None


class FieldRow(QWidget):
    """An input with the French sentence that says why its value is refused, shown under it."""

    def __init__(self, field: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.error = QLabel()
        self.error.setStyleSheet(ERROR_TEXT_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(field)
        layout.addWidget(self.error)

    def set_error(self, message: str | None) -> None:
        restyle(self.field, ERROR_STYLE if message else "", message or "")
        restyle(self.error, ERROR_TEXT_STYLE)
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def set_note(self, text: str) -> None:
        """A reassuring line under a valid input (e.g. « SIRET valide. »)."""
        self.field.setStyleSheet("")
        self.field.setToolTip("")
        self.error.setStyleSheet(OK_TEXT_STYLE)
        self.error.setText(text)
        self.error.setVisible(bool(text))


class RecordForm(QFormLayout):
    """A form layout that remembers each field's row by its service name, to mark the refused ones; given the
    record's model, it says as soon as a text is longer than its field accepts."""

    def __init__(self, parent: QWidget | None = None, model: type[Record] | None = None) -> None:
        super().__init__(parent)
        install_wheel_guard_soon()  # every form: also when a test or a script builds the window without make_application
        self.model = model
        self.rows: dict[str, FieldRow] = {}
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def _watch_length(self, name: str, row: FieldRow) -> None:
        """The save's own sentence under the field while its text is too long. The text is not cut (no
        setMaxLength): a longer text loaded from an older base stays whole until the person shortens it."""
        model = self.model
        cap = max_length(model, name) if model is not None else None
        field = row.field
        editor = field.lineEdit() if isinstance(field, QComboBox) and field.isEditable() else field
        if cap is None or not isinstance(editor, (QLineEdit, QPlainTextEdit)):
            return
        if isinstance(editor, QPlainTextEdit):
            document = editor.document()

            def text() -> str:
                # A UTF-16 count is never below the Python one: only a count over the cap needs the text itself.
                return editor.toPlainText() if document.characterCount() - 1 > cap else ""
        else:
            text = editor.text
        shown = False

        def check() -> None:
            nonlocal shown
            message = length_problem(model, name, text())
            if message:
                row.set_error(message)
            elif shown:
                row.set_error(None)
            shown = bool(message)

        editor.textChanged.connect(check)

    def add_field(self, name: str, label: str, field: QWidget) -> QWidget:
        row = FieldRow(field)
        self.rows[name] = row
        self._watch_length(name, row)
        caption = QLabel(label)
        caption.setBuddy(field)
        self.addRow(caption, row)
        return field

    def add_wide_field(self, name: str, label: str, field: QWidget) -> QWidget:
        """A field under its own title, across the whole width of the form (the financing plan)."""
        row = FieldRow(field)
        self.rows[name] = row
        self._watch_length(name, row)
        caption = QLabel(label)
        caption.setBuddy(field)
        caption.setStyleSheet("font-weight: bold; margin-top: 6px;")
        self.addRow(caption)
        self.addRow(row)
        return field

    def show_errors(self, errors: dict[str, str]) -> list[str]:
        """Mark the fields named in errors; returns the messages no field could show."""
        for row in self.rows.values():
            row.set_error(None)
        unplaced = []
        for name, message in errors.items():
            if name in self.rows:
                self.rows[name].set_error(message)
            else:
                unplaced.append(message)
        return unplaced
