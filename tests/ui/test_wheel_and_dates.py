"""A coordinator scrolls a long action form with the wheel without changing anything, and types dates as written."""
from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cvdesk.store.models import Action
from cvdesk.ui.form_widgets import format_date, parse_date

CTRL = Qt.KeyboardModifier.ControlModifier


def wheel_down(widget: QWidget, notches: int = 1) -> None:
    """The mouse wheel turned towards the user over the middle of the widget, as a mouse sends it."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(widget.rect().center())), QPoint(0, 0),
                        QPoint(0, -120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def scroll_area_of(widget: QWidget) -> QScrollArea:
    parent = widget.parentWidget()
    while not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    return parent


def open_first_action(window) -> object:
    window.resize(1366, 768)
    window.tabs.setCurrentIndex(2)
    tab = window.actions_tab
    tab.view.selectRow(0)
    tab.view.setFocus()  # the list has the keyboard, as after a click on a row
    return tab


def saved_dates(reference: str) -> tuple:
    cursor = Action._meta.database.execute_sql(
        "SELECT start_date, end_date FROM action WHERE reference = ? AND deleted = 0", (reference,))
    return cursor.fetchone()


def test_the_wheel_over_the_lists_of_the_form_scrolls_the_form_and_changes_nothing(window, qtbot) -> None:
    tab = open_first_action(window)
    record_id = tab.current_record_id()
    before = Action.get_by_id(record_id)
    assert tab.plan_editor.table.rowCount() >= 1, "the first demo action has a financing plan"
    funder = tab.plan_editor.funder_combo(0)
    widgets = {"Statut": (tab.status_combo, tab.status_combo.currentText),
               "Orientation": (tab.orientation_combo, tab.orientation_combo.currentText),
               "Année": (tab.year_spin, tab.year_spin.value),
               "Financeur": (funder, funder.currentText)}
    shown = {name: read() for name, (_widget, read) in widgets.items()}
    bar = scroll_area_of(tab.status_combo).verticalScrollBar()
    assert bar.maximum() > 0, "at 1366×768 the action form is taller than its pane"

    for name, (widget, _read) in widgets.items():
        assert widget.focusPolicy() == Qt.FocusPolicy.StrongFocus, name
        tab.view.setFocus()
        bar.setValue(0)
        wheel_down(widget, 2)
        assert not widget.hasFocus(), f"{name} took the focus from the wheel"
        assert bar.value() > 0, f"the form did not scroll under {name}"

    # A date is a text field: the wheel never changes it, focused or not.
    start = tab.start_date.text()
    tab.start_date.setFocus(Qt.FocusReason.MouseFocusReason)
    wheel_down(tab.start_date, 3)
    assert tab.start_date.text() == start

    assert {name: read() for name, (_widget, read) in widgets.items()} == shown
    assert not tab.is_dirty() and "(modifié)" not in tab.heading.text()
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    after = Action.get_by_id(record_id)
    assert (after.status, after.orientation_id, after.year) == (before.status, before.orientation_id, before.year)


def test_a_list_the_coordinator_clicked_into_still_follows_the_wheel(window, qtbot) -> None:
    tab = open_first_action(window)
    combo = tab.orientation_combo
    combo.setCurrentIndex(1)
    combo.setFocus(Qt.FocusReason.MouseFocusReason)
    assert combo.hasFocus()
    bar = scroll_area_of(combo).verticalScrollBar()
    bar.setValue(0)
    wheel_down(combo)
    assert combo.currentIndex() == 2
    assert bar.value() == 0, "the wheel turned the list, it did not also scroll the form"
    tab.year_spin.setFocus(Qt.FocusReason.TabFocusReason)
    year = tab.year_spin.value()
    wheel_down(tab.year_spin)
    assert tab.year_spin.value() == year - 1


def test_every_list_and_number_of_the_window_and_of_later_dialogs_waits_for_a_click(window, qtbot) -> None:
    for tab in window.all_tabs():
        window.tabs.setCurrentWidget(tab)
        qtbot.wait(1)
    guarded = [w for w in window.findChildren(QWidget) if isinstance(w, (QComboBox, QAbstractSpinBox))]
    assert len(guarded) > 10
    wheel_focus = [w.accessibleName() or type(w).__name__ for w in guarded
                   if w.isVisible() and w.focusPolicy() != Qt.FocusPolicy.StrongFocus]
    assert wheel_focus == []

    # A dialog built afterwards, with a plain Qt spin box, is covered too.
    dialog = QDialog(window)
    qtbot.addWidget(dialog)
    area = QScrollArea(dialog)
    inner = QWidget()
    column = QVBoxLayout(inner)
    spins = [QSpinBox() for _ in range(30)]
    for spin in spins:
        spin.setValue(5)
        column.addWidget(spin)
    area.setWidget(inner)
    QVBoxLayout(dialog).addWidget(area)
    dialog.resize(300, 200)
    dialog.show()
    qtbot.waitExposed(dialog)
    wheel_down(spins[3], 3)
    assert [spin.value() for spin in spins] == [5] * 30
    assert area.verticalScrollBar().value() > 0
    assert spins[3].focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_dates_typed_in_du_and_au_are_saved_as_typed(window, qtbot) -> None:
    tab = open_first_action(window)
    reference = tab.reference_edit.text()
    for field in (tab.start_date, tab.end_date):
        field.clear()
    tab.start_date.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(tab.start_date, "01/03/2016")
    qtbot.keyClick(tab.start_date, Qt.Key.Key_Tab)
    assert tab.end_date.hasFocus(), "Tab leaves Du for Au"
    qtbot.keyClicks(tab.end_date, "1.7.16")
    qtbot.keyClick(tab.end_date, Qt.Key.Key_Tab)
    assert tab.start_date.text() == "01/03/2016", "typing in Au left Du alone"
    assert tab.end_date.text() == "01/07/2016"
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert saved_dates(reference) == ("2016-03-01", "2016-07-01")
    assert Action.get(Action.reference == reference).start_date == date(2016, 3, 1)


def test_tab_through_empty_dates_leaves_them_empty(window, qtbot) -> None:
    tab = open_first_action(window)
    reference = tab.reference_edit.text()
    for field in (tab.start_date, tab.end_date):
        field.clear()
    tab.start_date.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(tab.start_date, Qt.Key.Key_Tab)
    qtbot.keyClick(tab.end_date, Qt.Key.Key_Tab)
    assert (tab.start_date.text(), tab.end_date.text()) == ("", "")
    assert tab.start_date.placeholderText() == "jj/mm/aaaa", "an empty date shows it is empty"
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    assert tab.error_label.isHidden(), tab.error_label.text()
    assert saved_dates(reference) == (None, None)


def test_a_date_that_does_not_exist_is_refused_in_french_and_nothing_changes(window, qtbot) -> None:
    tab = open_first_action(window)
    reference = tab.reference_edit.text()
    before = saved_dates(reference)
    tab.start_date.clear()
    tab.start_date.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClicks(tab.start_date, "31/02/2016")
    qtbot.keyClick(window, Qt.Key.Key_S, CTRL)
    row = tab.form.rows["start_date"]
    assert row.error.isVisible()
    assert row.error.text() == "Le 31/02/2016 n'existe pas dans le calendrier."
    assert saved_dates(reference) == before


def test_the_calendar_opens_on_today_or_on_the_actions_year_never_in_1900(window, qtbot) -> None:
    tab = open_first_action(window)
    qtbot.keyClick(window, Qt.Key.Key_N, CTRL)
    today = date.today()
    tab.start_date.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(tab.start_date, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    calendar = tab.start_date.calendar
    assert calendar.isVisible()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    calendar.hide()

    tab.year_spin.setValue(2016)
    tab.end_date.show_calendar()
    assert (tab.end_date.calendar.yearShown(), tab.end_date.calendar.monthShown()) == (2016, 1)
    tab.end_date.calendar.hide()

    qtbot.keyClicks(tab.start_date, "15/09/2016")
    tab.end_date.show_calendar()  # the end is looked for after the start
    assert (tab.end_date.calendar.yearShown(), tab.end_date.calendar.monthShown()) == (2016, 9)
    tab.end_date.calendar.activated.emit(tab.end_date.calendar.selectedDate().addDays(30))
    assert not tab.end_date.calendar.isVisible()
    assert tab.end_date.text() == "15/10/2016"
    assert tab.start_date.text() == "15/09/2016"


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from(["/", ".", "-", " "]),
       st.booleans())
def test_any_date_typed_the_french_way_is_read_as_written(day: date, separator: str, padded: bool) -> None:
    text = (f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}" if padded
            else f"{day.day}{separator}{day.month}{separator}{day.year}")
    assert parse_date(text) == day
    assert format_date(day) == f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@given(st.text(max_size=20))
def test_any_other_text_is_a_date_or_one_french_sentence(text: str) -> None:
    try:
        value = parse_date(text)
    except ValueError as exc:
        message = str(exc)
        assert message.endswith(".") and ("date" in message or "année" in message.lower() or "calendrier" in message)
    else:
        assert value is None or date(1900, 1, 1) <= value <= date(2100, 12, 31)
